import { Redis } from 'ioredis'
import type { Logger } from 'pino'

/** A change or presence signal for the people of one organization who may see its ticket. */
export interface RealtimeEvent {
  tenant_id: string
  /** `ticket.created`, `ticket.updated`, `ticket.assigned`, `comment.added`, `presence`, … */
  type: string
  ticket_id: string
  /** What the audience rule needs about the ticket, read when the event was published. */
  ticket: { requester_id: string | null; company_id: string | null; assignee_id: string | null; team_id: string | null }
  /** Only this person receives it (their own notifications); the ticket rule does not apply. */
  user_id?: string
  /** Only staff who may read internal notes receive it. */
  internal?: boolean
  /** The user whose action it is (not echoed back to that user's own presence). */
  actor_id: string | null
  data?: Record<string, unknown>
  at: string
}

type Listener = (event: RealtimeEvent) => void

const CHANNEL = 'aidly:realtime'

/**
 * Fans realtime events out to every instance. With Redis each published event goes through one
 * pub/sub channel and every instance (including the publisher) delivers it to its own connected
 * clients, so a client connected to instance A sees a change made through instance B. Without
 * Redis (one instance) events are delivered in-process.
 */
export class RealtimeHub {
  #listeners = new Set<Listener>()
  #subscriber: Redis | null = null
  #ready: Promise<void> = Promise.resolve()

  constructor(private readonly publisher: Redis | null, redisUrl: string | undefined, private readonly log: Logger) {
    if (publisher && redisUrl) {
      const sub = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false })
      sub.on('error', (err) => log.warn({ err }, 'realtime subscriber error'))
      sub.on('message', (_channel: string, message: string) => {
        try {
          this.#deliver(JSON.parse(message) as RealtimeEvent)
        } catch (err) {
          log.warn({ err }, 'realtime: unreadable message')
        }
      })
      this.#ready = sub.subscribe(CHANNEL).then(() => undefined, (err: unknown) => log.error({ err }, 'realtime: could not subscribe'))
      this.#subscriber = sub
    }
  }

  /** Resolves once this instance receives what others publish. */
  ready(): Promise<void> {
    return this.#ready
  }

  async publish(event: RealtimeEvent): Promise<void> {
    if (this.publisher && this.#subscriber) {
      await this.publisher.publish(CHANNEL, JSON.stringify(event))
      return
    }
    this.#deliver(event)
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #deliver(event: RealtimeEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event)
      } catch (err) {
        this.log.warn({ err }, 'realtime listener failed')
      }
    }
  }

  close(): void {
    this.#subscriber?.disconnect()
    this.#listeners.clear()
  }
}
