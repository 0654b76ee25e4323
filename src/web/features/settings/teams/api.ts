import { useQuery } from '@tanstack/react-query'
import { api } from '../../../api/client'
import type { ApiBody, ApiData, ApiItem } from '../../../api/schema'

/** Teams and their members (GET/POST/PATCH/DELETE /teams, /teams/{id}/members). */

export type Team = ApiItem<'/api/v1/teams'>
export type TeamDetail = ApiData<'/api/v1/teams/{id}'>
export type TeamMember = TeamDetail['members'][number]
export type NewTeam = ApiBody<'/api/v1/teams', 'post'>
export type TeamChanges = ApiBody<'/api/v1/teams/{id}', 'patch'>
export type NewMember = ApiBody<'/api/v1/teams/{id}/members', 'post'>
export type Person = ApiItem<'/api/v1/users'>
type RoleRow = ApiItem<'/api/v1/roles'>

const id = encodeURIComponent
const PAGE = 100

/** Every page of a list route (capped at 100 a page). */
async function everyPage<T>(path: string, signal?: AbortSignal): Promise<T[]> {
  const all: T[] = []
  const join = path.includes('?') ? '&' : '?'
  for (let page = 1; page <= 100; page++) {
    const res = await api.get<T[]>(`${path}${join}limit=${PAGE}&page=${page}`, { signal })
    all.push(...res.data)
    if (res.data.length < PAGE || (res.meta?.total !== undefined && all.length >= res.meta.total)) break
  }
  return all
}

export const teamsApi = {
  list: (signal?: AbortSignal) => everyPage<Team>('/teams', signal),
  get: async (teamId: string, signal?: AbortSignal) => (await api.get<TeamDetail>(`/teams/${id(teamId)}`, { signal })).data,
  create: async (input: NewTeam) => (await api.post<Team>('/teams', input)).data,
  update: async (teamId: string, input: TeamChanges) => (await api.patch<Team>(`/teams/${id(teamId)}`, input)).data,
  remove: async (teamId: string) => {
    await api.delete<unknown>(`/teams/${id(teamId)}`)
  },
  addMember: async (teamId: string, input: NewMember) => (await api.post<TeamMember>(`/teams/${id(teamId)}/members`, input)).data,
  removeMember: async (teamId: string, userId: string) => {
    await api.delete<unknown>(`/teams/${id(teamId)}/members/${id(userId)}`)
  },
  /** Active staff of the organization: the people who can join a team (customer-kind roles cannot). */
  staff: async (signal?: AbortSignal): Promise<Person[]> => {
    const [people, roles] = await Promise.all([
      everyPage<Person>('/users?is_active=true&sort=name', signal),
      api.get<RoleRow[]>('/roles', { signal }).then((res) => res.data),
    ])
    const customerRoles = new Set(roles.filter((r) => r.kind === 'customer').map((r) => r.key))
    return people.filter((p) => !customerRoles.has(p.role))
  },
}

/** Under the roots other pages use for teams and people, so changes here refresh them too. */
export const teamKeys = {
  all: ['teams'] as const,
  list: ['teams', 'settings'] as const,
  detail: (teamId: string) => ['teams', 'detail', teamId] as const,
  staff: ['users', 'team-candidates'] as const,
}

export const useTeamList = () => useQuery({ queryKey: teamKeys.list, queryFn: ({ signal }) => teamsApi.list(signal) })
export const useTeam = (teamId: string | undefined) =>
  useQuery({ queryKey: teamKeys.detail(teamId ?? ''), queryFn: ({ signal }) => teamsApi.get(teamId!, signal), enabled: !!teamId })
export const useStaff = (enabled: boolean) =>
  useQuery({ queryKey: teamKeys.staff, queryFn: ({ signal }) => teamsApi.staff(signal), enabled })
