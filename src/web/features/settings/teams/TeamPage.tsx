import type { TFunction } from 'i18next'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useId, useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useLocation, useNavigate, useParams } from 'react-router'
import { isApiError } from '../../../api/client'
import { Alert } from '../../../ui/Alert'
import { CheckboxField } from '../../../ui/CheckboxField'
import { ConfirmDialog } from '../../../ui/Dialog'
import { errorMessage } from '../../../ui/errorMessage'
import { Field } from '../../../ui/Field'
import { SelectField } from '../../../ui/SelectField'
import { Loading } from '../../../ui/Spinner'
import { TextAreaField } from '../../../ui/TextAreaField'
import { useDocumentTitle } from '../../../ui/useDocumentTitle'
import { focusFirstInvalid } from '../../auth/validation'
import { useRoles } from '../roles/api'
import { roleName } from '../roles/text'
import { teamKeys, teamsApi, useStaff, useTeam, useTeamList, type NewTeam, type Team, type TeamDetail, type TeamMember } from './api'
import type { TeamFlash } from './TeamsListPage'

/** Where a newly created team's page starts: with a word that it was created. */
interface CreatedState {
  created?: string
}

/** Server details → messages on the team form's fields. */
function formErrors(error: unknown, t: TFunction): Record<string, string> {
  const out: Record<string, string> = {}
  if (!isApiError(error)) return out
  for (const detail of error.details) {
    const field = detail.field?.replace(/^\/?(body[./])?/, '') ?? ''
    if (!field || out[field]) continue
    if (error.code === 'conflict' && field === 'name') out.name = t('adminConfig.teams.nameTaken')
    else if (error.code === 'conflict' && field === 'parent_id') out.parent_id = t('adminConfig.teams.parentLoop')
    else if (field === 'name') out.name = t('validation.required')
    else out[field] = detail.message
  }
  return out
}

/** /settings/teams/new: a team's name, description and parent; its members come next. */
export function NewTeamPage() {
  const { t } = useTranslation()
  const title = t('adminConfig.teams.newTitle')
  useDocumentTitle(`${title} · ${t('adminConfig.teams.title')}`)
  return (
    <section aria-labelledby="team-heading">
      <p className="back-link">
        <Link to="/settings/teams">{t('adminConfig.teams.back')}</Link>
      </p>
      <h2 id="team-heading">{title}</h2>
      <TeamForm />
    </section>
  )
}

/** /settings/teams/:id: the team's details, its members, and deleting it. */
export function TeamPage() {
  const { t } = useTranslation()
  const { id } = useParams()
  const team = useTeam(id)
  const location = useLocation()
  const title = team.data?.name ?? t('adminConfig.teams.title')
  useDocumentTitle(`${title} · ${t('adminConfig.teams.title')}`)
  const created = (location.state as CreatedState | null)?.created

  return (
    <section aria-labelledby="team-heading">
      <p className="back-link">
        <Link to="/settings/teams">{t('adminConfig.teams.back')}</Link>
      </p>
      <h2 id="team-heading">{title}</h2>
      <div aria-live="polite">{created ? <Alert tone="success">{t('adminConfig.teams.created', { name: created })}</Alert> : null}</div>
      {team.isPending ? (
        <Loading />
      ) : team.isError ? (
        <Alert>
          {isApiError(team.error, 'not_found') || isApiError(team.error, 'validation_error') ? t('adminConfig.teams.notFound') : errorMessage(team.error, t)}
        </Alert>
      ) : (
        <div className="config-stack team-page">
          <section className="card" aria-labelledby="team-details-heading">
            <h3 id="team-details-heading">{t('adminConfig.teams.details')}</h3>
            <TeamForm team={team.data} />
          </section>
          <Members team={team.data} />
          <DeleteTeam team={team.data} />
        </div>
      )}
    </section>
  )
}

function TeamForm({ team }: { team?: TeamDetail }) {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const teams = useTeamList()
  const formRef = useRef<HTMLFormElement>(null)
  const [name, setName] = useState(team?.name ?? '')
  const [description, setDescription] = useState(team?.description ?? '')
  const [parentId, setParentId] = useState(team?.parent_id ?? '')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [saved, setSaved] = useState(false)

  const save = useMutation({
    mutationFn: (input: NewTeam) => (team ? teamsApi.update(team.id, input) : teamsApi.create(input)),
    onMutate: () => setSaved(false),
    onSuccess: async (result: Team) => {
      await queryClient.invalidateQueries({ queryKey: teamKeys.all, refetchType: 'all' })
      if (team) {
        setSaved(true)
        return
      }
      const state: CreatedState = { created: result.name }
      await navigate(`/settings/teams/${result.id}`, { state })
    },
    onError: (error) => {
      const next = formErrors(error, t)
      setErrors(next)
      focusFirstInvalid(formRef.current, next)
    },
  })

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const next: Record<string, string> = name.trim() ? {} : { name: t('validation.required') }
    setErrors(next)
    if (Object.keys(next).length) {
      focusFirstInvalid(formRef.current, next)
      return
    }
    save.mutate({ name: name.trim(), description: description.trim() || null, parent_id: parentId || null })
  }

  const parents = (teams.data ?? []).filter((other) => other.id !== team?.id)
  const onFields = new Set(['name', 'description', 'parent_id'])
  const problem = !save.isError
    ? null
    : Object.keys(errors).some((f) => onFields.has(f))
      ? t('errors.validation_error')
      : errorMessage(save.error, t)

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className={team ? 'form' : 'form settings-form card'}>
      {problem ? <Alert>{problem}</Alert> : null}
      <Field label={t('adminConfig.teams.name')} name="name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} maxLength={100} required />
      <TextAreaField
        label={t('adminConfig.teams.description')}
        name="description"
        rows={2}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        error={errors.description}
        maxLength={1000}
      />
      <SelectField
        label={t('adminConfig.teams.parent')}
        name="parent_id"
        value={parentId}
        onChange={(e) => setParentId(e.target.value)}
        hint={t('adminConfig.teams.parentHint')}
        error={errors.parent_id}
      >
        <option value="">{t('adminConfig.teams.noParent')}</option>
        {parents.map((other) => (
          <option key={other.id} value={other.id}>
            {other.name}
          </option>
        ))}
      </SelectField>
      <div aria-live="polite">{saved ? <Alert tone="success">{t('adminConfig.teams.saved')}</Alert> : null}</div>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? t('adminConfig.common.saving') : team ? t('adminConfig.common.saveChanges') : t('adminConfig.teams.create')}
        </button>
        {!team ? (
          <Link to="/settings/teams" className="btn">
            {t('common.cancel')}
          </Link>
        ) : null}
      </div>
    </form>
  )
}

type MemberChange = { kind: 'add'; userId: string; lead: boolean } | { kind: 'lead'; member: TeamMember; lead: boolean } | { kind: 'remove'; member: TeamMember }

function Members({ team }: { team: TeamDetail }) {
  const { t } = useTranslation()
  const queryClient = useQueryClient()
  const staff = useStaff(true)
  const roles = useRoles()
  const id = useId()
  const [userId, setUserId] = useState('')
  const [lead, setLead] = useState(false)
  const [pickError, setPickError] = useState<string | null>(null)
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null)

  const change = useMutation({
    mutationFn: async (c: MemberChange) => {
      if (c.kind === 'add') await teamsApi.addMember(team.id, { user_id: c.userId, is_lead: c.lead })
      else if (c.kind === 'lead') await teamsApi.addMember(team.id, { user_id: c.member.user_id, is_lead: c.lead })
      else await teamsApi.removeMember(team.id, c.member.user_id)
    },
    onMutate: () => setNotice(null),
    onSuccess: async (_data, c) => {
      const who = c.kind === 'add' ? (staff.data?.find((p) => p.id === c.userId)?.name ?? '') : c.member.name
      if (c.kind === 'add') {
        setUserId('')
        setLead(false)
      }
      const text =
        c.kind === 'add'
          ? t('adminConfig.teams.memberAdded', { name: who })
          : c.kind === 'remove'
            ? t('adminConfig.teams.memberRemoved', { name: who })
            : t(c.lead ? 'adminConfig.teams.leadOn' : 'adminConfig.teams.leadOff', { name: who })
      setNotice({ tone: 'success', text })
      await queryClient.invalidateQueries({ queryKey: teamKeys.all, refetchType: 'all' })
    },
    onError: (error, c) => {
      if (c.kind === 'add' && isApiError(error) && error.details.some((d) => d.field?.endsWith('user_id'))) {
        setPickError(error.details.find((d) => d.field?.endsWith('user_id'))?.message ?? errorMessage(error, t))
      } else {
        setNotice({ tone: 'error', text: errorMessage(error, t) })
      }
    },
  })

  const onAdd = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    if (!userId) {
      setPickError(t('adminConfig.teams.pickPerson'))
      return
    }
    setPickError(null)
    change.mutate({ kind: 'add', userId, lead })
  }

  const onTeam = new Set(team.members.map((m) => m.user_id))
  const candidates = (staff.data ?? []).filter((p) => !onTeam.has(p.id))
  const roleLabel = (key: string) => {
    const role = roles.data?.find((r) => r.key === key)
    return role ? roleName(role, t) : key
  }

  return (
    <section className="card" aria-labelledby={`${id}-members`}>
      <h3 id={`${id}-members`}>{t('adminConfig.teams.membersHeading', { count: team.members.length })}</h3>
      <div aria-live="polite">{notice ? <Alert tone={notice.tone}>{notice.text}</Alert> : null}</div>
      {team.members.length === 0 ? (
        <p className="muted">{t('adminConfig.teams.noMembers')}</p>
      ) : (
        <ul className="list" aria-label={t('adminConfig.teams.membersList')}>
          {team.members.map((member) => (
            <li key={member.user_id} className="list-row config-row">
              <div className="list-main">
                <span className="list-title">
                  {member.name}
                  {member.is_lead ? <span className="badge">{t('adminConfig.teams.lead')}</span> : null}
                  {!member.is_active ? <span className="badge badge-off">{t('adminConfig.teams.inactive')}</span> : null}
                </span>
                <span className="muted">
                  {member.email} · {roleLabel(member.role)}
                </span>
              </div>
              <div className="actions">
                <button
                  type="button"
                  className="btn btn-small"
                  disabled={change.isPending || !member.is_active}
                  onClick={() => change.mutate({ kind: 'lead', member, lead: !member.is_lead })}
                  aria-label={t(member.is_lead ? 'adminConfig.teams.unmakeLeadLabel' : 'adminConfig.teams.makeLeadLabel', { name: member.name })}
                >
                  {t(member.is_lead ? 'adminConfig.teams.unmakeLead' : 'adminConfig.teams.makeLead')}
                </button>
                <button
                  type="button"
                  className="btn btn-small btn-danger"
                  disabled={change.isPending}
                  onClick={() => change.mutate({ kind: 'remove', member })}
                  aria-label={t('adminConfig.teams.removeLabel', { name: member.name })}
                >
                  {t('adminConfig.teams.remove')}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}

      <form className="form add-member" onSubmit={onAdd} noValidate>
        <h4>{t('adminConfig.teams.addHeading')}</h4>
        {staff.isError ? <Alert>{errorMessage(staff.error, t)}</Alert> : null}
        <SelectField
          label={t('adminConfig.teams.person')}
          name="user_id"
          value={userId}
          onChange={(e) => setUserId(e.target.value)}
          error={pickError}
          hint={staff.isSuccess && candidates.length === 0 ? t('adminConfig.teams.everyoneIn') : t('adminConfig.teams.personHint')}
        >
          <option value="">{staff.isPending ? t('common.loading') : t('adminConfig.teams.choosePerson')}</option>
          {candidates.map((person) => (
            <option key={person.id} value={person.id}>
              {person.name} ({person.email})
            </option>
          ))}
        </SelectField>
        <CheckboxField label={t('adminConfig.teams.asLead')} name="is_lead" checked={lead} onChange={(e) => setLead(e.target.checked)} />
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={change.isPending}>
            {change.isPending && change.variables?.kind === 'add' ? t('adminConfig.teams.adding') : t('adminConfig.teams.addMember')}
          </button>
        </div>
      </form>
    </section>
  )
}

function DeleteTeam({ team }: { team: TeamDetail }) {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const [open, setOpen] = useState(false)
  const remove = useMutation({
    mutationFn: () => teamsApi.remove(team.id),
    onSuccess: async () => {
      setOpen(false)
      queryClient.removeQueries({ queryKey: teamKeys.detail(team.id) })
      await queryClient.invalidateQueries({ queryKey: teamKeys.all, refetchType: 'all' })
      const state: TeamFlash = { flash: { kind: 'deleted', name: team.name } }
      await navigate('/settings/teams', { state })
    },
  })
  return (
    <section className="card" aria-labelledby="team-delete-heading">
      <h3 id="team-delete-heading">{t('adminConfig.teams.deleteHeading')}</h3>
      <p className="muted">{t('adminConfig.teams.deleteIntro')}</p>
      <button
        type="button"
        className="btn btn-danger"
        onClick={() => {
          remove.reset()
          setOpen(true)
        }}
      >
        {t('adminConfig.teams.deleteTeam')}
      </button>
      <ConfirmDialog
        open={open}
        title={t('adminConfig.teams.deleteTitle')}
        confirmLabel={t('adminConfig.teams.deleteConfirm')}
        pendingLabel={t('adminConfig.common.deleting')}
        pending={remove.isPending}
        error={remove.isError ? errorMessage(remove.error, t) : null}
        onConfirm={() => remove.mutate()}
        onCancel={() => setOpen(false)}
      >
        <p>{t('adminConfig.teams.deleteBody', { name: team.name, count: team.member_count })}</p>
      </ConfirmDialog>
    </section>
  )
}
