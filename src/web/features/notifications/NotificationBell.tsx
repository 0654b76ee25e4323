import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useId, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate } from 'react-router'
import { realtime } from '../../api/realtime'
import { formatRelativeTime } from '../../ui/format'
import { notificationKeys, useMarkAllRead, useMarkRead, useRecentNotifications, useUnreadCount, type Notification } from './api'

function BellIcon() {
  return (
    <svg aria-hidden="true" width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
      <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
    </svg>
  )
}

/**
 * The header's bell for staff: a badge with the unread count, kept live by the realtime socket,
 * and a panel of recent mentions and assignments. Opening one marks it read and goes to its ticket.
 */
export function NotificationBell() {
  const { t, i18n } = useTranslation()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const [open, setOpen] = useState(false)
  const count = useUnreadCount(true)
  const recent = useRecentNotifications(open)
  const markRead = useMarkRead()
  const markAll = useMarkAllRead()
  const panelId = useId()
  const rootRef = useRef<HTMLDivElement>(null)
  const buttonRef = useRef<HTMLButtonElement>(null)

  useEffect(
    () =>
      realtime.subscribe((message) => {
        if (message.type === 'notification' || message.type === 'resync') void queryClient.invalidateQueries({ queryKey: notificationKeys.all })
      }),
    [queryClient],
  )

  useEffect(() => {
    if (!open) return
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return
      setOpen(false)
      buttonRef.current?.focus()
    }
    const onPointer = (event: PointerEvent) => {
      if (rootRef.current && !rootRef.current.contains(event.target as Node)) setOpen(false)
    }
    document.addEventListener('keydown', onKey)
    document.addEventListener('pointerdown', onPointer)
    return () => {
      document.removeEventListener('keydown', onKey)
      document.removeEventListener('pointerdown', onPointer)
    }
  }, [open])

  const unread = count.data ?? 0
  const label = unread > 0 ? t('notifications.buttonUnread', { count: unread }) : t('notifications.button')

  const openOne = (n: Notification) => {
    if (!n.read_at) markRead.mutate(n.id)
    setOpen(false)
    void navigate(`/tickets/${n.ticket.id}${n.comment_id ? `#comment-${n.comment_id}` : ''}`)
  }

  const describe = (n: Notification) => {
    const who = n.actor?.name ?? t('notifications.someone')
    const ticket = n.ticket.ticket_number
    return n.kind === 'mention' ? t('notifications.mentioned', { who, ticket }) : t('notifications.assigned', { who, ticket })
  }

  return (
    <div className="bell" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="btn bell-button"
        aria-label={label}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((v) => !v)}
      >
        <BellIcon />
        {unread > 0 ? (
          <span className="bell-badge" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        ) : null}
      </button>
      {open ? (
        <section className="bell-panel card" id={panelId} aria-label={t('notifications.title')}>
          <header className="bell-panel-head">
            <h2>{t('notifications.title')}</h2>
            <button type="button" className="btn btn-small" onClick={() => markAll.mutate()} disabled={unread === 0 || markAll.isPending}>
              {t('notifications.markAll')}
            </button>
          </header>
          {recent.isPending ? <p className="muted">{t('common.loading')}</p> : null}
          {recent.isError ? <p role="alert">{t('notifications.loadFailed')}</p> : null}
          {recent.data && recent.data.length === 0 ? <p className="muted">{t('notifications.empty')}</p> : null}
          {recent.data && recent.data.length > 0 ? (
            <ul className="bell-list">
              {recent.data.map((n) => (
                <li key={n.id} className={n.read_at ? 'bell-item' : 'bell-item bell-unread'}>
                  <button type="button" className="bell-link" onClick={() => openOne(n)}>
                    <span className="bell-line">
                      {n.read_at ? null : <span className="bell-dot" aria-hidden="true" />}
                      {n.read_at ? null : <span className="visually-hidden">{t('notifications.unread')}: </span>}
                      <strong>{describe(n)}</strong>
                    </span>
                    <span className="bell-subject">{n.ticket.subject}</span>
                    {n.excerpt ? <span className="bell-excerpt">{n.excerpt}</span> : null}
                    <time className="muted" dateTime={n.created_at}>
                      {formatRelativeTime(n.created_at, i18n.language)}
                    </time>
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </section>
      ) : null}
    </div>
  )
}
