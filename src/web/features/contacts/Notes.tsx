import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useId, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { useMe } from '../../api/queries'
import { Alert } from '../../ui/Alert'
import { CheckboxField } from '../../ui/CheckboxField'
import { ConfirmDialog } from '../../ui/Dialog'
import { errorMessage } from '../../ui/errorMessage'
import { Loading } from '../../ui/Spinner'
import { TextAreaField } from '../../ui/TextAreaField'
import { RelativeTime } from '../tickets/bits'
import { contactsApi, ownerKeys, useNotes, type Note, type Owner } from './api'
import { LoadError } from '../../ui/LoadError'

/**
 * The notes on a contact or company, pinned first. With contacts:manage one adds notes, pins any,
 * and edits or deletes one's own; without it they are read-only.
 */
export function Notes({ owner, canManage }: { owner: Owner; canManage: boolean }) {
  const { t } = useTranslation()
  const headingId = useId()
  const queryClient = useQueryClient()
  const notes = useNotes(owner)
  const myId = useMe().data?.user.id
  const [body, setBody] = useState('')
  const [pinned, setPinned] = useState(false)
  const [bodyError, setBodyError] = useState<string | null>(null)
  const [toDelete, setToDelete] = useState<Note | null>(null)
  const refresh = () => queryClient.invalidateQueries({ queryKey: ownerKeys.notes(owner) })

  const add = useMutation({
    mutationFn: () => contactsApi.addNote(owner, { body: body.trim(), is_pinned: pinned }),
    onSuccess: async () => {
      setBody('')
      setPinned(false)
      await refresh()
    },
  })
  const remove = useMutation({
    mutationFn: (note: Note) => contactsApi.deleteNote(owner, note.id),
    onSuccess: async () => {
      setToDelete(null)
      await refresh()
    },
  })

  const onAdd = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    if (!body.trim()) {
      setBodyError(t('crm.notes.empty'))
      return
    }
    setBodyError(null)
    add.mutate()
  }

  const list = notes.data?.data ?? []
  return (
    <section className="card crm-notes" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('crm.notes.heading')}</h2>
      {canManage ? (
        <form className="form crm-note-form" onSubmit={onAdd} noValidate>
          <TextAreaField
            label={t('crm.notes.new')}
            name="note"
            rows={3}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            error={bodyError}
            maxLength={20000}
          />
          <CheckboxField label={t('crm.notes.pin')} name="is_pinned" checked={pinned} onChange={(e) => setPinned(e.target.checked)} />
          {add.isError ? <Alert>{errorMessage(add.error, t)}</Alert> : null}
          <div className="actions">
            <button type="submit" className="btn btn-primary" disabled={add.isPending}>
              {add.isPending ? t('crm.notes.adding') : t('crm.notes.add')}
            </button>
          </div>
        </form>
      ) : null}
      {notes.isPending ? (
        <Loading />
      ) : notes.isError ? (
        <LoadError error={notes.error} onRetry={() => void notes.refetch()} />
      ) : list.length === 0 ? (
        <p className="muted">{t('crm.notes.none')}</p>
      ) : (
        <ul className="crm-note-list" aria-label={t('crm.notes.heading')}>
          {list.map((note) => (
            <NoteItem
              key={note.id}
              note={note}
              owner={owner}
              canPin={canManage}
              canChange={canManage && !!myId && note.author?.id === myId}
              onDelete={() => {
                remove.reset()
                setToDelete(note)
              }}
            />
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={toDelete !== null}
        title={t('crm.notes.deleteTitle')}
        confirmLabel={t('crm.notes.delete')}
        pending={remove.isPending}
        error={remove.isError ? errorMessage(remove.error, t) : null}
        onConfirm={() => toDelete && remove.mutate(toDelete)}
        onCancel={() => setToDelete(null)}
      >
        <p>{t('crm.notes.deleteBody')}</p>
      </ConfirmDialog>
    </section>
  )
}

function NoteItem({ note, owner, canPin, canChange, onDelete }: { note: Note; owner: Owner; canPin: boolean; canChange: boolean; onDelete: () => void }) {
  const { t } = useTranslation()
  const queryClient = useQueryClient()
  const [editing, setEditing] = useState(false)
  const [draft, setDraft] = useState(note.body)
  const update = useMutation({
    mutationFn: (input: { body?: string; is_pinned?: boolean }) => contactsApi.updateNote(owner, note.id, input),
    onSuccess: async () => {
      setEditing(false)
      await queryClient.invalidateQueries({ queryKey: ownerKeys.notes(owner) })
    },
  })
  const author = note.author?.name ?? t('crm.notes.unknownAuthor')

  return (
    <li className={note.is_pinned ? 'crm-note is-pinned' : 'crm-note'}>
      <p className="crm-note-meta">
        {note.is_pinned ? <span className="badge">{t('crm.notes.pinned')}</span> : null} <strong>{author}</strong> ·{' '}
        <RelativeTime iso={note.created_at} />
        {note.updated_at !== note.created_at ? <span className="muted"> · {t('crm.notes.edited')}</span> : null}
      </p>
      {editing ? (
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault()
            if (draft.trim()) update.mutate({ body: draft.trim() })
          }}
        >
          <TextAreaField
            label={t('crm.notes.editLabel')}
            name="note-edit"
            rows={3}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            error={draft.trim() ? null : t('crm.notes.empty')}
          />
          <div className="actions">
            <button type="submit" className="btn btn-primary btn-small" disabled={update.isPending || !draft.trim()}>
              {t('crm.form.save')}
            </button>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => {
                setDraft(note.body)
                setEditing(false)
              }}
            >
              {t('common.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <p className="crm-note-body">{note.body}</p>
      )}
      {update.isError ? <Alert>{errorMessage(update.error, t)}</Alert> : null}
      {!editing && (canPin || canChange) ? (
        <div className="actions">
          {canPin ? (
            <button type="button" className="btn btn-small" disabled={update.isPending} onClick={() => update.mutate({ is_pinned: !note.is_pinned })}>
              {note.is_pinned ? t('crm.notes.unpin') : t('crm.notes.pinAction')}
            </button>
          ) : null}
          {canChange ? (
            <>
              <button type="button" className="btn btn-small" onClick={() => setEditing(true)}>
                {t('crm.notes.edit')}
              </button>
              <button type="button" className="btn btn-small btn-danger" onClick={onDelete}>
                {t('crm.notes.delete')}
              </button>
            </>
          ) : null}
        </div>
      ) : null}
    </li>
  )
}
