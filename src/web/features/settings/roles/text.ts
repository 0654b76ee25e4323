import type { TFunction } from 'i18next'
import { isApiError } from '../../../api/client'
import { errorMessage } from '../../../ui/errorMessage'
import type { Role } from './api'

const BUILTIN = ['admin', 'manager', 'agent', 'viewer', 'customer'] as const
type BuiltinKey = (typeof BUILTIN)[number]
const builtinKey = (role: Pick<Role, 'key' | 'is_system'>): BuiltinKey | null =>
  role.is_system && (BUILTIN as readonly string[]).includes(role.key) ? (role.key as BuiltinKey) : null

/** A built-in role's name in the UI language; a custom role's as its organization named it. */
export function roleName(role: Pick<Role, 'key' | 'name' | 'is_system'>, t: TFunction): string {
  const key = builtinKey(role)
  return key ? t(`adminConfig.roles.builtin.${key}.name`) : role.name
}

export function roleDescription(role: Pick<Role, 'key' | 'description' | 'is_system'>, t: TFunction): string | null {
  const key = builtinKey(role)
  return key ? t(`adminConfig.roles.builtin.${key}.description`) : role.description
}

/** Why a custom role could not be deleted: who still holds it, counted from the server's details. */
export function deleteRefusal(error: unknown, t: TFunction): string {
  if (isApiError(error, 'conflict')) {
    const parts: string[] = []
    for (const detail of error.details) {
      const count = Number(/^\d+/.exec(detail.message)?.[0] ?? NaN)
      if (!Number.isFinite(count)) continue
      if (detail.field === 'members') parts.push(t('adminConfig.roles.usage.members', { count }))
      else if (detail.field === 'invitations') parts.push(t('adminConfig.roles.usage.invitations', { count }))
      else if (detail.field === 'api_keys') parts.push(t('adminConfig.roles.usage.apiKeys', { count }))
    }
    if (parts.length) return t('adminConfig.roles.inUse', { usage: parts.join(', ') })
    return error.message
  }
  return errorMessage(error, t)
}
