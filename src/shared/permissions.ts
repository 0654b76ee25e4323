/**
 * Permissions are `resource:action` pairs. Built-in roles get fixed sets; admins may define custom
 * roles from this catalogue. Shared with the web app so the UI can show and check the same names.
 */
export const PERMISSIONS = {
  'organization:read': 'See the organization profile',
  'organization:manage': 'Edit organization settings and branding',
  'users:read': 'See the people in the organization',
  'users:manage': 'Create, edit, deactivate users and change their roles',
  'invitations:manage': 'Invite people and revoke invitations',
  'teams:read': 'See teams and their members',
  'teams:manage': 'Create, edit and delete teams and their membership',
  'roles:manage': 'Define custom roles',
  'api_keys:manage': 'Create and revoke API keys',
  'audit:read': 'Read the audit log',
  'tickets:read': 'See tickets',
  'tickets:create': 'Create tickets',
  'tickets:update': 'Edit tickets',
  'tickets:assign': 'Assign tickets',
  'tickets:delete': 'Delete and restore tickets',
  'comments:create': 'Reply on tickets',
  'comments:internal': 'Write and read internal notes',
  'contacts:read': 'See contacts and companies',
  'contacts:manage': 'Create, edit and merge contacts and companies',
  'settings:manage': 'Manage statuses, custom fields and helpdesk settings',
  'channels:manage': 'Manage email mailboxes and templates, post raw inbound mail, and work the unrouted mail queue',
  'reports:read': 'See reports',
} as const

export type Permission = keyof typeof PERMISSIONS
export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[]

/**
 * What a customer-kind role may hold: the portal's needs and nothing that reveals other people's
 * data. Customers only ever see the tickets they requested.
 */
export const CUSTOMER_PERMISSIONS: ReadonlySet<Permission> = new Set<Permission>([
  'organization:read', 'tickets:read', 'tickets:create', 'comments:create',
])

export const BUILTIN_ROLE_KEYS = ['admin', 'manager', 'agent', 'viewer', 'customer'] as const
export type BuiltinRoleKey = (typeof BUILTIN_ROLE_KEYS)[number]

const AGENT: Permission[] = [
  'organization:read', 'users:read', 'teams:read', 'tickets:read', 'tickets:create', 'tickets:update',
  'tickets:assign', 'comments:create', 'comments:internal', 'contacts:read', 'contacts:manage',
]

export interface BuiltinRole {
  key: BuiltinRoleKey
  name: string
  description: string
  kind: 'staff' | 'customer'
  ticket_scope: 'all' | 'team' | 'own' | 'requested'
  permissions: Permission[]
}

export const BUILTIN_ROLES: BuiltinRole[] = [
  {
    key: 'admin', name: 'Administrator', kind: 'staff', ticket_scope: 'all',
    description: 'Everything, including organization settings, users, roles and API keys',
    permissions: ALL_PERMISSIONS,
  },
  {
    key: 'manager', name: 'Manager', kind: 'staff', ticket_scope: 'all',
    description: 'All tickets, teams, helpdesk settings and reports',
    permissions: [...AGENT, 'teams:manage', 'tickets:delete', 'settings:manage', 'reports:read', 'audit:read'],
  },
  {
    key: 'agent', name: 'Agent', kind: 'staff', ticket_scope: 'team',
    description: 'Works tickets assigned to them, their teams and the unassigned queue',
    permissions: AGENT,
  },
  {
    key: 'viewer', name: 'Viewer', kind: 'staff', ticket_scope: 'team',
    description: 'Reads tickets, contacts and reports without changing anything',
    permissions: ['organization:read', 'users:read', 'teams:read', 'tickets:read', 'contacts:read', 'reports:read'],
  },
  {
    key: 'customer', name: 'Customer', kind: 'customer', ticket_scope: 'requested',
    description: 'Portal access to their own tickets',
    permissions: ['organization:read', 'tickets:read', 'tickets:create', 'comments:create'],
  },
]

export const USER_ROLE_KEY_PATTERN = '^[a-z][a-z0-9_]{0,49}$'
