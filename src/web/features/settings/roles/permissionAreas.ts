import type { TFunction } from 'i18next'
import { ALL_PERMISSIONS, CUSTOMER_PERMISSIONS, PERMISSIONS, type Permission } from '../../../../shared/permissions'

/** The areas the role form groups permissions into, in the order shown. */
export const AREAS = ['organization', 'users', 'teams', 'tickets', 'comments', 'contacts', 'settings', 'channels', 'reports', 'other'] as const
export type Area = (typeof AREAS)[number]

/** Resources that belong with a neighbour rather than standing alone. */
const AREA_OF_RESOURCE: Record<string, Area> = {
  organization: 'organization',
  api_keys: 'organization',
  audit: 'organization',
  users: 'users',
  invitations: 'users',
  roles: 'users',
  teams: 'teams',
  tickets: 'tickets',
  comments: 'comments',
  contacts: 'contacts',
  settings: 'settings',
  channels: 'channels',
  reports: 'reports',
}

export function areaOf(permission: string): Area {
  return AREA_OF_RESOURCE[permission.split(':')[0] ?? ''] ?? 'other'
}

/** The catalogue by area, each in catalogue order; areas without permissions are left out. */
export function permissionsByArea(): { area: Area; permissions: Permission[] }[] {
  return AREAS.map((area) => ({ area, permissions: ALL_PERMISSIONS.filter((p) => areaOf(p) === area) })).filter(
    (group) => group.permissions.length > 0,
  )
}

export const isCustomerPermission = (permission: string): boolean => CUSTOMER_PERMISSIONS.has(permission as Permission)

/** `tickets:read` → `tickets_read`: the key of its translated description. */
const textKey = (permission: string) => permission.replace(':', '_')

/**
 * What a permission allows, in the UI language; a permission added to the catalogue before its
 * translation falls back to the catalogue's English description.
 */
export function permissionDescription(permission: string, t: TFunction): string {
  const fallback = (PERMISSIONS as Record<string, string>)[permission] ?? permission
  return t(`adminConfig.roles.permissionText.${textKey(permission)}` as 'adminConfig.roles.permissionText.tickets_read', { defaultValue: fallback })
}
