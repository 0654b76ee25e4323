import type { UseQueryResult } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { Alert } from '../../ui/Alert'
import { errorMessage } from '../../ui/errorMessage'
import { Loading } from '../../ui/Spinner'
import { isMissing } from './api'

interface RecordFrameProps<T> {
  query: UseQueryResult<T>
  /** Where "back" goes (the list) and what it says. */
  back: { to: string; label: string }
  notFound: string
  children: (record: T) => ReactNode
}

/** A contact's or company's page: the way back to the list, then loading, not found, an error with retry, or the record. */
export function RecordFrame<T>({ query, back, notFound, children }: RecordFrameProps<T>) {
  const { t } = useTranslation()
  const backLink = (
    <p className="back-link">
      <Link to={back.to}>
        <span aria-hidden="true">← </span>
        {back.label}
      </Link>
    </p>
  )
  if (query.isPending) return <Loading />
  if (query.isError) {
    return (
      <div className="crm-page">
        {backLink}
        <Alert>
          <p>{isMissing(query.error) ? notFound : errorMessage(query.error, t)}</p>
          {!isMissing(query.error) ? (
            <button type="button" className="btn" onClick={() => void query.refetch()}>
              {t('common.tryAgain')}
            </button>
          ) : null}
        </Alert>
      </div>
    )
  }
  return (
    <div className="crm-page">
      {backLink}
      {children(query.data)}
    </div>
  )
}
