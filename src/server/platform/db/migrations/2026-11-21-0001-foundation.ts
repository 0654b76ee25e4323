import type { Kysely } from 'kysely'
import { runScript } from '../sql-script.js'

/**
 * Identity and tenancy: organizations (the tenant root), global user identities and their
 * sessions, and the tenant-owned tables — roles, memberships, teams, invitations, API keys,
 * audit events and the outbox. Frozen: change the schema in a new migration.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `
    DO $$ BEGIN
      CREATE ROLE aidly_app NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$;
    DO $$ BEGIN
      EXECUTE format('GRANT aidly_app TO %I', current_user);
    EXCEPTION WHEN others THEN NULL;
    END $$;
    GRANT USAGE ON SCHEMA public TO aidly_app;

    CREATE FUNCTION app_tenant_id() RETURNS uuid LANGUAGE sql STABLE AS
      $f$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $f$;
    CREATE FUNCTION app_user_id() RETURNS uuid LANGUAGE sql STABLE AS
      $f$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $f$;

    CREATE TABLE organizations (
      id uuid PRIMARY KEY,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
      time_zone text NOT NULL DEFAULT 'UTC',
      locale text NOT NULL DEFAULT 'en',
      ticket_prefix text NOT NULL DEFAULT 'TKT',
      branding jsonb NOT NULL DEFAULT '{}',
      settings jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE users (
      id uuid PRIMARY KEY,
      email text NOT NULL CHECK (length(email) <= 320),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      password_hash text,
      avatar_url text,
      locale text,
      time_zone text,
      totp_secret text,
      totp_enabled_at timestamptz,
      failed_login_count integer NOT NULL DEFAULT 0,
      locked_until timestamptz,
      last_login_at timestamptz,
      last_login_ip text,
      password_changed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX users_email_key ON users (lower(email));

    CREATE TABLE user_backup_codes (
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      code_hash text NOT NULL,
      used_at timestamptz,
      PRIMARY KEY (user_id, code_hash)
    );

    CREATE TABLE password_resets (
      token_hash text PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX password_resets_user ON password_resets (user_id);

    CREATE TABLE sessions (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      user_agent text,
      ip text,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      revoked_reason text
    );
    CREATE INDEX sessions_user ON sessions (user_id, created_at DESC);

    CREATE TABLE refresh_tokens (
      token_hash text PRIMARY KEY,
      session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

    CREATE TABLE roles (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,49}$'),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      description text,
      kind text NOT NULL CHECK (kind IN ('staff', 'customer')),
      permissions text[] NOT NULL DEFAULT '{}',
      ticket_scope text NOT NULL CHECK (ticket_scope IN ('all', 'team', 'own', 'requested')),
      is_system boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      UNIQUE (tenant_id, key)
    );

    CREATE TABLE memberships (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      role_id uuid NOT NULL,
      is_active boolean NOT NULL DEFAULT true,
      title text,
      deactivated_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      UNIQUE (tenant_id, user_id),
      FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id)
    );
    CREATE INDEX memberships_user ON memberships (user_id);
    CREATE INDEX memberships_role ON memberships (tenant_id, role_id);

    CREATE TABLE teams (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      description text,
      parent_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, parent_id) REFERENCES teams (tenant_id, id) ON DELETE SET NULL (parent_id)
    );
    CREATE UNIQUE INDEX teams_name_key ON teams (tenant_id, lower(name));

    CREATE TABLE team_members (
      tenant_id uuid NOT NULL,
      team_id uuid NOT NULL,
      user_id uuid NOT NULL,
      is_lead boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, team_id, user_id),
      FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id) ON DELETE CASCADE
    );
    CREATE INDEX team_members_user ON team_members (tenant_id, user_id);

    CREATE TABLE invitations (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      email text NOT NULL,
      name text,
      role_id uuid NOT NULL,
      team_ids uuid[] NOT NULL DEFAULT '{}',
      token_hash text NOT NULL UNIQUE,
      invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      accepted_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id) ON DELETE CASCADE
    );
    CREATE UNIQUE INDEX invitations_pending_email ON invitations (tenant_id, lower(email))
      WHERE accepted_at IS NULL AND revoked_at IS NULL;
    CREATE INDEX invitations_list ON invitations (tenant_id, created_at DESC);

    CREATE TABLE api_keys (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      prefix text NOT NULL,
      key_hash text NOT NULL UNIQUE,
      role_id uuid NOT NULL,
      created_by uuid REFERENCES users (id) ON DELETE SET NULL,
      last_used_at timestamptz,
      expires_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id) ON DELETE CASCADE
    );

    CREATE TABLE audit_events (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      actor_id uuid,
      action text NOT NULL,
      subject_type text NOT NULL,
      subject_id uuid,
      data jsonb NOT NULL DEFAULT '{}',
      ip text,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id)
    );
    CREATE INDEX audit_events_list ON audit_events (tenant_id, created_at DESC);
    CREATE INDEX audit_events_actor ON audit_events (tenant_id, actor_id, created_at DESC);
    CREATE INDEX audit_events_subject ON audit_events (tenant_id, subject_type, subject_id, created_at DESC);

    CREATE TABLE outbox (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      type text NOT NULL,
      payload jsonb NOT NULL DEFAULT '{}',
      attempts integer NOT NULL DEFAULT 0,
      available_at timestamptz NOT NULL DEFAULT now(),
      dispatched_at timestamptz,
      failed_at timestamptz,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id)
    );
    CREATE INDEX outbox_pending ON outbox (available_at) WHERE dispatched_at IS NULL AND failed_at IS NULL;
  `)

  // Row-level security: the app role sees only the rows of the tenant set for the transaction.
  for (const table of ['roles', 'memberships', 'teams', 'team_members', 'invitations', 'api_keys', 'audit_events', 'outbox']) {
    await runScript(db, `
      ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON ${table}
        USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
      GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO aidly_app;
    `)
  }
  await runScript(db, `
    ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
    CREATE POLICY tenant_isolation ON organizations USING (id = app_tenant_id()) WITH CHECK (id = app_tenant_id());
    GRANT SELECT, UPDATE ON organizations TO aidly_app;

    -- Identities are global; the app role sees only people who belong to the current tenant.
    ALTER TABLE users ENABLE ROW LEVEL SECURITY;
    CREATE POLICY tenant_members ON users
      USING (id = app_user_id() OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id));
    GRANT SELECT, UPDATE ON users TO aidly_app;
  `)
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only')
}
