import type { Kysely } from 'kysely'
import { runScript } from '../sql-script.js'

/**
 * Indexes for the contact and company lists, filters and duplicate search that the helpdesk-core
 * migration did not have: tag and custom-field filters (GIN), name and email sorts, contacts of a
 * company by name (also the "same name in the same company" duplicate check), the email-domain
 * match (company domains, duplicate check), the company list, hierarchy and filters, the phone
 * keys of the duplicate check, and the tenant_contacts / tenant_companies views through which
 * those conditions can use their indexes under row-level security (decision 0006).
 * Frozen: change the schema in a new migration.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `
    CREATE INDEX contacts_tags ON contacts USING gin (tags) WHERE deleted_at IS NULL;
    CREATE INDEX contacts_custom_fields ON contacts USING gin (custom_fields jsonb_path_ops) WHERE deleted_at IS NULL;
    CREATE INDEX contacts_name ON contacts (tenant_id, lower(name), id) WHERE deleted_at IS NULL;
    CREATE INDEX contacts_email_order ON contacts (tenant_id, lower(email), id) WHERE deleted_at IS NULL;
    CREATE INDEX contacts_company_name ON contacts (tenant_id, company_id, lower(name), id) WHERE deleted_at IS NULL AND company_id IS NOT NULL;
    CREATE INDEX contacts_email_domain ON contacts (tenant_id, lower(substring(email from '[^@]*$'))) WHERE deleted_at IS NULL AND email IS NOT NULL;

    CREATE INDEX companies_list ON companies (tenant_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
    CREATE INDEX companies_parent ON companies (tenant_id, parent_id) WHERE parent_id IS NOT NULL AND deleted_at IS NULL;
    CREATE INDEX companies_tags ON companies USING gin (tags) WHERE deleted_at IS NULL;
    CREATE INDEX companies_custom_fields ON companies USING gin (custom_fields jsonb_path_ops) WHERE deleted_at IS NULL;

    -- The current tenant's contacts and companies as views owned by the schema owner (decision
    -- 0006, as tenant_tickets): under row-level security a condition whose operator is not
    -- leakproof (ILIKE, lower(), @>, &&, trigram similarity) cannot use an index, so the search,
    -- email lookups and duplicate checks choose ids through these views and read rows under RLS.
    CREATE VIEW tenant_contacts AS SELECT c.* FROM contacts c WHERE c.tenant_id = app_tenant_id();
    CREATE VIEW tenant_companies AS SELECT co.* FROM companies co WHERE co.tenant_id = app_tenant_id();
    GRANT SELECT ON tenant_contacts, tenant_companies TO aidly_app;

    -- The digits that identify a contact's phone numbers (the last ten of each), for duplicates.
    CREATE FUNCTION contact_phone_keys(phones jsonb) RETURNS text[]
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
      $f$ SELECT coalesce(array_agg(DISTINCT k ORDER BY k) FILTER (WHERE length(k) >= 6), '{}')
          FROM (SELECT right(regexp_replace(e->>'number', '[^0-9]', '', 'g'), 10) AS k
                FROM jsonb_array_elements(CASE WHEN jsonb_typeof(phones) = 'array' THEN phones ELSE '[]'::jsonb END) e) x $f$;
    CREATE INDEX contacts_phone_keys ON contacts USING gin (contact_phone_keys(phones)) WHERE deleted_at IS NULL;
  `)
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only')
}
