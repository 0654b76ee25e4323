import { useEffect, useState, useSyncExternalStore } from 'react'
import { useTranslation } from 'react-i18next'
import { realtime } from '../../api/realtime'
export { RelativeTime } from '../../ui/RelativeTime'
import type { StatusRef } from './api'
import { priorityLabel, statusLabel } from './text'

/** The current time, ticking every `intervalMs`, so relative times ("5 minutes ago") stay true. */
export function useNow(intervalMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs)
    return () => clearInterval(timer)
  }, [intervalMs])
  return now
}

/** A status in words; the coloured dot only repeats it. */
export function StatusPill({ status }: { status: Pick<StatusRef, 'name' | 'category' | 'color'> }) {
  const { t } = useTranslation()
  return (
    <span className={`status-pill status-cat-${status.category}`}>
      <span className="status-dot" style={{ background: status.color }} aria-hidden="true" />
      {statusLabel(status, t)}
    </span>
  )
}

const PRIORITY_ICONS: Record<string, string> = { urgent: '‼', high: '!', medium: '', low: '' }

/** A priority in words, with a mark for the ones that need attention (not colour alone). */
export function PriorityLabel({ priority }: { priority: string }) {
  const { t } = useTranslation()
  const icon = PRIORITY_ICONS[priority]
  return (
    <span className={`priority priority-${priority}`}>
      {icon ? (
        <span className="priority-icon" aria-hidden="true">
          {icon}
        </span>
      ) : null}
      {priorityLabel(priority, t)}
    </span>
  )
}

/** The state of the live-update connection, as a few words beside a list or ticket. */
export function LiveIndicator() {
  const { t } = useTranslation()
  const status = useSyncExternalStore(realtime.onStatus, realtime.getStatus)
  if (status === 'idle') return null
  return (
    <span className={`live live-${status}`} role="status">
      <span className="live-dot" aria-hidden="true" />
      {status === 'open' ? t('tickets.live.open') : status === 'connecting' ? t('tickets.live.connecting') : t('tickets.live.reconnecting')}
    </span>
  )
}
