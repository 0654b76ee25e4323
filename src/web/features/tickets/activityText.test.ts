import i18next, { type TFunction } from 'i18next'
import { beforeAll, describe, expect, it } from 'vitest'
import de from '../../i18n/locales/de'
import en from '../../i18n/locales/en'
import { activitySentence, TICKET_MARK } from './activityText'
import type { ActivityItem } from './shared'

let t: TFunction
let tDe: TFunction
beforeAll(async () => {
  const i18n = i18next.createInstance()
  await i18n.init({ lng: 'en', resources: { en: { translation: en }, de: { translation: de } }, interpolation: { escapeValue: false } })
  t = i18n.getFixedT('en')
  tDe = i18n.getFixedT('de')
})

const ticket = { id: 't1', number: 4, ticket_number: 'TKT-000004', subject: 'Printer is on fire' }
const andy = { id: 'u1', name: 'Andy Agent' }
const history = (field: string, old_value: unknown, new_value: unknown, actor: ActivityItem['actor'] = andy): ActivityItem =>
  ({ kind: 'history', id: 'h1', ticket, actor, at: '2026-12-07T10:00:00.000Z', field, old_value, new_value })
const comment = (is_internal: boolean, actor: ActivityItem['actor']): ActivityItem =>
  ({ kind: 'comment', id: 'c1', ticket, actor, at: '2026-12-07T10:00:00.000Z', comment: { id: 'c1', is_internal, excerpt: 'Hello' } })

/** The sentence as read, with the ticket's link text where the mark is. */
const read = (item: ActivityItem, tf = t) => activitySentence(item, tf, 'en').split(TICKET_MARK).join('TKT-000004 Printer is on fire')

describe('activitySentence', () => {
  it('says who replied or added an internal note, and where', () => {
    expect(read(comment(false, { id: 'k1', name: 'Cora Customer' }))).toBe('Cora Customer replied on TKT-000004 Printer is on fire')
    expect(read(comment(true, andy))).toBe('Andy Agent added an internal note on TKT-000004 Printer is on fire')
    expect(read(comment(false, null))).toBe('Someone replied on TKT-000004 Printer is on fire')
  })

  it('puts each change in words, with names and translated values', () => {
    const open = { id: 's1', name: 'Open', category: 'open' }
    const pending = { id: 's2', name: 'Pending', category: 'pending' }
    expect(read(history('created', null, { number: 4, subject: 'Printer is on fire', status: open }))).toBe('Andy Agent opened TKT-000004 Printer is on fire')
    expect(read(history('status', open, pending))).toBe('Andy Agent changed the status to Pending on TKT-000004 Printer is on fire')
    expect(read(history('priority', 'low', 'urgent'))).toBe('Andy Agent changed the priority to Urgent on TKT-000004 Printer is on fire')
    expect(read(history('assignee', null, { id: 'u2', name: 'Sam' }))).toBe('Andy Agent assigned TKT-000004 Printer is on fire to Sam')
    expect(read(history('assignee', { id: 'u2', name: 'Sam' }, null))).toBe('Andy Agent unassigned TKT-000004 Printer is on fire')
    expect(read(history('team', null, { id: 'x', name: 'Billing' }))).toBe('Andy Agent moved TKT-000004 Printer is on fire to the team Billing')
    expect(read(history('description', null, null))).toBe('Andy Agent edited the description of TKT-000004 Printer is on fire')
    expect(read(history('due_at', '2026-12-01T10:00:00Z', null))).toBe('Andy Agent cleared the due date on TKT-000004 Printer is on fire')
    expect(read(history('custom_fields.plan', 'free', 'pro'))).toBe('Andy Agent changed plan to pro on TKT-000004 Printer is on fire')
  })

  it('names the other ticket of a merge, split or link', () => {
    expect(read(history('merged', null, { from: { id: 't2', ticket_number: 'TKT-000009' }, moved: {} }))).toBe('Andy Agent merged TKT-000009 into TKT-000004 Printer is on fire')
    expect(read(history('merged', null, { into: { id: 't2', ticket_number: 'TKT-000009' } }))).toBe('Andy Agent merged TKT-000004 Printer is on fire into TKT-000009')
    expect(read(history('split', null, { comment_id: 'c', from: { id: 't2', ticket_number: 'TKT-000009' } }))).toBe('Andy Agent opened TKT-000004 Printer is on fire from a reply on TKT-000009')
    expect(read(history('linked', null, { id: 't2', ticket_number: 'TKT-000009', kind: 'related' }))).toBe('Andy Agent linked TKT-000004 Printer is on fire to TKT-000009')
    expect(read(history('linked', { id: 't2', kind: 'related' }, null))).toBe('Andy Agent unlinked TKT-000004 Printer is on fire from another ticket')
  })

  it('falls back to “updated” for a change it has no words for, and to “Someone” without an actor', () => {
    expect(read(history('something_new', 1, 2))).toBe('Andy Agent updated TKT-000004 Printer is on fire')
    expect(read(history('created', null, {}, null))).toBe('Someone opened TKT-000004 Printer is on fire')
    expect(read(history('email_failed', null, { error: 'x' }, null))).toBe('An email about TKT-000004 Printer is on fire could not be sent')
  })

  it('speaks the UI language, with the ticket where that language puts it', () => {
    expect(read(comment(false, { id: 'k1', name: 'Cora' }), tDe)).toBe('Cora hat auf TKT-000004 Printer is on fire geantwortet')
    expect(read(history('status', { id: 's1', name: 'Open', category: 'open' }, { id: 's2', name: 'Pending', category: 'pending' }), tDe))
      .toBe('Andy Agent hat den Status von TKT-000004 Printer is on fire auf Wartend geändert')
  })
})
