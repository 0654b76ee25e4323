import { useCallback, useEffect, useRef, useState } from 'react'
import { realtime, type RealtimeMessage } from '../../api/realtime'

export interface Viewer {
  userId: string
  name: string
  state: 'viewing' | 'typing'
}

/** Repeat "viewing" this often, so someone who opens the ticket later learns we are here. */
const HEARTBEAT_MS = 25_000
/** Someone not heard of for this long has gone (closed the tab without a goodbye). Background tabs may
 * run the heartbeat only once a minute, so this is well over that. */
const GONE_MS = 90_000
/** "Typing" without a new keystroke for this long is back to viewing. */
const TYPING_MS = 8_000
/** Send "typing" at most this often while the keys keep coming. */
const TYPING_THROTTLE_MS = 3_000
/** After this long without a keystroke we say we are only viewing again. */
const IDLE_MS = 5_000

interface Seen extends Viewer {
  heard: number
  typedAt: number
}

function visible(seen: Map<string, Seen>, now: number): Viewer[] {
  return [...seen.values()]
    .filter((v) => now - v.heard < GONE_MS)
    .map((v): Viewer => ({ userId: v.userId, name: v.name, state: v.state === 'typing' && now - v.typedAt < TYPING_MS ? 'typing' : 'viewing' }))
    .sort((a, b) => a.name.localeCompare(b.name))
}

/**
 * Collision detection on a ticket: tells other staff we are viewing it (and typing, while we
 * write), says goodbye on leaving, and returns who else is there. The server does not remember
 * presence, so we repeat it now and then, and greet newcomers with ours.
 */
export function usePresence(ticketId: string) {
  const [viewers, setViewers] = useState<Viewer[]>([])
  const typingRef = useRef<{ sentAt: number; idle: ReturnType<typeof setTimeout> | null }>({ sentAt: 0, idle: null })

  useEffect(() => {
    const seen = new Map<string, Seen>()
    const typing = typingRef.current
    const publish = () => setViewers(visible(seen, Date.now()))
    realtime.setPresence(ticketId, 'viewing')

    const unsubscribe = realtime.subscribe((message: RealtimeMessage) => {
      if (message.type !== 'presence' || message.ticket_id !== ticketId) return
      const { user_id: userId, name, state } = message.data
      const now = Date.now()
      const before = seen.get(userId)
      if (state === 'left') {
        seen.delete(userId)
      } else {
        seen.set(userId, { userId, name, state, heard: now, typedAt: state === 'typing' ? now : (before?.typedAt ?? 0) })
        // Someone new (or back after a while): they do not know we are here yet.
        if (!before || now - before.heard >= GONE_MS) realtime.announce(ticketId)
      }
      publish()
    })
    const heartbeat = setInterval(() => realtime.announce(ticketId), HEARTBEAT_MS)
    const sweep = setInterval(publish, 4_000)
    const onPageHide = () => realtime.setPresence(ticketId, 'left')
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) realtime.setPresence(ticketId, 'viewing')
    }
    window.addEventListener('pagehide', onPageHide)
    window.addEventListener('pageshow', onPageShow)

    return () => {
      unsubscribe()
      clearInterval(heartbeat)
      clearInterval(sweep)
      if (typing.idle) clearTimeout(typing.idle)
      typing.idle = null
      typing.sentAt = 0
      window.removeEventListener('pagehide', onPageHide)
      window.removeEventListener('pageshow', onPageShow)
      realtime.setPresence(ticketId, 'left')
      setViewers([])
    }
  }, [ticketId])

  /** Call on every keystroke in the reply: sends "typing" now and then, "viewing" once idle. */
  const typed = useCallback(() => {
    const typing = typingRef.current
    const now = Date.now()
    if (now - typing.sentAt >= TYPING_THROTTLE_MS) {
      typing.sentAt = now
      realtime.setPresence(ticketId, 'typing')
    }
    if (typing.idle) clearTimeout(typing.idle)
    typing.idle = setTimeout(() => {
      typing.idle = null
      typing.sentAt = 0
      realtime.setPresence(ticketId, 'viewing')
    }, IDLE_MS)
  }, [ticketId])

  /** Done writing (sent, or left the editor empty): back to viewing at once. */
  const stoppedTyping = useCallback(() => {
    const typing = typingRef.current
    if (!typing.idle && typing.sentAt === 0) return
    if (typing.idle) clearTimeout(typing.idle)
    typing.idle = null
    typing.sentAt = 0
    realtime.setPresence(ticketId, 'viewing')
  }, [ticketId])

  return { viewers, typed, stoppedTyping }
}
