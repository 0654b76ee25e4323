/** The admin settings sections, in menu order, each with the permission that opens it. */
export const SETTINGS_SECTIONS = [
  { key: 'organization', path: 'organization', permission: 'organization:manage' },
  { key: 'users', path: 'users', permission: 'users:manage' },
  { key: 'roles', path: 'roles', permission: 'roles:manage' },
  { key: 'teams', path: 'teams', permission: 'teams:manage' },
  { key: 'statuses', path: 'statuses', permission: 'settings:manage' },
  { key: 'customFields', path: 'custom-fields', permission: 'settings:manage' },
  { key: 'email', path: 'email', permission: 'channels:manage' },
  { key: 'apiKeys', path: 'api-keys', permission: 'api_keys:manage' },
] as const

export type SettingsSectionKey = (typeof SETTINGS_SECTIONS)[number]['key']

/** The sections a role's permissions open. */
export function allowedSections(permissions: readonly string[]) {
  return SETTINGS_SECTIONS.filter((section) => permissions.includes(section.permission))
}
