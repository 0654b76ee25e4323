import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useId, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { useMe } from '../../api/queries'
import { Alert } from '../../ui/Alert'
import { errorMessage } from '../../ui/errorMessage'
import { formatDateTime } from '../../ui/format'
import {
  PRIORITIES,
  isPriority,
  ticketsApi,
  useStaff,
  useStatuses,
  useTeams,
  type Assignment,
  type NewTicket,
  type TicketChanges,
  type TicketDetail,
} from './api'
import { CustomFieldInput, useTicketFields } from './CustomFieldInputs'
import { ticketKeys } from './shared'
import { priorityLabel, statusLabel } from './text'

type Field = 'status' | 'priority' | 'assignee' | 'team' | 'tags' | `custom_fields.${string}`
type Change = { field: Field; changes: TicketChanges } | { field: Field; assignment: Assignment }

/**
 * The ticket's properties, each saved as soon as it changes (PATCH for status, priority and tags;
 * assign for assignee and team), with what happened announced once.
 */
export function PropertiesPanel({ ticket }: { ticket: TicketDetail }) {
  const { t, i18n } = useTranslation()
  const queryClient = useQueryClient()
  const id = useId()
  const me = useMe()
  const statuses = useStatuses()
  const teams = useTeams()
  const staff = useStaff()
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null)
  const [newTag, setNewTag] = useState('')
  const canUpdate = ticket.abilities.update
  const canAssign = ticket.abilities.assign
  const myId = me.data?.user.id

  const fields = useTicketFields()
  const fieldName = (field: Field) =>
    field.startsWith('custom_fields.')
      ? (fields.data?.find((f) => `custom_fields.${f.key}` === field)?.label ?? field)
      : t(`tickets.ticket.${field as 'status' | 'priority' | 'assignee' | 'team' | 'tags'}`)

  const save = useMutation({
    mutationFn: (change: Change) =>
      'changes' in change ? ticketsApi.update(ticket.id, change.changes) : ticketsApi.assign(ticket.id, change.assignment),
    onMutate: () => setNotice(null),
    onSuccess: (updated, change) => {
      queryClient.setQueryData(ticketKeys.detail(ticket.id), updated)
      setNotice({ tone: 'success', text: t('tickets.ticket.saved', { field: fieldName(change.field) }) })
      if (change.field === 'tags') setNewTag('')
      void queryClient.invalidateQueries({
        predicate: (query) => {
          const [root, kind, ticketId] = query.queryKey
          return root === 'tickets' && ((kind === 'history' && ticketId === ticket.id) || kind === 'list' || kind === 'search' || kind === 'views')
        },
      })
    },
    onError: (error, change) => {
      setNotice({ tone: 'error', text: t('tickets.ticket.saveFailed', { field: fieldName(change.field), error: errorMessage(error, t) }) })
      // What the server has now (someone else may have changed it meanwhile).
      void queryClient.invalidateQueries({ queryKey: ticketKeys.detail(ticket.id) })
    },
  })
  const busy = (field: Field) => save.isPending && save.variables?.field === field

  // A status can move to the ones its transitions allow (none listed: any), and stay as it is.
  const current = statuses.data?.find((s) => s.id === ticket.status.id)
  const statusOptions = (statuses.data ?? []).filter(
    (s) =>
      s.id === ticket.status.id ||
      (s.is_active !== false && (!current?.transitions?.length || current.transitions.includes(s.id))),
  )
  if (!statusOptions.some((s) => s.id === ticket.status.id)) statusOptions.unshift({ ...ticket.status, position: -1 })

  const people = staff.data ?? []
  const assigneeKnown = !ticket.assignee || people.some((p) => p.id === ticket.assignee!.id)
  const teamList = teams.data ?? []
  const teamKnown = !ticket.team || teamList.some((tm) => tm.id === ticket.team!.id)

  const addTag = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const tag = newTag.trim().toLowerCase()
    if (!tag || ticket.tags.includes(tag)) {
      setNewTag('')
      return
    }
    save.mutate({ field: 'tags', changes: { tags: [...ticket.tags, tag] } })
  }

  return (
    <section className="card ticket-props" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{t('tickets.ticket.properties')}</h2>
      <div aria-live="polite" className="props-notice">
        {notice ? <Alert tone={notice.tone}>{notice.text}</Alert> : null}
      </div>

      <div className="field">
        <label htmlFor={`${id}-status`}>{t('tickets.ticket.status')}</label>
        <select
          id={`${id}-status`}
          value={ticket.status.id}
          disabled={!canUpdate || busy('status')}
          onChange={(e) => save.mutate({ field: 'status', changes: { status_id: e.target.value } })}
        >
          {statusOptions.map((s) => (
            <option key={s.id} value={s.id}>
              {statusLabel(s, t)}
            </option>
          ))}
        </select>
      </div>

      <div className="field">
        <label htmlFor={`${id}-priority`}>{t('tickets.ticket.priority')}</label>
        <select
          id={`${id}-priority`}
          value={ticket.priority}
          disabled={!canUpdate || busy('priority')}
          onChange={(e) => {
            const priority = e.target.value
            if (isPriority(priority)) save.mutate({ field: 'priority', changes: { priority } })
          }}
        >
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {priorityLabel(p, t)}
            </option>
          ))}
        </select>
      </div>

      <div className="field">
        <label htmlFor={`${id}-assignee`}>{t('tickets.ticket.assignee')}</label>
        <select
          id={`${id}-assignee`}
          value={ticket.assignee?.id ?? ''}
          disabled={!canAssign || busy('assignee')}
          onChange={(e) => save.mutate({ field: 'assignee', assignment: { assignee_id: e.target.value || null } })}
        >
          <option value="">{t('tickets.ticket.unassigned')}</option>
          {!assigneeKnown && ticket.assignee ? <option value={ticket.assignee.id}>{ticket.assignee.name}</option> : null}
          {people.map((person) => (
            <option key={person.id} value={person.id}>
              {person.id === myId ? t('tickets.ticket.meName', { name: person.name }) : person.name}
            </option>
          ))}
        </select>
        {canAssign && myId && ticket.assignee?.id !== myId ? (
          <button
            type="button"
            className="btn btn-small props-take"
            disabled={busy('assignee')}
            onClick={() => save.mutate({ field: 'assignee', assignment: { assignee_id: myId } })}
          >
            {t('tickets.ticket.assignToMe')}
          </button>
        ) : null}
      </div>

      <div className="field">
        <label htmlFor={`${id}-team`}>{t('tickets.ticket.team')}</label>
        <select
          id={`${id}-team`}
          value={ticket.team?.id ?? ''}
          disabled={!canAssign || busy('team')}
          onChange={(e) => save.mutate({ field: 'team', assignment: { team_id: e.target.value || null } })}
        >
          <option value="">{t('tickets.ticket.noTeam')}</option>
          {!teamKnown && ticket.team ? <option value={ticket.team.id}>{ticket.team.name}</option> : null}
          {teamList.map((tm) => (
            <option key={tm.id} value={tm.id}>
              {tm.name}
            </option>
          ))}
        </select>
      </div>

      <div className="field tags-field" role="group" aria-labelledby={`${id}-tags`}>
        <span className="field-label" id={`${id}-tags`}>
          {t('tickets.ticket.tags')}
        </span>
        {ticket.tags.length ? (
          <ul className="tags">
            {ticket.tags.map((tag) => (
              <li key={tag} className="tag">
                <span>{tag}</span>
                {canUpdate ? (
                  <button
                    type="button"
                    className="tag-remove"
                    disabled={busy('tags')}
                    aria-label={t('tickets.ticket.removeTag', { tag })}
                    onClick={() => save.mutate({ field: 'tags', changes: { tags: ticket.tags.filter((x) => x !== tag) } })}
                  >
                    <span aria-hidden="true">×</span>
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t('tickets.ticket.noTags')}</p>
        )}
        {canUpdate ? (
          <form className="tag-form" onSubmit={addTag}>
            <label htmlFor={`${id}-new-tag`} className="visually-hidden">
              {t('tickets.ticket.addTag')}
            </label>
            <input
              id={`${id}-new-tag`}
              value={newTag}
              maxLength={50}
              placeholder={t('tickets.ticket.addTag')}
              onChange={(e) => setNewTag(e.target.value)}
            />
            <button type="submit" className="btn btn-small" disabled={busy('tags')}>
              {t('tickets.ticket.addTagButton')}
            </button>
          </form>
        ) : null}
      </div>

      {(fields.data ?? []).map((field) => (
        <CustomFieldInput
          key={field.id}
          field={field}
          idPrefix={id}
          value={ticket.custom_fields[field.key]}
          disabled={!canUpdate || busy(`custom_fields.${field.key}`)}
          onSave={(value) => save.mutate({ field: `custom_fields.${field.key}`, changes: { custom_fields: { [field.key]: value } } })}
        />
      ))}

      <dl className="facts props-facts">
        {ticket.due_at ? (
          <div>
            <dt>{t('tickets.ticket.due')}</dt>
            <dd>{formatDateTime(ticket.due_at, i18n.language)}</dd>
          </div>
        ) : null}
        {ticket.category ? (
          <div>
            <dt>{t('tickets.ticket.category')}</dt>
            <dd>{ticket.category.name}</dd>
          </div>
        ) : null}
        <div>
          <dt>{t('tickets.ticket.source')}</dt>
          <dd>{t(`tickets.sources.${isSource(ticket.source) ? ticket.source : 'other'}`)}</dd>
        </div>
      </dl>
    </section>
  )
}

/** The channels a ticket can come from (the server answers any string for older or imported data). */
type Source = NonNullable<NewTicket['source']>
const SOURCES: readonly Source[] = ['email', 'web_form', 'chat', 'phone', 'social_media', 'api', 'internal']
const isSource = (value: string): value is Source => (SOURCES as readonly string[]).includes(value)
