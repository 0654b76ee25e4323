import WebSocket from 'ws'

/** A realtime test client: every message received, and a wait for the next matching one. */
export interface Client { messages: Array<Record<string, any>>; ws: WebSocket; next: (pred: (m: Record<string, any>) => boolean, ms?: number) => Promise<Record<string, any>> }

/** A connected, ready client (the server says `ready` once it knows what the client may see). */
export async function connect(url: string, token: string): Promise<Client> {
  const ws = new WebSocket(`${url}/api/v1/realtime?access_token=${encodeURIComponent(token)}`)
  const messages: Array<Record<string, any>> = []
  const waiters: Array<{ pred: (m: Record<string, any>) => boolean; resolve: (m: Record<string, any>) => void }> = []
  ws.on('message', (raw) => {
    const m = JSON.parse(raw.toString()) as Record<string, any>
    messages.push(m)
    for (const w of [...waiters]) if (w.pred(m)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m) }
  })
  const next = (pred: (m: Record<string, any>) => boolean, ms = 5000) => {
    const found = messages.find(pred)
    if (found) return Promise.resolve(found)
    return new Promise<Record<string, any>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message in ${ms} ms; got ${JSON.stringify(messages)}`)), ms)
      waiters.push({ pred, resolve: (m) => { clearTimeout(timer); resolve(m) } })
    })
  }
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject) })
  await next((m) => m.type === 'ready')
  return { ws, messages, next }
}

