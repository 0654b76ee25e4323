import { randomBytes } from 'node:crypto'
import { hmac } from '../../platform/auth/crypto.js'

/**
 * Reply tokens: every message Aidly sends about a ticket carries the ticket in its Message-ID
 * (`aidly.<ticket id>.<signature>.<random>@domain`), so the customer's reply — whose In-Reply-To
 * and References repeat it — finds its ticket even when the subject was changed. The signature
 * (an HMAC over organization and ticket with a key derived from AIDLY_SECRET) means a token can
 * only name a ticket we wrote about, and only within the organization it was issued for. The same
 * token in a recipient's plus-address (`support+aidly.<ticket>.<signature>@…`) is honoured too.
 */
const TOKEN = /aidly\.([0-9a-f]{32})\.([0-9a-f]{16})/g

function signature(key: Buffer, tenantId: string, ticketId: string): string {
  return hmac(key, `${tenantId}:${ticketId}`).slice(0, 16)
}

const compact = (uuid: string) => uuid.replace(/-/g, '').toLowerCase()
const expand = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`

/** The reply token for a ticket. */
export function replyToken(key: Buffer, tenantId: string, ticketId: string): string {
  return `aidly.${compact(ticketId)}.${signature(key, tenantId, ticketId)}`
}

/** A fresh Message-ID (without brackets) for a mail about a ticket. */
export function outboundMessageId(key: Buffer, tenantId: string, ticketId: string, domain: string): string {
  return `${replyToken(key, tenantId, ticketId)}.${randomBytes(6).toString('hex')}@${domain}`
}

/** The ticket ids named by valid tokens anywhere in these strings, first found first. */
export function ticketsFromTokens(key: Buffer, tenantId: string, values: readonly string[]): string[] {
  const found: string[] = []
  for (const value of values) {
    for (const m of value.toLowerCase().matchAll(TOKEN)) {
      const ticketId = expand(m[1]!)
      if (signature(key, tenantId, ticketId) === m[2] && !found.includes(ticketId)) found.push(ticketId)
    }
  }
  return found
}

/** The domain part of an address, for Message-IDs. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@')
  return at >= 0 ? address.slice(at + 1) : 'aidly.local'
}
