import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useDeferredValue, useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Alert } from '../../ui/Alert'
import { Dialog } from '../../ui/Dialog'
import { errorMessage } from '../../ui/errorMessage'
import { Loading } from '../../ui/Spinner'
import { companiesApi, companyKeys, useCompanies, type Company, type CompanyMergeResult } from './api'

/**
 * Merge other companies into this one: find them by name, see what comes along (their domains,
 * contacts, open tickets) and what this company will look like, then confirm. This company
 * survives; the others are gone afterwards.
 */
export function MergeCompaniesDialog({ open, company, onClose, onMerged }: {
  open: boolean
  company: Company
  onClose: () => void
  onMerged: (result: CompanyMergeResult) => void
}) {
  const { t } = useTranslation()
  const id = useId()
  const queryClient = useQueryClient()
  const [step, setStep] = useState<'choose' | 'preview'>('choose')
  const [selected, setSelected] = useState<Company[]>([])
  const [search, setSearch] = useState('')
  const q = useDeferredValue(search.trim())
  const found = useCompanies({ q: q || undefined, sort: 'name', limit: 20 }, open)
  const candidates = (found.data?.data ?? []).filter((c) => c.id !== company.id)

  const reset = () => {
    setStep('choose')
    setSelected([])
    setSearch('')
  }
  const merge = useMutation({
    mutationFn: () => companiesApi.merge(company.id, selected.map((c) => c.id)),
    onSuccess: async (result) => {
      queryClient.setQueryData(companyKeys.detail(result.company.id), result.company)
      for (const merged of result.merged_ids) queryClient.removeQueries({ queryKey: companyKeys.detail(merged) })
      await queryClient.invalidateQueries({ queryKey: companyKeys.all })
      await queryClient.invalidateQueries({ queryKey: ['contacts'] })
      reset()
      onMerged(result)
    },
  })

  const toggle = (candidate: Company, on: boolean) =>
    setSelected((s) => (on ? [...s.filter((c) => c.id !== candidate.id), candidate] : s.filter((c) => c.id !== candidate.id)))
  const domains = [...new Set([...company.domains, ...selected.flatMap((c) => c.domains)])]
  const contacts = company.contact_count + selected.reduce((n, c) => n + c.contact_count, 0)
  const openTickets = company.open_ticket_count + selected.reduce((n, c) => n + c.open_ticket_count, 0)

  return (
    <Dialog
      open={open}
      title={t('crm.companyMerge.title', { name: company.name })}
      onClose={() => {
        reset()
        onClose()
      }}
      className="crm-merge-dialog"
    >
      {step === 'choose' ? (
        <div className="dialog-body crm-merge">
          <p>{t('crm.companyMerge.intro', { name: company.name })}</p>
          <div className="field">
            <label htmlFor={`${id}-search`}>{t('crm.companyMerge.find')}</label>
            <input id={`${id}-search`} type="search" autoComplete="off" value={search} onChange={(e) => setSearch(e.target.value)} />
          </div>
          {found.isPending ? (
            <Loading />
          ) : found.isError ? (
            <Alert>{errorMessage(found.error, t)}</Alert>
          ) : candidates.length === 0 ? (
            <p className="muted">{t('crm.companyMerge.noneFound')}</p>
          ) : (
            <ul className="crm-choices" aria-label={t('crm.companyMerge.found')}>
              {candidates.map((candidate) => (
                <li key={candidate.id} className="check">
                  <input
                    id={`${id}-${candidate.id}`}
                    type="checkbox"
                    checked={selected.some((c) => c.id === candidate.id)}
                    onChange={(e) => toggle(candidate, e.target.checked)}
                  />
                  <label htmlFor={`${id}-${candidate.id}`}>
                    <strong>{candidate.name}</strong>
                    <span className="cell-sub">
                      {[candidate.domains.join(', '), t('crm.company.contactsN', { count: candidate.contact_count })].filter(Boolean).join(' · ')}
                    </span>
                  </label>
                </li>
              ))}
            </ul>
          )}
          {selected.length ? <p role="status">{t('crm.merge.selected', { count: selected.length })}</p> : null}
          <div className="actions dialog-actions">
            <button
              type="button"
              className="btn"
              onClick={() => {
                reset()
                onClose()
              }}
            >
              {t('common.cancel')}
            </button>
            <button type="button" className="btn btn-primary" disabled={selected.length === 0} onClick={() => setStep('preview')}>
              {t('crm.merge.preview')}
            </button>
          </div>
        </div>
      ) : (
        <div className="dialog-body crm-merge">
          <p>{t('crm.merge.survivor', { name: company.name })}</p>
          <p>{t('crm.companyMerge.removed')}</p>
          <ul className="crm-plain-list" aria-label={t('crm.merge.removedList')}>
            {selected.map((source) => (
              <li key={source.id}>
                <strong>{source.name}</strong>{' '}
                <span className="muted">
                  {t('crm.companyMerge.brings', { contacts: source.contact_count, tickets: source.open_ticket_count })}
                </span>
              </li>
            ))}
          </ul>
          <h3>{t('crm.merge.result')}</h3>
          <dl className="facts crm-merge-result">
            <div>
              <dt>{t('crm.company.fields.name')}</dt>
              <dd>{company.name}</dd>
            </div>
            <div>
              <dt>{t('crm.company.fields.domains')}</dt>
              <dd>{domains.join(', ') || t('crm.none')}</dd>
            </div>
            <div>
              <dt>{t('crm.company.contactCount')}</dt>
              <dd>{contacts}</dd>
            </div>
            <div>
              <dt>{t('crm.company.openTickets')}</dt>
              <dd>{openTickets}</dd>
            </div>
          </dl>
          <p className="crm-moves">{t('crm.companyMerge.moves')}</p>
          {merge.isError ? <Alert>{errorMessage(merge.error, t)}</Alert> : null}
          <div className="actions dialog-actions">
            <button type="button" className="btn" onClick={() => setStep('choose')} autoFocus>
              {t('crm.merge.back')}
            </button>
            <button type="button" className="btn btn-danger-solid" disabled={merge.isPending} onClick={() => merge.mutate()}>
              {merge.isPending ? t('crm.merge.merging') : t('crm.companyMerge.confirm', { count: selected.length })}
            </button>
          </div>
        </div>
      )}
    </Dialog>
  )
}
