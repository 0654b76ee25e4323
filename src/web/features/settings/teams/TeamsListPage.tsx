import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useLocation, useNavigate } from 'react-router'
import { Alert } from '../../../ui/Alert'
import { ConfirmDialog } from '../../../ui/Dialog'
import { errorMessage } from '../../../ui/errorMessage'
import { Loading } from '../../../ui/Spinner'
import { useDocumentTitle } from '../../../ui/useDocumentTitle'
import { teamKeys, teamsApi, useTeamList, type Team } from './api'
import { LoadError } from '../../../ui/LoadError'

/** What the team page tells this list after a delete, for the message shown here. */
export interface TeamFlash {
  flash?: { kind: 'deleted'; name: string }
}

export function TeamsListPage() {
  const { t } = useTranslation()
  const teams = useTeamList()
  const queryClient = useQueryClient()
  const location = useLocation()
  const navigate = useNavigate()
  const headingRef = useRef<HTMLHeadingElement>(null)
  const [toDelete, setToDelete] = useState<Team | null>(null)
  const [deleted, setDeleted] = useState<string | null>(null)
  useDocumentTitle(t('adminConfig.teams.title'))
  const flash = (location.state as TeamFlash | null)?.flash

  useEffect(() => {
    if (deleted) headingRef.current?.focus()
  }, [deleted])

  const remove = useMutation({
    mutationFn: (team: Team) => teamsApi.remove(team.id),
    onSuccess: (_data, team) => {
      setToDelete(null)
      setDeleted(team.name)
      queryClient.setQueryData<Team[]>(teamKeys.list, (list) => list?.filter((other) => other.id !== team.id))
      void queryClient.invalidateQueries({ queryKey: teamKeys.all })
    },
  })

  const names = new Map((teams.data ?? []).map((team) => [team.id, team.name]))

  return (
    <section aria-labelledby="teams-heading">
      <div className="section-header">
        <div>
          <h2 id="teams-heading" ref={headingRef} tabIndex={-1}>
            {t('adminConfig.teams.listTitle')}
          </h2>
          <p className="muted">{t('adminConfig.teams.intro')}</p>
        </div>
        <Link to="new" className="btn btn-primary">
          {t('adminConfig.teams.add')}
        </Link>
      </div>

      <div aria-live="polite">
        {deleted || flash ? <Alert tone="success">{t('adminConfig.teams.deleted', { name: deleted ?? flash?.name })}</Alert> : null}
      </div>

      {teams.isPending ? (
        <Loading />
      ) : teams.isError ? (
        <LoadError error={teams.error} onRetry={() => void teams.refetch()} />
      ) : teams.data.length === 0 ? (
        <p className="card">{t('adminConfig.teams.empty')}</p>
      ) : (
        <div className="card">
          <ul className="list">
            {teams.data.map((team) => {
              const parent = team.parent_id ? names.get(team.parent_id) : undefined
              return (
                <li key={team.id} className="list-row config-row">
                  <div className="list-main">
                    <span className="list-title">
                      <Link to={team.id}>{team.name}</Link>
                    </span>
                    {team.description ? <span className="muted">{team.description}</span> : null}
                    <span className="muted">
                      {[t('adminConfig.teams.memberCount', { count: team.member_count }), parent ? t('adminConfig.teams.partOf', { name: parent }) : null]
                        .filter(Boolean)
                        .join(' · ')}
                    </span>
                  </div>
                  <div className="actions">
                    <Link to={team.id} className="btn btn-small" aria-label={t('adminConfig.teams.manageLabel', { name: team.name })}>
                      {t('adminConfig.teams.manage')}
                    </Link>
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      aria-label={t('adminConfig.teams.deleteLabel', { name: team.name })}
                      onClick={() => {
                        setDeleted(null)
                        if (flash) void navigate('.', { replace: true, state: null })
                        remove.reset()
                        setToDelete(team)
                      }}
                    >
                      {t('adminConfig.common.delete')}
                    </button>
                  </div>
                </li>
              )
            })}
          </ul>
        </div>
      )}

      <ConfirmDialog
        open={toDelete !== null}
        title={t('adminConfig.teams.deleteTitle')}
        confirmLabel={t('adminConfig.teams.deleteConfirm')}
        pendingLabel={t('adminConfig.common.deleting')}
        pending={remove.isPending}
        error={remove.isError ? errorMessage(remove.error, t) : null}
        onConfirm={() => toDelete && remove.mutate(toDelete)}
        onCancel={() => setToDelete(null)}
      >
        <p>{toDelete ? t('adminConfig.teams.deleteBody', { name: toDelete.name, count: toDelete.member_count }) : null}</p>
      </ConfirmDialog>
    </section>
  )
}
