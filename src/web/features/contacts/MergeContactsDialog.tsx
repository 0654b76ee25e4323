import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useDeferredValue, useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Alert } from '../../ui/Alert'
import { Dialog } from '../../ui/Dialog'
import { errorMessage } from '../../ui/errorMessage'
import { Loading } from '../../ui/Spinner'
import {
  MERGE_STRATEGIES,
  contactKeys,
  contactsApi,
  useContacts,
  useDuplicates,
  type Contact,
  type DuplicateGroup,
  type MergeResult,
  type MergeStrategy,
} from './api'

interface Candidate {
  id: string
  name: string
  email: string | null
  company: { id: string; name: string } | null
  reason?: DuplicateGroup['reason']
}

/**
 * Merge other contacts into this one: pick them from the likely duplicates (or find them by name
 * or email), see what the merged contact will look like under each strategy and what moves, then
 * confirm. This contact survives; the others are gone afterwards.
 */
export function MergeContactsDialog({ open, contact, onClose, onMerged }: {
  open: boolean
  contact: Contact
  onClose: () => void
  onMerged: (result: MergeResult) => void
}) {
  const { t } = useTranslation()
  const [step, setStep] = useState<'choose' | 'preview'>('choose')
  const [selected, setSelected] = useState<Candidate[]>([])
  const [strategy, setStrategy] = useState<MergeStrategy>('prefer_complete')
  const close = () => {
    setStep('choose')
    setSelected([])
    onClose()
  }

  return (
    <Dialog open={open} title={t('crm.merge.title', { name: contact.name })} onClose={close} className="crm-merge-dialog">
      {step === 'choose' ? (
        <ChooseStep contact={contact} selected={selected} onSelected={setSelected} onCancel={close} onNext={() => setStep('preview')} />
      ) : (
        <PreviewStep
          contact={contact}
          sourceIds={selected.map((c) => c.id)}
          strategy={strategy}
          onStrategy={setStrategy}
          onBack={() => setStep('choose')}
          onMerged={(result) => {
            setStep('choose')
            setSelected([])
            onMerged(result)
          }}
        />
      )}
    </Dialog>
  )
}

function ChooseStep({ contact, selected, onSelected, onCancel, onNext }: {
  contact: Contact
  selected: Candidate[]
  onSelected: (next: Candidate[]) => void
  onCancel: () => void
  onNext: () => void
}) {
  const { t } = useTranslation()
  const id = useId()
  const duplicates = useDuplicates()
  const [search, setSearch] = useState('')
  const q = useDeferredValue(search.trim())
  const found = useContacts({ q: q || undefined, limit: 10, sort: 'name' })

  const likely = new Map<string, Candidate>()
  for (const group of duplicates.data ?? []) {
    if (!group.contacts.some((c) => c.id === contact.id)) continue
    for (const other of group.contacts) {
      if (other.id !== contact.id && !likely.has(other.id)) likely.set(other.id, { ...other, reason: group.reason })
    }
  }
  const searched: Candidate[] = q ? (found.data?.data ?? []).filter((c) => c.id !== contact.id && !likely.has(c.id)) : []
  const isSelected = (candidate: Candidate) => selected.some((c) => c.id === candidate.id)
  const toggle = (candidate: Candidate, on: boolean) =>
    onSelected(on ? [...selected.filter((c) => c.id !== candidate.id), candidate] : selected.filter((c) => c.id !== candidate.id))

  const option = (candidate: Candidate) => (
    <li key={candidate.id} className="check">
      <input id={`${id}-${candidate.id}`} type="checkbox" checked={isSelected(candidate)} onChange={(e) => toggle(candidate, e.target.checked)} />
      <label htmlFor={`${id}-${candidate.id}`}>
        <strong>{candidate.name}</strong>
        <span className="cell-sub">
          {[candidate.email ?? t('crm.contact.noEmail'), candidate.company?.name].filter(Boolean).join(' · ')}
          {candidate.reason ? ` — ${t(`crm.duplicates.reasons.${candidate.reason}`)}` : ''}
        </span>
      </label>
    </li>
  )

  return (
    <div className="dialog-body crm-merge">
      <p>{t('crm.merge.intro', { name: contact.name })}</p>
      <fieldset>
        <legend>{t('crm.merge.likely')}</legend>
        {duplicates.isPending ? (
          <Loading />
        ) : duplicates.isError ? (
          <Alert>{errorMessage(duplicates.error, t)}</Alert>
        ) : likely.size === 0 ? (
          <p className="muted">{t('crm.merge.noLikely')}</p>
        ) : (
          <ul className="crm-choices">{[...likely.values()].map(option)}</ul>
        )}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-search`}>{t('crm.merge.find')}</label>
        <input id={`${id}-search`} type="search" autoComplete="off" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      {q ? (
        found.isPending ? (
          <Loading />
        ) : searched.length === 0 ? (
          <p className="muted">{t('crm.merge.noneFound')}</p>
        ) : (
          <ul className="crm-choices" aria-label={t('crm.merge.found')}>
            {searched.map(option)}
          </ul>
        )
      ) : null}
      {selected.length ? <p role="status">{t('crm.merge.selected', { count: selected.length })}</p> : null}
      <div className="actions dialog-actions">
        <button type="button" className="btn" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="button" className="btn btn-primary" disabled={selected.length === 0} onClick={onNext}>
          {t('crm.merge.preview')}
        </button>
      </div>
    </div>
  )
}

function PreviewStep({ contact, sourceIds, strategy, onStrategy, onBack, onMerged }: {
  contact: Contact
  sourceIds: string[]
  strategy: MergeStrategy
  onStrategy: (strategy: MergeStrategy) => void
  onBack: () => void
  onMerged: (result: MergeResult) => void
}) {
  const { t } = useTranslation()
  const id = useId()
  const queryClient = useQueryClient()
  const preview = useQuery({
    queryKey: contactKeys.preview(contact.id, sourceIds),
    queryFn: ({ signal }) => contactsApi.mergePreview(contact.id, sourceIds, signal),
    retry: false,
  })
  const merge = useMutation({
    mutationFn: () => contactsApi.merge(contact.id, sourceIds, strategy),
    onSuccess: async (result) => {
      queryClient.setQueryData(contactKeys.detail(result.contact.id), result.contact)
      for (const merged of result.merged_ids) queryClient.removeQueries({ queryKey: contactKeys.detail(merged) })
      await queryClient.invalidateQueries({ queryKey: contactKeys.all })
      await queryClient.invalidateQueries({ queryKey: ['companies'] })
      onMerged(result)
    },
  })

  if (preview.isPending) return <Loading />
  if (preview.isError) {
    return (
      <div className="dialog-body">
        <Alert>{errorMessage(preview.error, t)}</Alert>
        <div className="actions dialog-actions">
          <button type="button" className="btn" onClick={onBack}>
            {t('crm.merge.back')}
          </button>
        </div>
      </div>
    )
  }
  const { sources, results, moves } = preview.data
  const result = results[strategy]
  const companyName = (companyId: string | null) =>
    companyId === null
      ? t('crm.none')
      : [contact, ...sources].find((c) => c.company?.id === companyId)?.company?.name ?? t('crm.merge.otherCompany')
  const yesNo = (value: boolean) => (value ? t('crm.yes') : t('crm.no'))
  const rows: [string, string][] = [
    [t('crm.contact.fields.name'), result.name],
    [t('crm.contact.fields.email'), result.email ?? t('crm.none')],
    [t('crm.contact.fields.phones'), result.phones.map((p) => p.number).join(', ') || t('crm.none')],
    [t('crm.contact.fields.company'), companyName(result.company_id)],
    [t('crm.contact.fields.timeZone'), result.time_zone ?? t('crm.none')],
    [t('crm.contact.fields.language'), result.language ?? t('crm.none')],
    [t('crm.fields.tags'), result.tags.join(', ') || t('crm.none')],
    [t('crm.contact.fields.vip'), yesNo(result.is_vip)],
    [t('crm.contact.blocked'), yesNo(result.is_blocked)],
    [t('crm.contact.fields.portal'), yesNo(result.user_id !== null)],
  ]

  return (
    <div className="dialog-body crm-merge">
      <p>{t('crm.merge.survivor', { name: contact.name })}</p>
      <p>{t('crm.merge.removed')}</p>
      <ul className="crm-plain-list" aria-label={t('crm.merge.removedList')}>
        {sources.map((source) => (
          <li key={source.id}>
            <strong>{source.name}</strong> <span className="muted">{source.email ?? t('crm.contact.noEmail')}</span>
          </li>
        ))}
      </ul>
      <fieldset className="crm-strategies">
        <legend>{t('crm.merge.strategy')}</legend>
        {MERGE_STRATEGIES.map((s) => (
          <div key={s} className="check">
            <input id={`${id}-${s}`} type="radio" name="strategy" value={s} checked={strategy === s} onChange={() => onStrategy(s)} aria-describedby={`${id}-${s}-hint`} />
            <div>
              <label htmlFor={`${id}-${s}`}>{t(`crm.merge.strategies.${s}.label`)}</label>
              <p className="field-hint" id={`${id}-${s}-hint`}>
                {t(`crm.merge.strategies.${s}.hint`)}
              </p>
            </div>
          </div>
        ))}
      </fieldset>
      <h3>{t('crm.merge.result')}</h3>
      <dl className="facts crm-merge-result">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p className="crm-moves">{t('crm.merge.moves', { tickets: moves.tickets, notes: moves.notes })}</p>
      {merge.isError ? <Alert>{errorMessage(merge.error, t)}</Alert> : null}
      <div className="actions dialog-actions">
        <button type="button" className="btn" onClick={onBack} autoFocus>
          {t('crm.merge.back')}
        </button>
        <button type="button" className="btn btn-danger-solid" disabled={merge.isPending} onClick={() => merge.mutate()}>
          {merge.isPending ? t('crm.merge.merging') : t('crm.merge.confirm', { count: sources.length })}
        </button>
      </div>
    </div>
  )
}
