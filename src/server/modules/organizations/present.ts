import { Type, type Static } from 'typebox'
import type { OrganizationsTable } from '../../platform/db/schema.js'
import type { Selectable } from 'kysely'

export const BrandingSchema = Type.Object({
  primary_color: Type.Optional(Type.String()),
  accent_color: Type.Optional(Type.String()),
  logo_url: Type.Optional(Type.Union([Type.String(), Type.Null()])),
})

export const OrganizationSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  slug: Type.String(),
  time_zone: Type.String(),
  locale: Type.String(),
  ticket_prefix: Type.String(),
  branding: BrandingSchema,
  settings: Type.Object({
    agent_ticket_scope: Type.Optional(Type.Union([Type.Literal('team'), Type.Literal('all')])),
    customers_see_company_tickets: Type.Optional(Type.Boolean()),
    portal_signup: Type.Optional(Type.Boolean({ description: 'Customers may sign up for the portal themselves (on unless false)' })),
  }),
  created_at: Type.String(),
})
export type OrganizationOut = Static<typeof OrganizationSchema>

export function presentOrganization(row: Selectable<OrganizationsTable>): OrganizationOut {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    time_zone: row.time_zone,
    locale: row.locale,
    ticket_prefix: row.ticket_prefix,
    branding: presentBranding(row),
    settings: row.settings ?? {},
    created_at: row.created_at,
  }
}

/** Colors, and the logo as a URL: the uploaded file's public address, or an external https URL. */
export function presentBranding(row: Pick<Selectable<OrganizationsTable>, 'slug' | 'branding'>): OrganizationOut['branding'] {
  const { logo_file: file, ...rest } = row.branding ?? {}
  return {
    ...rest,
    logo_url: file ? `/api/v1/public/organizations/${row.slug}/logo?v=${file.key.slice(0, 12)}` : (rest.logo_url ?? null),
  }
}
