import { useMutation, useQueryClient } from '@tanstack/react-query'
import type { TFunction } from 'i18next'
import { useId, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useParams } from 'react-router'
import { useCan } from '../../app/permissions'
import { Alert } from '../../ui/Alert'
import { ConfirmDialog } from '../../ui/Dialog'
import { errorMessage } from '../../ui/errorMessage'
import { formatDateTime } from '../../ui/format'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import { contactKeys, contactsApi, useContact, type Contact } from './api'
import { ContactForm } from './ContactForm'
import { ContactBadges, type ContactsFlash } from './ContactsListPage'
import { MergeContactsDialog } from './MergeContactsDialog'
import { Notes } from './Notes'
import { RelatedTickets } from './RelatedTickets'
import { RecordFrame } from './RecordFrame'
import { Timeline } from './Timeline'

/** /contacts/:id — one contact: details, tickets, activity and notes, and what may be done with it. */
export function ContactPage() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const contact = useContact(id)
  useDocumentTitle(contact.data ? `${contact.data.name} · ${t('crm.contacts.title')}` : t('crm.contacts.title'))

  return (
    <RecordFrame query={contact} back={{ to: '/contacts', label: t('crm.contacts.back') }} notFound={t('crm.contact.notFound')}>
      {(record) => <ContactView key={record.id} contact={record} />}
    </RecordFrame>
  )
}

type Confirm = 'block' | 'unblock' | 'portal' | 'delete' | null

function ContactView({ contact }: { contact: Contact }) {
  const { t, i18n } = useTranslation()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const canManage = useCan('contacts:manage') === true
  const canGrant = useCan('users:manage') === true
  const canReadTickets = useCan('tickets:read') === true
  const headingRef = useRef<HTMLHeadingElement>(null)
  const detailsId = useId()
  const [editing, setEditing] = useState(false)
  const [merging, setMerging] = useState(false)
  const [confirm, setConfirm] = useState<Confirm>(null)
  const [flash, setFlash] = useState<string | null>(null)
  const owner = { kind: 'contacts' as const, id: contact.id }

  const done = (message: string) => {
    setFlash(message)
    headingRef.current?.focus()
  }
  const refresh = async (saved?: Contact) => {
    if (saved) queryClient.setQueryData(contactKeys.detail(saved.id), saved)
    await queryClient.invalidateQueries({ queryKey: contactKeys.all })
  }

  const action = useMutation({
    mutationFn: async (kind: Exclude<Confirm, null>): Promise<Contact | null> => {
      if (kind === 'delete') {
        await contactsApi.remove(contact.id)
        return null
      }
      if (kind === 'portal') return contactsApi.grantPortal(contact.id)
      return contactsApi.update(contact.id, { is_blocked: kind === 'block' })
    },
    onSuccess: async (saved, kind) => {
      setConfirm(null)
      if (kind === 'delete') {
        queryClient.removeQueries({ queryKey: contactKeys.detail(contact.id) })
        await queryClient.invalidateQueries({ queryKey: contactKeys.all })
        const state: ContactsFlash = { flash: t('crm.contact.deleted', { name: contact.name }) }
        await navigate('/contacts', { state })
        return
      }
      await refresh(saved ?? undefined)
      done(kind === 'portal' ? t('crm.contact.portalGranted', { email: contact.email }) : kind === 'block' ? t('crm.contact.blockedDone') : t('crm.contact.unblockedDone'))
    },
  })

  const openConfirm = (kind: Confirm) => {
    action.reset()
    setFlash(null)
    setConfirm(kind)
  }

  const address = ['street', 'postal_code', 'city', 'region', 'country'].map((k) => contact.address[k]).filter(Boolean).join(', ')
  const none = <span className="muted">{t('crm.none')}</span>

  return (
    <>
      <header className="crm-header">
        <div>
          <h1 className="crm-title" ref={headingRef} tabIndex={-1}>
            {contact.name} <ContactBadges vip={contact.is_vip} blocked={contact.is_blocked} portal={contact.has_portal_access} />
          </h1>
          <p className="muted">
            {[contact.email, contact.company?.name].filter(Boolean).join(' · ') || t('crm.contact.noEmail')}
          </p>
        </div>
        {canManage ? (
          <div className="actions crm-actions">
            <button type="button" className="btn" onClick={() => setMerging(true)}>
              {t('crm.merge.open')}
            </button>
            {canGrant && !contact.has_portal_access ? (
              <button type="button" className="btn" onClick={() => openConfirm('portal')}>
                {t('crm.contact.givePortal')}
              </button>
            ) : null}
            <button type="button" className="btn" onClick={() => openConfirm(contact.is_blocked ? 'unblock' : 'block')}>
              {contact.is_blocked ? t('crm.contact.unblock') : t('crm.contact.block')}
            </button>
            <button type="button" className="btn btn-danger" onClick={() => openConfirm('delete')}>
              {t('crm.contact.delete')}
            </button>
          </div>
        ) : null}
      </header>

      <div aria-live="polite">{flash ? <Alert tone="success">{flash}</Alert> : null}</div>
      {contact.is_blocked ? <Alert tone="info">{t('crm.contact.blockedNotice')}</Alert> : null}

      <div className="crm-layout">
        <div className="crm-main">
          <section className="card crm-details" aria-labelledby={detailsId}>
            <div className="crm-card-head">
              <h2 id={detailsId}>{t('crm.details')}</h2>
              {canManage && !editing ? (
                <button type="button" className="btn btn-small" onClick={() => { setFlash(null); setEditing(true) }}>
                  {t('crm.contact.edit')}
                </button>
              ) : null}
            </div>
            {editing ? (
              <ContactForm
                contact={contact}
                onSaved={() => {
                  setEditing(false)
                  done(t('crm.contact.saved'))
                }}
                onCancel={() => setEditing(false)}
              />
            ) : (
              <dl className="facts">
                <div>
                  <dt>{t('crm.contact.fields.email')}</dt>
                  <dd>{contact.email ? <a href={`mailto:${contact.email}`}>{contact.email}</a> : none}</dd>
                </div>
                <div>
                  <dt>{t('crm.contact.fields.phones')}</dt>
                  <dd>
                    {contact.phones.length ? (
                      <ul className="crm-plain-list">
                        {contact.phones.map((phone) => (
                          <li key={`${phone.type}-${phone.number}`}>
                            <a href={`tel:${phone.number.replace(/[^\d+]/g, '')}`}>{phone.number}</a>{' '}
                            <span className="muted">({phoneTypeLabel(phone.type, t)})</span>
                          </li>
                        ))}
                      </ul>
                    ) : (
                      none
                    )}
                  </dd>
                </div>
                <div>
                  <dt>{t('crm.contact.fields.company')}</dt>
                  <dd>{contact.company ? <Link to={`/companies/${contact.company.id}`}>{contact.company.name}</Link> : none}</dd>
                </div>
                <div>
                  <dt>{t('crm.contact.fields.timeZone')}</dt>
                  <dd>{contact.time_zone ?? none}</dd>
                </div>
                <div>
                  <dt>{t('crm.contact.fields.language')}</dt>
                  <dd>{contact.language ?? none}</dd>
                </div>
                <div>
                  <dt>{t('crm.contact.fields.address')}</dt>
                  <dd>{address || none}</dd>
                </div>
                <div>
                  <dt>{t('crm.fields.tags')}</dt>
                  <dd>{contact.tags.length ? <TagList tags={contact.tags} /> : none}</dd>
                </div>
                <div>
                  <dt>{t('crm.contact.fields.vip')}</dt>
                  <dd>{contact.is_vip ? t('crm.yes') : t('crm.no')}</dd>
                </div>
                <div>
                  <dt>{t('crm.contact.fields.companyTickets')}</dt>
                  <dd>{contact.can_see_company_tickets ? t('crm.yes') : t('crm.no')}</dd>
                </div>
                <div>
                  <dt>{t('crm.contact.fields.portal')}</dt>
                  <dd>{contact.has_portal_access ? t('crm.yes') : t('crm.no')}</dd>
                </div>
                <div>
                  <dt>{t('crm.contact.fields.added')}</dt>
                  <dd>{formatDateTime(contact.created_at, i18n.language)}</dd>
                </div>
              </dl>
            )}
          </section>
          {canReadTickets ? <RelatedTickets owner={owner} heading={t('crm.tickets.contactHeading')} empty={t('crm.tickets.contactNone')} /> : null}
          <Timeline owner={owner} createdAt={contact.created_at} showTickets={canReadTickets} />
        </div>
        <aside className="crm-side">
          <Notes owner={owner} canManage={canManage} />
        </aside>
      </div>

      {canManage ? (
        <MergeContactsDialog
          open={merging}
          contact={contact}
          onClose={() => setMerging(false)}
          onMerged={(result) => {
            setMerging(false)
            done(t('crm.merge.done', { count: result.merged_ids.length, tickets: result.moved.tickets, notes: result.moved.notes }))
            if (result.contact.id !== contact.id) void navigate(`/contacts/${result.contact.id}`)
          }}
        />
      ) : null}

      <ConfirmDialog
        open={confirm !== null}
        title={
          confirm === 'block'
            ? t('crm.contact.blockTitle')
            : confirm === 'unblock'
              ? t('crm.contact.unblockTitle')
              : confirm === 'portal'
                ? t('crm.contact.portalTitle')
                : t('crm.contact.deleteTitle')
        }
        confirmLabel={
          confirm === 'block'
            ? t('crm.contact.block')
            : confirm === 'unblock'
              ? t('crm.contact.unblock')
              : confirm === 'portal'
                ? t('crm.contact.givePortal')
                : t('crm.contact.delete')
        }
        danger={confirm === 'block' || confirm === 'delete'}
        pending={action.isPending}
        error={action.isError ? errorMessage(action.error, t) : null}
        onConfirm={() => confirm && action.mutate(confirm)}
        onCancel={() => setConfirm(null)}
      >
        <p>
          {confirm === 'block'
            ? t('crm.contact.blockBody', { name: contact.name })
            : confirm === 'unblock'
              ? t('crm.contact.unblockBody', { name: contact.name })
              : confirm === 'portal'
                ? contact.email
                  ? t('crm.contact.portalBody', { name: contact.name, email: contact.email })
                  : t('crm.contact.portalNoEmail')
                : t('crm.contact.deleteBody', { name: contact.name })}
        </p>
      </ConfirmDialog>
    </>
  )
}

export function TagList({ tags }: { tags: string[] }) {
  return (
    <ul className="crm-tags">
      {tags.map((tag) => (
        <li key={tag} className="badge badge-off">
          {tag}
        </li>
      ))}
    </ul>
  )
}

const PHONE_TYPE_KEYS = ['work', 'mobile', 'home', 'fax', 'other'] as const
function phoneTypeLabel(type: string, t: TFunction): string {
  const key = (PHONE_TYPE_KEYS as readonly string[]).includes(type) ? (type as (typeof PHONE_TYPE_KEYS)[number]) : 'other'
  return t(`crm.contact.phoneTypes.${key}`)
}
