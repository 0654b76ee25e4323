import type { Kysely } from 'kysely'
import { runScript } from '../sql-script.js'

/**
 * In-app notifications and portal sign-up.
 *
 * - `notifications`: what a person is told about in the app's bell — being @mentioned in a note
 *   or reply, or having a ticket assigned to them. Written by outbox handlers after the change
 *   committed; one row per recipient; `read_at` set when they open it or mark all read.
 * - `portal_signups`: a customer's request to join an organization's portal, waiting for them to
 *   prove the address is theirs by opening the link mailed to it. Only the token's hash is kept;
 *   the password they chose waits here hashed and becomes their password only if the address
 *   has no account yet. Nothing is created for the address until the link is opened, so signing
 *   up as somebody else's address grants nothing.
 * Frozen: change the schema in a new migration.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `
    CREATE TABLE notifications (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('mention', 'assignment')),
      ticket_id uuid NOT NULL,
      comment_id uuid,
      actor_id uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz,
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE
    );
    CREATE INDEX notifications_recipient ON notifications (tenant_id, user_id, created_at DESC);
    CREATE INDEX notifications_unread ON notifications (tenant_id, user_id) WHERE read_at IS NULL;

    CREATE TABLE portal_signups (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      token_hash text PRIMARY KEY,
      email text NOT NULL,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      password_hash text NOT NULL,
      locale text,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX portal_signups_email ON portal_signups (tenant_id, lower(email), created_at DESC);

  `)
  for (const table of ['notifications', 'portal_signups']) {
    await runScript(db, `
      ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON ${table}
        USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
      GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO aidly_app;
    `)
  }
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only')
}
