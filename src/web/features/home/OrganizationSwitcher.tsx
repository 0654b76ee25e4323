import { useMutation } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import type { Membership } from '../../api/types'
import { useSession } from '../../app/session'
import { Alert } from '../../ui/Alert'
import { errorMessage } from '../../ui/errorMessage'

interface Props {
  current: string
  organizations: Membership[]
}

export function OrganizationSwitcher({ current, organizations }: Props) {
  const { t } = useTranslation()
  const { switchOrganization } = useSession()
  const switcher = useMutation({ mutationFn: switchOrganization })

  return (
    <section className="card" aria-labelledby="switch-heading">
      <h2 id="switch-heading">{t('home.switcher.heading')}</h2>
      {organizations.length <= 1 ? <p className="muted">{t('home.switcher.only')}</p> : null}
      {switcher.isError ? <Alert>{errorMessage(switcher.error, t)}</Alert> : null}
      <ul className="list">
        {organizations.map((org) => {
          const isCurrent = org.id === current
          const pending = switcher.isPending && switcher.variables === org.id
          return (
            <li key={org.id} className="list-row" aria-current={isCurrent ? 'true' : undefined}>
              <div className="list-main">
                <span className="list-title">{org.name}</span>
                <span className="muted">
                  <code>{org.slug}</code> · {org.role}
                </span>
              </div>
              {isCurrent ? (
                <span className="badge">{t('home.switcher.current')}</span>
              ) : (
                <button
                  type="button"
                  className="btn"
                  disabled={switcher.isPending}
                  onClick={() => switcher.mutate(org.id)}
                  aria-label={t('home.switcher.switchTo', { name: org.name })}
                >
                  {pending ? t('home.switcher.switching') : t('home.switcher.switch')}
                </button>
              )}
            </li>
          )
        })}
      </ul>
    </section>
  )
}
