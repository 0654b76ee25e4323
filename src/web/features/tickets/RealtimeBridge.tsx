import { useQueryClient, type Query } from '@tanstack/react-query'
import { useEffect } from 'react'
import { realtime, type RealtimeMessage } from '../../api/realtime'
import { LIST_KINDS } from './shared'

/** Events arriving close together (a bulk action, a reply with its status change) refetch once… */
const BATCH_MS = 250
/** …and a busy helpdesk refetches the lists at most this often. */
const MIN_INTERVAL_MS = 1_000

/**
 * Keeps the ticket caches fresh for a signed-in staff member: one shared realtime connection for
 * the whole app, whose events mark the affected ticket's queries and every ticket list stale.
 * Only queries on screen refetch; the rest refetch when next shown.
 */
export function RealtimeBridge({ identity }: { identity: string }) {
  const queryClient = useQueryClient()

  useEffect(() => {
    realtime.setIdentity(identity)
    const tickets = new Set<string>()
    let everything = false
    let timer: ReturnType<typeof setTimeout> | null = null
    let flushedAt = 0

    const affected = (query: Query): boolean => {
      const [root, kind, id] = query.queryKey
      if (root === 'tickets') return everything || LIST_KINDS.has(String(kind)) || (typeof id === 'string' && tickets.has(id))
      // A requester's other tickets (the ticket page's side card).
      if (root === 'contacts') return query.queryKey[2] === 'tickets'
      return false
    }
    const flush = () => {
      timer = null
      flushedAt = Date.now()
      void queryClient.invalidateQueries({ predicate: affected })
      tickets.clear()
      everything = false
    }
    const unsubscribe = realtime.subscribe((message: RealtimeMessage) => {
      // Presence and the bell's notifications change no ticket.
      if (message.type === 'presence' || message.type === 'notification') return
      if (message.type === 'resync') everything = true
      else tickets.add(message.ticket_id)
      timer ??= setTimeout(flush, Math.max(BATCH_MS, flushedAt + MIN_INTERVAL_MS - Date.now()))
    })
    return () => {
      unsubscribe()
      if (timer) clearTimeout(timer)
    }
  }, [identity, queryClient])

  return null
}
