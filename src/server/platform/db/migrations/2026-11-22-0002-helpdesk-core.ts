import type { Kysely } from 'kysely'
import { runScript } from '../sql-script.js'

/**
 * The helpdesk core: per-organization statuses (each in a fixed category), categories, custom
 * fields, companies, contacts and their notes, tickets with per-organization numbers, the
 * conversation (comments, revisions, attachments), history, time entries, links and saved views.
 * Frozen: change the schema in a new migration.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `
    CREATE EXTENSION IF NOT EXISTS pg_trgm;

    CREATE TABLE ticket_statuses (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
      category text NOT NULL CHECK (category IN ('new', 'open', 'pending', 'on_hold', 'resolved', 'closed', 'cancelled')),
      color text NOT NULL DEFAULT '#6b7280' CHECK (color ~ '^#[0-9a-fA-F]{6}$'),
      position integer NOT NULL DEFAULT 0,
      is_default boolean NOT NULL DEFAULT false,
      is_active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id)
    );
    CREATE UNIQUE INDEX ticket_statuses_name ON ticket_statuses (tenant_id, lower(name));
    CREATE UNIQUE INDEX ticket_statuses_one_default ON ticket_statuses (tenant_id) WHERE is_default;

    CREATE TABLE status_transitions (
      tenant_id uuid NOT NULL,
      from_status_id uuid NOT NULL,
      to_status_id uuid NOT NULL,
      PRIMARY KEY (tenant_id, from_status_id, to_status_id),
      FOREIGN KEY (tenant_id, from_status_id) REFERENCES ticket_statuses (tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, to_status_id) REFERENCES ticket_statuses (tenant_id, id) ON DELETE CASCADE
    );

    CREATE TABLE ticket_categories (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      parent_id uuid,
      position integer NOT NULL DEFAULT 0,
      is_active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, parent_id) REFERENCES ticket_categories (tenant_id, id) ON DELETE SET NULL (parent_id)
    );
    CREATE UNIQUE INDEX ticket_categories_name ON ticket_categories (tenant_id, COALESCE(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name));

    CREATE TABLE custom_fields (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      entity text NOT NULL CHECK (entity IN ('ticket', 'contact', 'company')),
      key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,49}$'),
      label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
      type text NOT NULL CHECK (type IN ('text', 'number', 'email', 'url', 'date', 'select', 'multiselect', 'boolean')),
      options jsonb NOT NULL DEFAULT '[]',
      is_required boolean NOT NULL DEFAULT false,
      is_internal boolean NOT NULL DEFAULT false,
      position integer NOT NULL DEFAULT 0,
      is_active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      UNIQUE (tenant_id, entity, key)
    );

    CREATE TABLE companies (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      domains text[] NOT NULL DEFAULT '{}',
      parent_id uuid,
      phone text,
      website text,
      tags text[] NOT NULL DEFAULT '{}',
      custom_fields jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz,
      merged_into_id uuid,
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, parent_id) REFERENCES companies (tenant_id, id) ON DELETE SET NULL (parent_id)
    );
    CREATE INDEX companies_name ON companies (tenant_id, lower(name)) WHERE deleted_at IS NULL;
    CREATE INDEX companies_name_trgm ON companies USING gin (name gin_trgm_ops);
    CREATE INDEX companies_domains ON companies USING gin (domains);

    CREATE TABLE contacts (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      email text CHECK (email IS NULL OR length(email) <= 320),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      phones jsonb NOT NULL DEFAULT '[]',
      company_id uuid,
      time_zone text,
      language text,
      address jsonb NOT NULL DEFAULT '{}',
      tags text[] NOT NULL DEFAULT '{}',
      custom_fields jsonb NOT NULL DEFAULT '{}',
      is_vip boolean NOT NULL DEFAULT false,
      is_blocked boolean NOT NULL DEFAULT false,
      can_see_company_tickets boolean NOT NULL DEFAULT false,
      user_id uuid REFERENCES users (id) ON DELETE SET NULL,
      email_status text NOT NULL DEFAULT 'ok' CHECK (email_status IN ('ok', 'bouncing')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz,
      merged_into_id uuid,
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, id) ON DELETE SET NULL (company_id)
    );
    CREATE UNIQUE INDEX contacts_email ON contacts (tenant_id, lower(email)) WHERE deleted_at IS NULL AND email IS NOT NULL;
    CREATE UNIQUE INDEX contacts_user ON contacts (tenant_id, user_id) WHERE user_id IS NOT NULL AND deleted_at IS NULL;
    CREATE INDEX contacts_company ON contacts (tenant_id, company_id) WHERE deleted_at IS NULL;
    CREATE INDEX contacts_list ON contacts (tenant_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
    CREATE INDEX contacts_name_trgm ON contacts USING gin (name gin_trgm_ops);
    CREATE INDEX contacts_email_trgm ON contacts USING gin (email gin_trgm_ops);

    CREATE TABLE notes (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      contact_id uuid,
      company_id uuid,
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
      is_pinned boolean NOT NULL DEFAULT false,
      author_id uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      CHECK ((contact_id IS NULL) <> (company_id IS NULL)),
      FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, id) ON DELETE CASCADE
    );
    CREATE INDEX notes_contact ON notes (tenant_id, contact_id, is_pinned DESC, created_at DESC) WHERE contact_id IS NOT NULL;
    CREATE INDEX notes_company ON notes (tenant_id, company_id, is_pinned DESC, created_at DESC) WHERE company_id IS NOT NULL;

    CREATE TABLE ticket_counters (
      tenant_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
      last_number bigint NOT NULL DEFAULT 0
    );

    CREATE TABLE tickets (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      number bigint NOT NULL,
      subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
      description_html text NOT NULL DEFAULT '',
      description_text text NOT NULL DEFAULT '',
      status_id uuid NOT NULL,
      priority text NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
      category_id uuid,
      source text NOT NULL DEFAULT 'web_form' CHECK (source IN ('email', 'web_form', 'chat', 'phone', 'social_media', 'api', 'internal')),
      requester_id uuid,
      company_id uuid,
      assignee_id uuid,
      team_id uuid,
      due_at timestamptz,
      tags text[] NOT NULL DEFAULT '{}',
      custom_fields jsonb NOT NULL DEFAULT '{}',
      first_response_at timestamptz,
      resolved_at timestamptz,
      closed_at timestamptz,
      created_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      last_activity_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz,
      deleted_by uuid REFERENCES users (id) ON DELETE SET NULL,
      is_spam boolean NOT NULL DEFAULT false,
      merged_into_id uuid,
      search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', subject), 'A') || setweight(to_tsvector('simple', left(description_text, 100000)), 'B')
      ) STORED,
      PRIMARY KEY (tenant_id, id),
      UNIQUE (tenant_id, number),
      FOREIGN KEY (tenant_id, status_id) REFERENCES ticket_statuses (tenant_id, id),
      FOREIGN KEY (tenant_id, category_id) REFERENCES ticket_categories (tenant_id, id) ON DELETE SET NULL (category_id),
      FOREIGN KEY (tenant_id, requester_id) REFERENCES contacts (tenant_id, id) ON DELETE SET NULL (requester_id),
      FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, id) ON DELETE SET NULL (company_id),
      FOREIGN KEY (tenant_id, assignee_id) REFERENCES memberships (tenant_id, user_id) ON DELETE SET NULL (assignee_id),
      FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE SET NULL (team_id),
      FOREIGN KEY (tenant_id, merged_into_id) REFERENCES tickets (tenant_id, id) ON DELETE SET NULL (merged_into_id)
    );
    CREATE INDEX tickets_updated ON tickets (tenant_id, updated_at DESC, id DESC) WHERE deleted_at IS NULL;
    CREATE INDEX tickets_created ON tickets (tenant_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
    CREATE INDEX tickets_status ON tickets (tenant_id, status_id, updated_at DESC) WHERE deleted_at IS NULL;
    CREATE INDEX tickets_assignee ON tickets (tenant_id, assignee_id, updated_at DESC) WHERE deleted_at IS NULL;
    CREATE INDEX tickets_team ON tickets (tenant_id, team_id, updated_at DESC) WHERE deleted_at IS NULL;
    CREATE INDEX tickets_requester ON tickets (tenant_id, requester_id, created_at DESC);
    CREATE INDEX tickets_company ON tickets (tenant_id, company_id, created_at DESC);
    CREATE INDEX tickets_due ON tickets (tenant_id, due_at) WHERE due_at IS NOT NULL AND deleted_at IS NULL;
    CREATE INDEX tickets_deleted ON tickets (tenant_id, deleted_at DESC) WHERE deleted_at IS NOT NULL;
    CREATE INDEX tickets_tags ON tickets USING gin (tags);
    CREATE INDEX tickets_custom_fields ON tickets USING gin (custom_fields jsonb_path_ops);
    CREATE INDEX tickets_search ON tickets USING gin (search);

    CREATE TABLE comments (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      ticket_id uuid NOT NULL,
      author_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
      author_contact_id uuid,
      body_html text NOT NULL,
      body_text text NOT NULL,
      is_internal boolean NOT NULL DEFAULT false,
      source text NOT NULL DEFAULT 'web' CHECK (source IN ('web', 'email', 'api', 'chat', 'phone', 'system')),
      mentions uuid[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      edited_at timestamptz,
      deleted_at timestamptz,
      search tsvector GENERATED ALWAYS AS (to_tsvector('simple', left(body_text, 100000))) STORED,
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, author_contact_id) REFERENCES contacts (tenant_id, id) ON DELETE SET NULL (author_contact_id)
    );
    CREATE INDEX comments_ticket ON comments (tenant_id, ticket_id, created_at, id);
    CREATE INDEX comments_search ON comments USING gin (search);

    CREATE TABLE comment_revisions (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL,
      comment_id uuid NOT NULL,
      body_html text NOT NULL,
      edited_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, comment_id) REFERENCES comments (tenant_id, id) ON DELETE CASCADE
    );
    CREATE INDEX comment_revisions_comment ON comment_revisions (tenant_id, comment_id, created_at);

    CREATE TABLE attachments (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      ticket_id uuid NOT NULL,
      comment_id uuid,
      file_key text NOT NULL CHECK (file_key ~ '^[0-9a-f]{64}$'),
      filename text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
      content_type text NOT NULL,
      size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
      is_inline boolean NOT NULL DEFAULT false,
      content_id text,
      uploaded_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, comment_id) REFERENCES comments (tenant_id, id) ON DELETE CASCADE
    );
    CREATE INDEX attachments_ticket ON attachments (tenant_id, ticket_id, created_at);
    CREATE INDEX attachments_comment ON attachments (tenant_id, comment_id) WHERE comment_id IS NOT NULL;

    CREATE TABLE ticket_history (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL,
      ticket_id uuid NOT NULL,
      actor_id uuid REFERENCES users (id) ON DELETE SET NULL,
      actor_kind text NOT NULL DEFAULT 'user' CHECK (actor_kind IN ('user', 'api_key', 'system', 'contact')),
      field text NOT NULL,
      old_value jsonb,
      new_value jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE
    );
    CREATE INDEX ticket_history_ticket ON ticket_history (tenant_id, ticket_id, created_at, id);

    CREATE TABLE time_entries (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL,
      ticket_id uuid NOT NULL,
      user_id uuid NOT NULL REFERENCES users (id),
      minutes integer NOT NULL CHECK (minutes BETWEEN 1 AND 14400),
      note text CHECK (note IS NULL OR length(note) <= 2000),
      spent_on date NOT NULL DEFAULT CURRENT_DATE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE
    );
    CREATE INDEX time_entries_ticket ON time_entries (tenant_id, ticket_id, created_at);

    CREATE TABLE ticket_links (
      tenant_id uuid NOT NULL,
      ticket_id uuid NOT NULL,
      linked_ticket_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('related', 'duplicate')),
      created_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, ticket_id, linked_ticket_id),
      CHECK (ticket_id <> linked_ticket_id),
      FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, linked_ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE
    );
    CREATE INDEX ticket_links_linked ON ticket_links (tenant_id, linked_ticket_id);

    CREATE TABLE saved_views (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      owner_id uuid REFERENCES users (id) ON DELETE CASCADE,
      filters jsonb NOT NULL DEFAULT '{}',
      sort text NOT NULL DEFAULT '-updated_at',
      position integer NOT NULL DEFAULT 0,
      is_default boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id)
    );
    CREATE INDEX saved_views_owner ON saved_views (tenant_id, owner_id, position);
  `)

  const tenantTables = [
    'ticket_statuses', 'status_transitions', 'ticket_categories', 'custom_fields', 'companies', 'contacts', 'notes',
    'ticket_counters', 'tickets', 'comments', 'comment_revisions', 'attachments', 'ticket_history', 'time_entries',
    'ticket_links', 'saved_views',
  ]
  for (const table of tenantTables) {
    await runScript(db, `
      ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON ${table}
        USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
      GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO aidly_app;
    `)
  }

  // Organizations that exist already get the default statuses, counter and views.
  await runScript(db, `
    INSERT INTO ticket_counters (tenant_id) SELECT id FROM organizations;
    INSERT INTO ticket_statuses (tenant_id, id, name, category, color, position, is_default)
    SELECT o.id, gen_random_uuid(), s.name, s.category, s.color, s.position, s.is_default
    FROM organizations o CROSS JOIN (VALUES
      ('New', 'new', '#3b82f6', 0, true), ('Open', 'open', '#f59e0b', 1, false), ('Pending', 'pending', '#8b5cf6', 2, false),
      ('On hold', 'on_hold', '#64748b', 3, false), ('Resolved', 'resolved', '#10b981', 4, false), ('Closed', 'closed', '#374151', 5, false),
      ('Cancelled', 'cancelled', '#9ca3af', 6, false)
    ) AS s(name, category, color, position, is_default);
    INSERT INTO saved_views (tenant_id, id, name, owner_id, filters, sort, position, is_default)
    SELECT o.id, gen_random_uuid(), v.name, NULL, v.filters::jsonb, v.sort, v.position, true
    FROM organizations o CROSS JOIN (VALUES
      ('My open', '{"assignee":"me","status_category":["new","open","pending","on_hold"]}', '-updated_at', 0),
      ('Unassigned', '{"assignee":"none","status_category":["new","open","pending","on_hold"]}', '-created_at', 1),
      ('Overdue', '{"overdue":true}', 'due_at', 2),
      ('All open', '{"status_category":["new","open","pending","on_hold"]}', '-updated_at', 3)
    ) AS v(name, filters, sort, position);
  `)
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only')
}
