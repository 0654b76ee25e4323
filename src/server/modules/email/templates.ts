import type { EmailTemplateKey, Tx } from '../../platform/db/schema.js'
import { invalid } from '../../platform/errors.js'

export const TEMPLATE_KEYS: readonly EmailTemplateKey[] = ['ticket_created', 'agent_reply', 'ticket_resolved']

/** Placeholders a template may use. `reply` is the agent's message (its HTML in the HTML part). */
export const TEMPLATE_VARIABLES = [
  'ticket.number', 'ticket.subject', 'ticket.status', 'ticket.url',
  'requester.name', 'requester.email', 'agent.name', 'organization.name', 'reply',
] as const
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number]
export type TemplateValues = Partial<Record<TemplateVariable, string>> & { replyHtml?: string }

export interface TemplateText {
  subject: string
  body: string
  enabled: boolean
}

/** The built-in wording, used until an organization writes its own. */
export const DEFAULT_TEMPLATES: Record<EmailTemplateKey, TemplateText> = {
  ticket_created: {
    subject: '[{{ticket.number}}] {{ticket.subject}}',
    body: 'Hello {{requester.name}},\n\nThank you for contacting {{organization.name}}. We have received your message and opened ticket {{ticket.number}}; we will get back to you as soon as we can.\n\nTo add anything, just reply to this email.',
    enabled: true,
  },
  agent_reply: {
    subject: 'Re: [{{ticket.number}}] {{ticket.subject}}',
    body: '{{reply}}\n\n--\n{{agent.name}}\n{{organization.name}}',
    enabled: true,
  },
  ticket_resolved: {
    subject: '[{{ticket.number}}] {{ticket.subject}} (resolved)',
    body: 'Hello {{requester.name}},\n\nWe have marked ticket {{ticket.number}} as resolved. If anything is still not right, reply to this email and the ticket opens again.\n\n{{organization.name}}',
    enabled: true,
  },
}

/** Anything between double braces counts, so a misspelt placeholder is refused rather than sent as it is. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g

/** Refuses placeholders that are not in TEMPLATE_VARIABLES (400 naming the first unknown one). */
export function checkTemplate(field: 'subject' | 'body', text: string): void {
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (!(TEMPLATE_VARIABLES as readonly string[]).includes(m[1]!)) {
      throw invalid(field, `unknown placeholder {{${m[1]}}}; use one of ${TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(', ')}`)
    }
  }
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/**
 * Fills a template: the subject and text part with the values as they are, the HTML part from
 * the text with every value escaped — except `{{reply}}`, which is the reply's own sanitized HTML.
 */
export function renderTemplate(t: TemplateText, values: TemplateValues): { subject: string; text: string; html: string } {
  const fill = (s: string) => s.replace(PLACEHOLDER, (_m, name: string) => values[name as TemplateVariable] ?? '')
  const subject = fill(t.subject).replace(/\s+/g, ' ').trim().slice(0, 300)
  const text = fill(t.body)
  const asHtml = (s: string) => escapeHtml(s).replace(/\r?\n\r?\n+/g, '</p><p>').replace(/\r?\n/g, '<br>')
  let html = ''
  let last = 0
  for (const m of t.body.matchAll(PLACEHOLDER)) {
    html += asHtml(t.body.slice(last, m.index))
    const name = m[1] as TemplateVariable
    html += name === 'reply' ? `</p>${values.replyHtml ?? asHtml(values.reply ?? '')}<p>` : asHtml(values[name] ?? '')
    last = m.index + m[0].length
  }
  html = `<p>${html}${asHtml(t.body.slice(last))}</p>`.replace(/<p>(\s|<br>)*<\/p>/g, '')
  return { subject, text, html }
}

/** The organization's template for a key, or the built-in one. */
export async function loadTemplate(tx: Tx, tenantId: string, key: EmailTemplateKey): Promise<TemplateText & { customized: boolean }> {
  const row = await tx.selectFrom('email_templates').select(['subject', 'body', 'enabled'])
    .where('tenant_id', '=', tenantId).where('key', '=', key).executeTakeFirst()
  return row ? { ...row, customized: true } : { ...DEFAULT_TEMPLATES[key], customized: false }
}
