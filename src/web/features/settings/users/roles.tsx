import type { TFunction } from 'i18next'
import { useTranslation } from 'react-i18next'
import type { Role } from './api'

const BUILT_IN = ['admin', 'manager', 'agent', 'viewer', 'customer'] as const
type BuiltIn = (typeof BUILT_IN)[number]
const isBuiltIn = (key: string): key is BuiltIn => (BUILT_IN as readonly string[]).includes(key)

/** A role's name in the user's language: built-in roles are translated, custom ones keep their own name. */
export function roleName(key: string, roles: readonly Role[] | undefined, t: TFunction): string {
  if (isBuiltIn(key)) return t(`adminPeople.roles.${key}`)
  return roles?.find((role) => role.key === key)?.name ?? key
}

/**
 * The <option>s of a role picker: the organization's roles (optionally only some kinds), with
 * `current` kept even while the list loads or when it is not among them.
 */
export function RoleOptions({ roles, current, only }: { roles: readonly Role[] | undefined; current?: string; only?: (role: Role) => boolean }) {
  const { t } = useTranslation()
  const shown = (roles ?? []).filter((role) => !only || only(role))
  return (
    <>
      {shown.map((role) => (
        <option key={role.key} value={role.key}>
          {roleName(role.key, roles, t)}
        </option>
      ))}
      {current && !shown.some((role) => role.key === current) ? <option value={current}>{roleName(current, roles, t)}</option> : null}
    </>
  )
}
