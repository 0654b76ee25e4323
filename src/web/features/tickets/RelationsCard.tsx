import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate } from 'react-router'
import { api } from '../../api/client'
import type { ApiData, ApiItem } from '../../api/schema'
import { Alert } from '../../ui/Alert'
import { Dialog } from '../../ui/Dialog'
import { errorMessage } from '../../ui/errorMessage'
import { StatusPill } from './bits'

/** Linked tickets, and linking or merging from the ticket page (shapes from the OpenAPI document). */

type TicketLink = ApiItem<'/api/v1/tickets/{id}/links'>
type Candidate = ApiItem<'/api/v1/tickets'>
type LinkKind = TicketLink['kind']
interface CurrentTicket {
  id: string
  ticket_number: string
  subject: string
  abilities: { update: boolean }
  merged_into_id: string | null
}

const linksKey = (ticketId: string) => ['tickets', 'links', ticketId] as const

function useLinks(ticketId: string) {
  return useQuery({
    queryKey: linksKey(ticketId),
    queryFn: async ({ signal }) => (await api.get<TicketLink[]>(`/tickets/${encodeURIComponent(ticketId)}/links`, { signal })).data,
  })
}

/** Other tickets matching a search, for picking one to link or merge into. */
function TicketSearch({ exclude, label, onPick }: { exclude: string; label: string; onPick: (ticket: Candidate) => void }) {
  const { t } = useTranslation()
  const id = useId()
  const [q, setQ] = useState('')
  const term = q.trim()
  const results = useQuery({
    queryKey: ['tickets', 'search', 'picker', term],
    queryFn: async ({ signal }) => (await api.get<Candidate[]>(`/tickets?limit=8&q=${encodeURIComponent(term)}`, { signal })).data,
    enabled: term.length >= 2,
    placeholderData: keepPreviousData,
  })
  const found = (results.data ?? []).filter((c) => c.id !== exclude)
  return (
    <div className="ticket-search">
      <div className="field">
        <label htmlFor={`${id}-q`}>{label}</label>
        <input id={`${id}-q`} type="search" value={q} onChange={(e) => setQ(e.target.value)} aria-describedby={`${id}-hint`} autoComplete="off" />
        <p className="field-hint" id={`${id}-hint`}>
          {t('tickets.relations.searchHint')}
        </p>
      </div>
      <div aria-live="polite">
        {term.length >= 2 && results.isSuccess && found.length === 0 ? <p className="muted">{t('tickets.relations.noMatches')}</p> : null}
        {results.isError ? <Alert>{errorMessage(results.error, t)}</Alert> : null}
      </div>
      {term.length >= 2 && found.length > 0 ? (
        <ul className="ticket-search-results" aria-label={t('tickets.relations.results')}>
          {found.map((c) => (
            <li key={c.id}>
              <button type="button" className="btn ticket-search-pick" onClick={() => onPick(c)}>
                <span className="ticket-search-number">{c.ticket_number}</span> <span>{c.subject}</span> <StatusPill status={c.status} />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}

/** The right column's "Linked tickets" card, with Link and Merge for those who may edit the ticket. */
export function RelationsCard({ ticket }: { ticket: CurrentTicket }) {
  const { t } = useTranslation()
  const id = useId()
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const links = useLinks(ticket.id)
  const [dialog, setDialog] = useState<'link' | 'merge' | null>(null)
  const [picked, setPicked] = useState<Candidate | null>(null)
  const [kind, setKind] = useState<LinkKind>('related')
  const canEdit = ticket.abilities.update && !ticket.merged_into_id

  const close = () => {
    setDialog(null)
    setPicked(null)
    setKind('related')
    addLink.reset()
    merge.reset()
  }
  const refresh = () => queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] === 'tickets' })

  const addLink = useMutation({
    mutationFn: async (input: { ticketId: string; kind: LinkKind }) =>
      (await api.post<ApiData<'/api/v1/tickets/{id}/links', 'post'>>(`/tickets/${encodeURIComponent(ticket.id)}/links`, { ticket_id: input.ticketId, kind: input.kind })).data,
    onSuccess: () => {
      close()
      void refresh()
    },
  })
  const removeLink = useMutation({
    mutationFn: async (linkedId: string) =>
      (await api.delete<ApiData<'/api/v1/tickets/{id}/links/{linked_id}', 'delete'>>(`/tickets/${encodeURIComponent(ticket.id)}/links/${encodeURIComponent(linkedId)}`)).data,
    onSettled: () => void refresh(),
  })
  const merge = useMutation({
    mutationFn: async (targetId: string) =>
      (await api.post<ApiData<'/api/v1/tickets/{id}/merge', 'post'>>(`/tickets/${encodeURIComponent(targetId)}/merge`, { source_ids: [ticket.id] })).data,
    onSuccess: (_result, targetId) => {
      close()
      void refresh()
      void navigate(`/tickets/${targetId}`)
    },
  })

  return (
    <aside className="card relations-card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{t('tickets.relations.heading')}</h2>
      {links.isError ? <Alert>{errorMessage(links.error, t)}</Alert> : null}
      {links.data && links.data.length === 0 ? <p className="muted">{t('tickets.relations.none')}</p> : null}
      {links.data && links.data.length > 0 ? (
        <ul className="relations-list">
          {links.data.map((link) => (
            <li key={link.ticket.id}>
              <span className="badge">{link.kind === 'duplicate' ? t('tickets.relations.kindDuplicate') : t('tickets.relations.kindRelated')}</span>{' '}
              <Link to={`/tickets/${link.ticket.id}`}>
                {link.ticket.ticket_number} {link.ticket.subject}
              </Link>{' '}
              <StatusPill status={link.ticket.status} />
              {canEdit ? (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => removeLink.mutate(link.ticket.id)}
                  disabled={removeLink.isPending}
                  aria-label={t('tickets.relations.unlinkNamed', { number: link.ticket.ticket_number })}
                >
                  {t('tickets.relations.unlink')}
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {removeLink.isError ? <Alert>{errorMessage(removeLink.error, t)}</Alert> : null}
      {canEdit ? (
        <div className="actions">
          <button type="button" className="btn" onClick={() => setDialog('link')}>
            {t('tickets.relations.link')}
          </button>
          <button type="button" className="btn" onClick={() => setDialog('merge')}>
            {t('tickets.relations.merge')}
          </button>
        </div>
      ) : null}

      <Dialog open={dialog === 'link'} title={t('tickets.relations.linkTitle', { number: ticket.ticket_number })} onClose={close}>
        {picked ? (
          <form
            className="dialog-body"
            onSubmit={(event) => {
              event.preventDefault()
              addLink.mutate({ ticketId: picked.id, kind })
            }}
          >
            <p>
              <strong>{picked.ticket_number}</strong> {picked.subject}
            </p>
            <fieldset className="segmented">
              <legend>{t('tickets.relations.kind')}</legend>
              {(['related', 'duplicate'] as const).map((k) => (
                <label key={k}>
                  <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
                  <span>{k === 'duplicate' ? t('tickets.relations.kindDuplicate') : t('tickets.relations.kindRelated')}</span>
                </label>
              ))}
            </fieldset>
            {addLink.isError ? <Alert>{errorMessage(addLink.error, t)}</Alert> : null}
            <div className="actions">
              <button type="button" className="btn" onClick={() => setPicked(null)}>
                {t('tickets.relations.back')}
              </button>
              <button type="submit" className="btn btn-primary" disabled={addLink.isPending}>
                {addLink.isPending ? t('tickets.relations.linking') : t('tickets.relations.confirmLink')}
              </button>
            </div>
          </form>
        ) : (
          <div className="dialog-body">
            <TicketSearch exclude={ticket.id} label={t('tickets.relations.findLink')} onPick={setPicked} />
            <div className="actions">
              <button type="button" className="btn" onClick={close}>
                {t('common.cancel')}
              </button>
            </div>
          </div>
        )}
      </Dialog>

      <Dialog open={dialog === 'merge'} title={t('tickets.relations.mergeTitle', { number: ticket.ticket_number })} onClose={close}>
        {picked ? (
          <div className="dialog-body">
            <p>{t('tickets.relations.mergeExplain', { source: ticket.ticket_number, target: picked.ticket_number })}</p>
            <p>
              <strong>{picked.ticket_number}</strong> {picked.subject}
            </p>
            {merge.isError ? <Alert>{errorMessage(merge.error, t)}</Alert> : null}
            <div className="actions">
              <button type="button" className="btn" onClick={() => setPicked(null)}>
                {t('tickets.relations.back')}
              </button>
              <button type="button" className="btn btn-danger" onClick={() => merge.mutate(picked.id)} disabled={merge.isPending}>
                {merge.isPending ? t('tickets.relations.merging') : t('tickets.relations.confirmMerge', { number: picked.ticket_number })}
              </button>
            </div>
          </div>
        ) : (
          <div className="dialog-body">
            <TicketSearch exclude={ticket.id} label={t('tickets.relations.findMerge')} onPick={setPicked} />
            <div className="actions">
              <button type="button" className="btn" onClick={close}>
                {t('common.cancel')}
              </button>
            </div>
          </div>
        )}
      </Dialog>
    </aside>
  )
}
