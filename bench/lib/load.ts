/**
 * One measured HTTP load: autocannon used programmatically (loopback only, bounded in duration and
 * connections), an unmeasured warm-up first, the server's RSS sampled during the measured part.
 */
import autocannon from 'autocannon'
import { RssSampler } from './server.js'

export interface Latency {
  p50: number
  p95: number
  p99: number
  max: number
  mean: number
}

export interface Measurement {
  /** Completed responses (any status). */
  requests: number
  seconds: number
  /** Responses per second (rows per second for the insert reference). */
  rps: number
  /** Milliseconds, over successful (2xx) responses. */
  latency: Latency
  /** Connection errors + timeouts + non-2xx responses + failed items inside 2xx answers (bulk). */
  errors: number
  detail: {
    connectionErrors: number
    timeouts: number
    non2xx: number
    itemErrors: number
    statusCodes: Record<string, number>
  }
  /** A few response bodies of failures, to see what went wrong. */
  errorSamples: string[]
  peakRssMb: number | null
}

/** Exact percentiles of a sample (nearest rank). */
export function summarize(samples: number[]): Latency {
  if (!samples.length) return { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 }
  const sorted = Float64Array.from(samples).sort()
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
  const sum = sorted.reduce((a, b) => a + b, 0)
  return { p50: at(50), p95: at(95), p99: at(99), max: sorted[sorted.length - 1]!, mean: sum / sorted.length }
}

export interface HttpLoad {
  origin: string
  duration: number
  warmup: number
  connections: number
  headers: Record<string, string>
  requests: autocannon.Request[]
  /** Failed items inside a 2xx body (the bulk answer's `failed`); counted as errors. */
  itemErrors?: (status: number, body: string) => number
  /** The server process whose RSS is sampled. */
  pid: number | null
}

const MAX_SAMPLES = 5

/**
 * One autocannon run of warm-up + duration seconds; only what completes after the warm-up is
 * counted. (Two separate runs would leave the warm-up's unfinished requests running on the server
 * into the measured one.) Status codes, errors, timeouts and latencies are counted here from
 * autocannon's events, so they cover exactly the measured window.
 */
export async function measureHttp(load: HttpLoad): Promise<Measurement> {
  const url = new URL(load.origin)
  if (url.hostname !== '127.0.0.1') throw new Error(`refusing to load anything but 127.0.0.1 (got ${url.hostname})`)
  let measuring = false
  let measureStart = 0
  let itemErrors = 0
  let connectionErrors = 0
  let timeouts = 0
  let non2xx = 0
  let responses = 0
  const statusCodes: Record<string, number> = {}
  const latencies: number[] = []
  const errorSamples: string[] = []
  const sampler = load.pid ? new RssSampler(load.pid) : null

  const requests = load.requests.map((r): autocannon.Request => ({
    ...r,
    onResponse: (status: number, body: string) => {
      if (!measuring) return
      const failed = status >= 200 && status < 300 ? (load.itemErrors?.(status, body) ?? 0) : 0
      itemErrors += failed
      if ((status < 200 || status >= 300 || failed) && errorSamples.length < MAX_SAMPLES) errorSamples.push(`${status} ${body.slice(0, 300)}`)
    },
  }))
  const opts: autocannon.Options = {
    url: load.origin,
    connections: load.connections,
    pipelining: 1,
    timeout: 10,
    headers: load.headers,
    requests,
    duration: load.warmup + load.duration,
  }
  const seconds = await new Promise<number>((resolve, reject) => {
    let warmupTimer: NodeJS.Timeout | undefined
    const instance = autocannon(opts, (err: Error | null) => {
      clearTimeout(warmupTimer)
      const end = Date.now()
      measuring = false
      if (err) reject(err)
      else resolve(measureStart ? (end - measureStart) / 1000 : 0)
    })
    instance.on('start', () => {
      const begin = () => {
        measuring = true
        measureStart = Date.now()
        sampler?.start()
      }
      if (load.warmup > 0) warmupTimer = setTimeout(begin, load.warmup * 1000)
      else begin()
    })
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (!measuring) return
      responses++
      statusCodes[status] = (statusCodes[status] ?? 0) + 1
      if (status >= 200 && status < 300) latencies.push(ms)
      else non2xx++
    })
    instance.on('reqError', (error: unknown) => {
      if (!measuring) return
      if (error instanceof Error && /timed out/.test(error.message)) timeouts++
      else connectionErrors++
      if (errorSamples.length < MAX_SAMPLES) errorSamples.push(String(error))
    })
  })
  const peakRssMb = sampler ? sampler.stop() : null
  return {
    requests: responses,
    seconds,
    rps: seconds > 0 ? responses / seconds : 0,
    latency: summarize(latencies),
    errors: connectionErrors + timeouts + non2xx + itemErrors,
    detail: { connectionErrors, timeouts, non2xx, itemErrors, statusCodes },
    errorSamples,
    peakRssMb,
  }
}
