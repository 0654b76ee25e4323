import type { Kysely } from 'kysely'
import { runScript } from '../sql-script.js'

/**
 * The email channel.
 *
 * - `email_accounts`: an organization's mailboxes — IMAP to fetch, SMTP to send, defaults for the
 *   tickets they open. Passwords and OAuth tokens are stored encrypted (AES-GCM, key derived from
 *   AIDLY_SECRET); the columns hold ciphertext only. An address belongs to one mailbox across all
 *   organizations, so mail arriving by SMTP routes to exactly one of them. `imap_uidvalidity` and
 *   `imap_last_uid` remember how far the mailbox was read, so nothing is fetched twice or skipped
 *   across restarts.
 * - `email_messages`: every message in or out. An inbound message is recorded here (with its raw
 *   bytes in the file store) before anything else happens to it, then processed from this table:
 *   `status = 'received'` rows are the queue, taken with a lease (`locked_until`) so a crashed
 *   worker's message is taken again later, and processed in one transaction with the ticket or
 *   comment it produces, so a crash neither loses nor duplicates anything. Outbound mail is queued
 *   here (`status = 'queued'`) in the transaction of the reply that causes it and sent with
 *   retries; a send that keeps failing ends `failed` with its error. Message ids are what replies
 *   are threaded by.
 * - `email_templates`: an organization's own wording of the mails Aidly sends; absent rows mean
 *   the built-in text.
 * - `tickets.cc_emails` and `tickets.email_account_id`: who is copied on a ticket's mail, and the
 *   mailbox its replies go out through.
 * Frozen: change the schema in a new migration.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `
    CREATE TABLE email_accounts (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
      address text NOT NULL CHECK (address = lower(address) AND address LIKE '%_@_%'),
      imap_host text,
      imap_port integer CHECK (imap_port BETWEEN 1 AND 65535),
      imap_tls boolean NOT NULL DEFAULT true,
      imap_username text,
      imap_password text,
      imap_mailbox text NOT NULL DEFAULT 'INBOX',
      smtp_host text,
      smtp_port integer CHECK (smtp_port BETWEEN 1 AND 65535),
      smtp_security text NOT NULL DEFAULT 'starttls' CHECK (smtp_security IN ('tls', 'starttls', 'none')),
      smtp_username text,
      smtp_password text,
      oauth_token text,
      default_team_id uuid,
      default_priority text CHECK (default_priority IN ('low', 'medium', 'high', 'urgent')),
      default_category_id uuid,
      auto_create boolean NOT NULL DEFAULT true,
      is_active boolean NOT NULL DEFAULT true,
      status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'ok', 'error')),
      last_sync_at timestamptz,
      last_error text,
      last_error_at timestamptz,
      imap_uidvalidity bigint,
      imap_last_uid bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, default_team_id) REFERENCES teams (tenant_id, id) ON DELETE SET NULL (default_team_id),
      FOREIGN KEY (tenant_id, default_category_id) REFERENCES ticket_categories (tenant_id, id) ON DELETE SET NULL (default_category_id)
    );
    CREATE UNIQUE INDEX email_accounts_address ON email_accounts (address);

    CREATE TABLE email_messages (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      account_id uuid,
      direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
      channel text NOT NULL CHECK (channel IN ('imap', 'smtp', 'api', 'reply', 'acknowledgement', 'resolved')),
      message_id text NOT NULL,
      in_reply_to text,
      reference_ids text[] NOT NULL DEFAULT '{}',
      from_address text,
      from_name text,
      to_addresses text[] NOT NULL DEFAULT '{}',
      cc_addresses text[] NOT NULL DEFAULT '{}',
      subject text NOT NULL DEFAULT '',
      raw_key text CHECK (raw_key ~ '^[0-9a-f]{64}$'),
      raw_size bigint NOT NULL DEFAULT 0,
      status text NOT NULL CHECK (status IN ('received', 'processed', 'dropped', 'unrouted', 'discarded', 'queued', 'sent', 'failed')),
      outcome text CHECK (outcome IN ('ticket_created', 'comment_added', 'duplicate', 'dropped')),
      reason text,
      ticket_id uuid,
      comment_id uuid,
      attempts integer NOT NULL DEFAULT 0,
      available_at timestamptz NOT NULL DEFAULT now(),
      locked_until timestamptz,
      last_error text,
      imap_uid bigint,
      received_at timestamptz NOT NULL DEFAULT now(),
      processed_at timestamptz,
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, account_id) REFERENCES email_accounts (tenant_id, id) ON DELETE SET NULL (account_id),
      FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE SET NULL (ticket_id),
      FOREIGN KEY (tenant_id, comment_id) REFERENCES comments (tenant_id, id) ON DELETE SET NULL (comment_id)
    );
    CREATE INDEX email_messages_message_id ON email_messages (tenant_id, message_id);
    CREATE INDEX email_messages_inbound_queue ON email_messages (available_at) WHERE status = 'received';
    CREATE INDEX email_messages_outbound_queue ON email_messages (available_at) WHERE status = 'queued';
    CREATE INDEX email_messages_ticket ON email_messages (tenant_id, ticket_id, received_at) WHERE ticket_id IS NOT NULL;
    CREATE INDEX email_messages_list ON email_messages (tenant_id, status, received_at DESC);
    CREATE INDEX email_messages_account ON email_messages (tenant_id, account_id, received_at DESC);
    CREATE INDEX email_messages_sender ON email_messages (tenant_id, from_address, received_at) WHERE direction = 'inbound';

    CREATE TABLE email_templates (
      tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      key text NOT NULL CHECK (key IN ('ticket_created', 'agent_reply', 'ticket_resolved')),
      subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
      enabled boolean NOT NULL DEFAULT true,
      updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, key)
    );

    ALTER TABLE tickets ADD COLUMN cc_emails text[] NOT NULL DEFAULT '{}';
    ALTER TABLE tickets ADD COLUMN email_account_id uuid;
    ALTER TABLE tickets ADD FOREIGN KEY (tenant_id, email_account_id) REFERENCES email_accounts (tenant_id, id) ON DELETE SET NULL (email_account_id);
  `)
  for (const table of ['email_accounts', 'email_messages', 'email_templates']) {
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
