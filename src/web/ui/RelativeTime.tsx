import { useTranslation } from 'react-i18next'
import { formatDateTime, formatRelativeTime } from './format'

/** "5 minutes ago", with the exact date and time on hover and for machines. */
export function RelativeTime({ iso, now }: { iso: string; now?: number }) {
  const { i18n } = useTranslation()
  return (
    <time dateTime={iso} title={formatDateTime(iso, i18n.language)}>
      {formatRelativeTime(iso, i18n.language, now)}
    </time>
  )
}
