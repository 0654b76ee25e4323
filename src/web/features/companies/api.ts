import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { api, type ApiResponse } from '../../api/client'
import type { ApiBody, ApiData, ApiQuery } from '../../api/schema'
import { PAGE_SIZE, queryString, type Contact } from '../contacts/api'

/** The companies API (shapes from the generated OpenAPI types). */

export type Company = ApiData<'/api/v1/companies/{id}'>
export type NewCompany = ApiBody<'/api/v1/companies', 'post'>
export type CompanyChanges = ApiBody<'/api/v1/companies/{id}', 'patch'>
export type CompanyQuery = ApiQuery<'/api/v1/companies'>
export type CompanySort = NonNullable<CompanyQuery['sort']>
export type CompanyMergeResult = ApiData<'/api/v1/companies/{id}/merge', 'post'>

export const COMPANY_SORTS: readonly CompanySort[] = ['name', '-name', '-created_at', 'created_at']

const data = async <T>(promise: Promise<{ data: T }>): Promise<T> => (await promise).data
const id = encodeURIComponent

export const companiesApi = {
  list: (params: CompanyQuery, signal?: AbortSignal) => api.get<Company[]>(`/companies?${queryString(params)}`, { signal }),
  get: (companyId: string, signal?: AbortSignal) => data(api.get<Company>(`/companies/${id(companyId)}`, { signal })),
  create: (input: NewCompany, assignContacts: boolean) =>
    data(api.post<Company>(`/companies${assignContacts ? '?assign_contacts=1' : ''}`, input)),
  update: (companyId: string, changes: CompanyChanges, assignContacts: boolean) =>
    data(api.patch<Company>(`/companies/${id(companyId)}${assignContacts ? '?assign_contacts=1' : ''}`, changes)),
  remove: (companyId: string) => data(api.delete<unknown>(`/companies/${id(companyId)}`)),
  contacts: (companyId: string, page: number, signal?: AbortSignal) =>
    api.get<Contact[]>(`/companies/${id(companyId)}/contacts?page=${page}&limit=${PAGE_SIZE}`, { signal }),
  merge: (companyId: string, sourceIds: string[]) =>
    data(api.post<CompanyMergeResult>(`/companies/${id(companyId)}/merge`, { source_ids: sourceIds })),
}

export const companyKeys = {
  all: ['companies'] as const,
  list: (params: CompanyQuery) => ['companies', 'list', params] as const,
  detail: (companyId: string) => ['companies', companyId] as const,
  contacts: (companyId: string, page: number) => ['companies', companyId, 'contacts', { page }] as const,
}

export const useCompanies = (params: CompanyQuery, enabled = true) =>
  useQuery({
    queryKey: companyKeys.list(params),
    queryFn: ({ signal }) => companiesApi.list(params, signal),
    placeholderData: keepPreviousData,
    enabled,
  })

export const useCompany = (companyId: string | null | undefined) =>
  useQuery({
    queryKey: companyKeys.detail(companyId ?? ''),
    queryFn: ({ signal }) => companiesApi.get(companyId!, signal),
    enabled: !!companyId,
    retry: false,
  })

export const useCompanyContacts = (companyId: string, page: number) =>
  useQuery<ApiResponse<Contact[]>>({
    queryKey: companyKeys.contacts(companyId, page),
    queryFn: ({ signal }) => companiesApi.contacts(companyId, page, signal),
    placeholderData: keepPreviousData,
  })
