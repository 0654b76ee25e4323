import { useMe } from '../api/queries'

/** The permissions the pages need; the server checks the same ones. */
export const PERMISSIONS = {
  manageChannels: 'channels:manage',
  readTickets: 'tickets:read',
  readContacts: 'contacts:read',
} as const

/**
 * Whether the signed-in user's role has a permission (from GET /auth/me): `undefined` while that
 * is loading. The server is the authority; this only hides what would be refused anyway.
 */
export function useCan(permission: string): boolean | undefined {
  const me = useMe()
  if (!me.data) return me.isError ? false : undefined
  return me.data.role.permissions.includes(permission)
}

/**
 * Whether the user works the tickets (a staff role that may read them): the agent workspace is
 * for them. Customers read their own tickets elsewhere. `undefined` while loading.
 */
export function useIsAgent(): boolean | undefined {
  const me = useMe()
  if (!me.data) return me.isError ? false : undefined
  return me.data.role.kind === 'staff' && me.data.role.permissions.includes(PERMISSIONS.readTickets)
}

/**
 * Whether the user is a customer (a customer-kind role): they get the portal, their own requests,
 * instead of the workspace. `undefined` while loading.
 */
export function useIsCustomer(): boolean | undefined {
  const me = useMe()
  if (!me.data) return me.isError ? false : undefined
  return me.data.role.kind === 'customer'
}
