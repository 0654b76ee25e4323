import { freshAccessToken, isApiError } from './client'

/**
 * The one realtime connection of the app: a WebSocket at /api/v1/realtime that tells staff about
 * changes to the tickets they may see, and who else is viewing or replying on a ticket. The
 * socket carries ids, not data: listeners refetch what changed through the API.
 *
 * It opens with the first subscriber and closes after the last one leaves; reconnects with
 * exponential backoff (and at once when the browser comes back online); refreshes the access
 * token before connecting when it is about to expire or was refused; and, once connected again,
 * re-sends this tab's presence and tells subscribers to `resync` what they may have missed.
 */

export type TicketEventType =
  | 'ticket.created'
  | 'ticket.updated'
  | 'ticket.assigned'
  | 'comment.added'
  | 'comment.edited'
  | 'ticket.merged'
  | 'ticket.split'

export type PresenceState = 'viewing' | 'typing' | 'left'

export interface TicketEvent {
  type: TicketEventType
  ticket_id: string
  data: Record<string, unknown>
  actor_id: string | null
  at: string
}

export interface PresenceEvent {
  type: 'presence'
  ticket_id: string
  data: { user_id: string; name: string; state: PresenceState }
  actor_id: string | null
  at: string
}

/** A mention or an assignment for this person (only they receive it); fetch it from /notifications. */
export interface NotificationEvent {
  type: 'notification'
  ticket_id: string
  data: { id: string; kind: 'mention' | 'assignment' }
  actor_id: string | null
  at: string
}

/** `resync`: connected again after a gap, so anything may have changed meanwhile. */
export type RealtimeMessage = TicketEvent | PresenceEvent | NotificationEvent | { type: 'resync' }

export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting'

type Listener = (message: RealtimeMessage) => void

const TICKET_EVENTS = new Set<string>([
  'ticket.created',
  'ticket.updated',
  'ticket.assigned',
  'comment.added',
  'comment.edited',
  'ticket.merged',
  'ticket.split',
])
const BASE_DELAY_MS = 1_000
const MAX_DELAY_MS = 30_000
/** Closing after the last subscriber leaves waits this long, so moving between pages keeps the socket. */
const LINGER_MS = 5_000

function parse(raw: unknown): Record<string, unknown> | null {
  if (typeof raw !== 'string') return null
  try {
    const value: unknown = JSON.parse(raw)
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null
  } catch {
    return null
  }
}

class RealtimeConnection {
  private socket: WebSocket | null = null
  private readonly listeners = new Set<Listener>()
  private readonly statusListeners = new Set<() => void>()
  /** This tab's presence per ticket, re-sent after a reconnect. */
  private readonly presence = new Map<string, Exclude<PresenceState, 'left'>>()
  private status: ConnectionStatus = 'idle'
  private attempt = 0
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private lingerTimer: ReturnType<typeof setTimeout> | null = null
  /** Bumped on every connect/stop, so a connect that resolves late knows it is stale. */
  private generation = 0
  private forceRefresh = false
  private connectedBefore = false
  private identity: string | null = null

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener)
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer)
      this.lingerTimer = null
    }
    if (this.status === 'idle') this.start()
    return () => {
      this.listeners.delete(listener)
      if (this.listeners.size === 0 && !this.lingerTimer) {
        this.lingerTimer = setTimeout(() => {
          this.lingerTimer = null
          if (this.listeners.size === 0) this.stop()
        }, LINGER_MS)
      }
    }
  }

  getStatus = (): ConnectionStatus => this.status

  onStatus = (listener: () => void): (() => void) => {
    this.statusListeners.add(listener)
    return () => this.statusListeners.delete(listener)
  }

  /** Tell other staff this tab is viewing or typing on a ticket, or has left it. */
  setPresence(ticketId: string, state: PresenceState): void {
    if (state === 'left') {
      if (!this.presence.delete(ticketId)) return
    } else {
      this.presence.set(ticketId, state)
    }
    this.send({ type: 'presence', ticket_id: ticketId, state })
  }

  /** Repeat this tab's presence on a ticket (a heartbeat, or to greet someone who just arrived). */
  announce(ticketId: string): void {
    const state = this.presence.get(ticketId)
    if (state) this.send({ type: 'presence', ticket_id: ticketId, state })
  }

  /**
   * Who the connection is for (user and organization). A different identity — after switching
   * organization, or signing in as someone else — closes the old socket and opens a new one.
   */
  setIdentity(identity: string): void {
    if (this.identity === identity) return
    const changed = this.identity !== null
    this.identity = identity
    if (!changed) return
    this.stop()
    this.presence.clear()
    this.connectedBefore = false
    if (this.listeners.size > 0) this.start()
  }

  private start(): void {
    this.attempt = 0
    this.setStatus('connecting')
    void this.connect()
    window.addEventListener('online', this.onOnline)
  }

  private stop(): void {
    this.generation++
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = null
    window.removeEventListener('online', this.onOnline)
    const socket = this.socket
    this.socket = null
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, 'done')
    this.setStatus('idle')
  }

  private onOnline = () => {
    if (this.status !== 'reconnecting') return
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = null
    this.attempt = 0
    void this.connect()
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation
    let token: string | null
    try {
      token = await freshAccessToken({ force: this.forceRefresh })
    } catch (error) {
      if (generation !== this.generation) return
      // The session is gone (the app is signing out); only a network failure is worth retrying.
      if (isApiError(error, 'network_error') || (isApiError(error) && error.status >= 500)) this.retry()
      else this.stop()
      return
    }
    if (generation !== this.generation) return
    if (!token) {
      this.stop()
      return
    }
    const protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:'
    const socket = new WebSocket(`${protocol}//${window.location.host}/api/v1/realtime?access_token=${encodeURIComponent(token)}`)
    this.socket = socket
    let ready = false

    socket.onmessage = (event: MessageEvent) => {
      const message = parse(event.data)
      if (!message || this.socket !== socket) return
      if (message.type === 'ready') {
        ready = true
        this.attempt = 0
        this.forceRefresh = false
        this.setStatus('open')
        for (const [ticketId, state] of this.presence) this.send({ type: 'presence', ticket_id: ticketId, state })
        if (this.connectedBefore) this.emit({ type: 'resync' })
        this.connectedBefore = true
        return
      }
      if (typeof message.ticket_id !== 'string') return
      if (message.type === 'presence' || message.type === 'notification' || TICKET_EVENTS.has(String(message.type))) {
        this.emit(message as unknown as RealtimeMessage)
      }
    }
    socket.onclose = () => {
      if (this.socket !== socket) return
      this.socket = null
      // Refused before it was ready: most likely the token (expired or revoked); refresh it first.
      if (!ready) this.forceRefresh = true
      this.retry()
    }
  }

  private retry(): void {
    this.setStatus('reconnecting')
    const delay = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** this.attempt)
    this.attempt++
    // Jitter, so a restarted server is not hit by every tab at the same moment.
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null
        void this.connect()
      },
      delay / 2 + Math.random() * (delay / 2),
    )
  }

  private send(message: Record<string, unknown>): void {
    if (this.socket?.readyState === WebSocket.OPEN && this.status === 'open') this.socket.send(JSON.stringify(message))
  }

  private emit(message: RealtimeMessage): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(message)
      } catch (error) {
        if (import.meta.env.DEV) console.error(error)
      }
    }
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.status === status) return
    this.status = status
    for (const listener of [...this.statusListeners]) listener()
  }
}

export const realtime = new RealtimeConnection()
