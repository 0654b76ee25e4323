import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { post } from '../process/server-process.js'
import {
  chromiumAvailability,
  focusedName,
  hasHorizontalScroll,
  screenshot,
  E2E_PASSWORD,
  useBrowserSuite,
} from './browser.js'

// The admin's email settings in headless Chromium against the real `aidly serve` process
// (embedded PGlite, fresh data dir): mailboxes, unrouted and dropped mail, templates, and the
// permission gate. Each test registers its own organization over the API and opens its own
// browser context, so it starts signed out.

const PASSWORD = E2E_PASSWORD
const chromiumState = chromiumAvailability()

if (chromiumState.state === 'skip') {
  console.warn(`[e2e] ${chromiumState.reason}`)
  describe('email settings in Chromium', () => {
    it.skip(chromiumState.reason, () => {})
  })
}

describe.skipIf(chromiumState.state === 'skip')('email settings in Chromium', () => {
  const suite = useBrowserSuite('email')
  const { api, expectAccessible, register, addMember, signIn } = suite

  /** Delivers a raw message the way an MTA pipe would: POST /email/inbound, message/rfc822. */
  async function deliver(token: string, raw: string) {
    const res = await fetch(api('/email/inbound'), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'message/rfc822' },
      body: raw.replace(/\r?\n/g, '\r\n'),
    })
    const json: any = await res.json()
    expect(res.ok, JSON.stringify(json)).toBe(true)
    return json.data as { id: string; status: string; reason: string | null }
  }

  const welcome = (page: Page, name: string) => page.getByRole('heading', { name: `Welcome, ${name}` })
  const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' })
  const mailboxItem = (page: Page, name: string) =>
    page.locator('li.mailbox').filter({ has: page.getByRole('heading', { name, exact: true }) })

  it('adds a mailbox through the form, lists it, tests and syncs it, edits and deletes it', async () => {
    await register('Email Admins Inc', 'Erin Email', 'erin@email-admins.example')
    const page = await suite.pages.newPage()
    await signIn(page, 'erin@email-admins.example')
    await welcome(page, 'Erin Email').waitFor()

    // The settings live behind the header's Settings link; Email is one of its sections.
    await mainNav(page).getByRole('link', { name: 'Settings' }).click()
    await page.waitForURL('**/settings/organization')
    await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Email' }).click()
    await page.waitForURL('**/settings/email')
    await page.getByRole('heading', { name: 'Email settings', level: 1 }).waitFor()
    await page.getByRole('heading', { name: 'Mailboxes', level: 2 }).waitFor()
    await page.getByText('No mailboxes yet').waitFor()
    expect(await page.title()).toContain('Mailboxes')
    await expectAccessible(page, 'mailboxes (empty)')

    await page.getByRole('link', { name: 'Add mailbox' }).click()
    await page.waitForURL('**/settings/email/new')
    await page.getByRole('heading', { name: 'New mailbox' }).waitFor()
    await expectAccessible(page, 'new mailbox form')
    await screenshot(page, 'email-mailbox-new')

    // An empty form is refused on the client, field by field, with focus on the first.
    await page.getByRole('button', { name: 'Add mailbox' }).click()
    await expect.poll(() => page.locator('[aria-invalid="true"]').count()).toBeGreaterThanOrEqual(4)
    expect(await focusedName(page)).toBe('name')
    await expectAccessible(page, 'new mailbox form with errors')

    const incoming = page.getByRole('group', { name: 'Incoming mail (IMAP)' })
    const outgoing = page.getByRole('group', { name: 'Outgoing mail (SMTP)' })
    await page.getByLabel('Name', { exact: true }).fill('Help Desk')
    await page.getByLabel('Email address').fill('help@email-admins.example')
    // 127.0.0.1:9 (discard) refuses connections: a mail server that cannot be reached.
    await incoming.getByLabel('Server', { exact: true }).fill('127.0.0.1')
    await incoming.getByLabel('Port', { exact: true }).fill('9')
    await incoming.getByLabel('Use TLS from the start (implicit TLS)').uncheck()
    await incoming.getByLabel('Username', { exact: true }).fill('help')
    await incoming.getByLabel('Password', { exact: true }).fill('imap secret')
    await outgoing.getByLabel('Send replies through this mailbox’s own SMTP server').check()
    await outgoing.getByLabel('Server', { exact: true }).fill('127.0.0.1')
    await outgoing.getByLabel('Port', { exact: true }).fill('9')
    await outgoing.getByLabel('Security').selectOption('none')
    await page.getByLabel('Priority').selectOption('high')
    await page.getByRole('button', { name: 'Add mailbox' }).click()

    await page.waitForURL((url) => url.pathname === '/settings/email')
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'added' }).first().innerText()).toContain('Mailbox “Help Desk” added.')
    const item = mailboxItem(page, 'Help Desk')
    await item.waitFor()
    const text = await item.innerText()
    expect(text).toContain('help@email-admins.example')
    expect(text).toContain('Never synced')
    expect(text).toContain('127.0.0.1:9')
    await expectAccessible(page, 'mailboxes')

    // Test connection: both servers refuse, and the page says so with the server's reason.
    await item.getByRole('button', { name: 'Test connection: Help Desk' }).click()
    const results = item.locator('.mailbox-results')
    await expect.poll(() => results.innerText()).toMatch(/IMAP failed: .*ECONNREFUSED/)
    expect(await results.innerText()).toMatch(/SMTP failed: .*ECONNREFUSED/)
    await screenshot(page, 'email-mailbox-test-failed')

    // Sync now: the server's 502 message, and the mailbox turns to Error with its last error.
    await item.getByRole('button', { name: 'Sync now: Help Desk' }).click()
    await expect.poll(() => results.innerText()).toMatch(/Sync failed\. .*ECONNREFUSED/)
    await expect.poll(() => item.locator('.status').innerText()).toContain('Error')
    expect(await item.innerText()).toMatch(/Last error, .*ECONNREFUSED/)
    await expectAccessible(page, 'mailboxes after test and sync')
    await screenshot(page, 'email-mailboxes')

    // A second mailbox may not take the same address: the 409 lands on the address field.
    await page.getByRole('link', { name: 'Add mailbox' }).click()
    await page.getByLabel('Name', { exact: true }).fill('Copy')
    await page.getByLabel('Email address').fill('help@email-admins.example')
    await page.getByRole('checkbox', { name: 'Fetch mail from an IMAP mailbox' }).uncheck()
    await page.getByRole('button', { name: 'Add mailbox' }).click()
    await expect.poll(() => page.locator('.field-error').innerText()).toBe('Another mailbox already receives mail for this address.')
    expect(await focusedName(page)).toBe('address')
    await page.getByRole('link', { name: 'Cancel' }).click()

    // Edit: the stored password is not shown, only that it is set; leaving it empty keeps it.
    await mailboxItem(page, 'Help Desk').getByRole('link', { name: 'Edit Help Desk' }).click()
    await page.getByRole('heading', { name: 'Edit mailbox' }).waitFor()
    const imapPassword = page.getByRole('group', { name: 'Incoming mail (IMAP)' }).getByLabel('Password', { exact: true })
    expect(await imapPassword.inputValue()).toBe('')
    expect(await imapPassword.getAttribute('aria-describedby')).toBeTruthy()
    expect(await page.getByRole('group', { name: 'Incoming mail (IMAP)' }).innerText()).toContain('Set — leave empty to keep')
    expect(await page.getByLabel('Priority').inputValue()).toBe('high')
    await expectAccessible(page, 'edit mailbox form')
    await page.getByLabel('Name', { exact: true }).fill('Help Desk EU')
    await page.getByRole('button', { name: 'Save changes' }).click()
    await page.waitForURL((url) => url.pathname === '/settings/email')
    await mailboxItem(page, 'Help Desk EU').waitFor()
    const token = await post(api('/auth/login'), { email: 'erin@email-admins.example', password: PASSWORD })
    const listed = await fetch(api('/email/accounts'), { headers: { authorization: `Bearer ${token.json.data.access_token}` } })
    const [saved] = ((await listed.json()) as any).data
    expect(saved).toMatchObject({ name: 'Help Desk EU', imap: { has_password: true, port: 9, tls: false }, smtp: { security: 'none' }, default_priority: 'high' })

    // Delete asks first; Escape backs out, the confirm button deletes.
    await mailboxItem(page, 'Help Desk EU').getByRole('button', { name: 'Delete Help Desk EU' }).click()
    const dialog = page.getByRole('dialog', { name: 'Delete this mailbox?' })
    await dialog.waitFor()
    await expectAccessible(page, 'delete mailbox dialog')
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
    await mailboxItem(page, 'Help Desk EU').getByRole('button', { name: 'Delete Help Desk EU' }).click()
    await dialog.getByRole('button', { name: 'Delete mailbox' }).click()
    await expect.poll(() => page.locator('main').innerText()).toContain('Mailbox “Help Desk EU” deleted.')
    await page.getByText('No mailboxes yet').waitFor()
  })

  it('lists unrouted mail, assigns one message to a ticket, discards another, and shows dropped mail', async () => {
    const owner = await register('Routing Works', 'Rita Routing', 'rita@routing.example')
    const auth = { authorization: `Bearer ${owner.access_token}`, 'content-type': 'application/json' }
    const ticket = await fetch(api('/tickets'), { method: 'POST', headers: auth, body: JSON.stringify({ subject: 'Printer on fire' }) })
    expect(ticket.status).toBe(201)
    const ticketNumber = ((await ticket.json()) as any).data.ticket_number as string

    const lost = await deliver(
      owner.access_token,
      'From: Lou Lost <lou@customer.example>\nTo: nobody@nowhere.example\nSubject: Where does this go?\nMessage-ID: <lost-1@customer.example>\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n\nHello, is anyone there?\n',
    )
    expect(lost).toMatchObject({ status: 'unrouted', reason: 'no_matching_mailbox' })
    await deliver(
      owner.access_token,
      'From: Pat Printer <pat@customer.example>\nTo: wrong@nowhere.example\nSubject: About the printer\nMessage-ID: <lost-2@customer.example>\nDate: Mon, 1 Jan 2024 11:00:00 +0000\n\nIt is still smoking.\n',
    )
    // An automatic reply to one of the organization's mailboxes is dropped. (One to an unknown
    // address waits in the unrouted queue instead: the server routes before it classifies.)
    const mailbox = await fetch(api('/email/accounts'), { method: 'POST', headers: auth, body: JSON.stringify({ name: 'Support', address: 'support@routing.example' }) })
    expect(mailbox.status).toBe(201)
    const dropped = await deliver(
      owner.access_token,
      'From: Robot <robot@customer.example>\nTo: support@routing.example\nSubject: Out of office\nAuto-Submitted: auto-replied\nMessage-ID: <auto-1@customer.example>\n\nI am away.\n',
    )
    expect(dropped.status).toBe('dropped')

    const page = await suite.pages.newPage()
    await signIn(page, 'rita@routing.example')
    await welcome(page, 'Rita Routing').waitFor()
    await page.goto('/settings/email/unrouted')
    await page.getByRole('heading', { name: 'Unrouted mail', level: 2 }).waitFor()
    const table = page.getByRole('table', { name: 'Mail waiting for an admin' })
    await table.waitFor()
    const lostRow = table.getByRole('row').filter({ hasText: 'Where does this go?' })
    expect(await lostRow.innerText()).toContain('lou@customer.example')
    expect(await lostRow.innerText()).toContain('No mailbox matches its recipients')
    expect(await table.getByRole('row').count()).toBe(3) // header + two messages
    await expectAccessible(page, 'unrouted mail')
    await screenshot(page, 'email-unrouted')

    // Download original: fetched with the token, saved as the .eml the server names.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      lostRow.getByRole('button', { name: 'Download original: Where does this go?' }).click(),
    ])
    expect(download.suggestedFilename()).toBe(`message-${lost.id}.eml`)
    expect(readFileSync((await download.path())!, 'utf8')).toContain('Subject: Where does this go?')

    // Assign to ticket: find it by number, pick it, assign.
    const printerRow = table.getByRole('row').filter({ hasText: 'About the printer' })
    await printerRow.getByRole('button', { name: 'Assign to ticket: About the printer' }).click()
    const assignDialog = page.getByRole('dialog', { name: 'Assign to a ticket' })
    await assignDialog.getByLabel('Ticket number or subject').fill(ticketNumber.replace(/^\D+-0*/, ''))
    await assignDialog.getByRole('button', { name: 'Search' }).click()
    await assignDialog.getByRole('radio', { name: new RegExp(`${ticketNumber} Printer on fire`) }).check()
    await expectAccessible(page, 'assign dialog')
    await assignDialog.getByRole('button', { name: 'Assign', exact: true }).click()
    await expect.poll(() => page.locator('main').innerText()).toContain(`“About the printer” was added to ticket ${ticketNumber}.`)
    await expect.poll(() => table.getByRole('row').count()).toBe(2)

    // Retry: still no mailbox for it, so it stays, and the page says why.
    await lostRow.getByRole('button', { name: 'Retry: Where does this go?' }).click()
    await expect.poll(() => page.locator('main').innerText()).toContain('it is still waiting (No mailbox matches its recipients)')

    // Discard, after confirming.
    await lostRow.getByRole('button', { name: 'Discard: Where does this go?' }).click()
    const discardDialog = page.getByRole('dialog', { name: 'Discard this message?' })
    expect(await discardDialog.innerText()).toContain('lou@customer.example')
    await discardDialog.getByRole('button', { name: 'Discard message' }).click()
    await expect.poll(() => page.locator('main').innerText()).toContain('“Where does this go?” was discarded.')
    await page.getByText('No mail is waiting.').waitFor()
    await expectAccessible(page, 'unrouted mail (empty)')

    // The Dropped list, with the reason in words.
    await page.getByRole('navigation', { name: 'Message lists' }).getByRole('link', { name: 'Dropped' }).click()
    const droppedTable = page.getByRole('table', { name: 'Dropped mail' })
    await droppedTable.waitFor()
    const droppedRow = droppedTable.getByRole('row').filter({ hasText: 'Out of office' })
    expect(await droppedRow.innerText()).toContain('Automatic reply')
    expect(await droppedRow.innerText()).toContain('robot@customer.example')
    await expectAccessible(page, 'dropped mail')
    await screenshot(page, 'email-dropped')
  })

  it('refuses a template with an unknown placeholder, then saves and resets it', async () => {
    await register('Template Shop', 'Tess Template', 'tess@templates.example')
    const page = await suite.pages.newPage()
    await signIn(page, 'tess@templates.example')
    await welcome(page, 'Tess Template').waitFor()
    await page.goto('/settings/email/templates')
    await page.getByRole('heading', { name: 'Templates', level: 2 }).waitFor()
    for (const name of ['New ticket acknowledgement', 'Agent reply', 'Ticket resolved']) {
      await page.getByRole('heading', { name, level: 3 }).waitFor()
    }
    await expectAccessible(page, 'templates')

    const reply = page.getByRole('form', { name: 'Agent reply' })
    await reply.getByText('Placeholders you can use').click()
    expect(await reply.innerText()).toContain('{{agent.name}}')
    const body = reply.getByLabel('Message')
    expect(await body.inputValue()).toContain('{{reply}}')

    await body.fill('{{reply}}\n\nBest wishes,\n{{agent.nmae}}')
    await reply.getByRole('button', { name: 'Save template' }).click()
    const error = reply.locator('.field-error')
    await expect.poll(() => error.innerText()).toBe('{{agent.nmae}} is not a known placeholder. Use one of those listed below.')
    expect(await body.getAttribute('aria-invalid')).toBe('true')
    expect(await focusedName(page)).toBe('body')
    await expectAccessible(page, 'templates with an error')
    await screenshot(page, 'email-template-error')

    await body.fill('{{reply}}\n\nBest wishes,\n{{agent.name}}')
    await reply.getByRole('button', { name: 'Save template' }).click()
    await expect.poll(() => reply.getByRole('status').innerText()).toContain('Template saved.')
    expect(await error.count()).toBe(0)
    await expect.poll(() => page.getByRole('region', { name: 'Agent reply' }).locator('.badge').first().innerText()).toBe('Customized')

    // It stays saved.
    await page.reload()
    expect(await page.getByRole('form', { name: 'Agent reply' }).getByLabel('Message').inputValue()).toContain('Best wishes,')

    await page.getByRole('form', { name: 'Agent reply' }).getByRole('button', { name: 'Reset to default' }).click()
    await page.getByRole('dialog', { name: 'Reset this template?' }).getByRole('button', { name: 'Reset template' }).click()
    await expect.poll(() => page.getByRole('form', { name: 'Agent reply' }).getByRole('status').innerText()).toContain('The default wording is back.')
    expect(await page.getByRole('form', { name: 'Agent reply' }).getByLabel('Message').inputValue()).not.toContain('Best wishes,')
  })

  it('hides Settings from an agent, who is refused at /settings/email', async () => {
    const owner = await register('Agents Only', 'Olga Owner', 'olga@agents-only.example')
    await addMember(owner.access_token, 'andy@agents-only.example', 'agent', 'Andy Agent')
    const page = await suite.pages.newPage()
    await signIn(page, 'andy@agents-only.example')
    await welcome(page, 'Andy Agent').waitFor()
    await mainNav(page).getByRole('link', { name: 'Home' }).waitFor()
    expect(await mainNav(page).getByRole('link', { name: 'Settings' }).count()).toBe(0)

    await page.goto('/settings/email')
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor()
    expect(await page.locator('main').innerText()).not.toContain('Mailboxes')
    await expectAccessible(page, 'not allowed')
    await page.goto('/settings/email/templates')
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor()
  })

  it('fits a phone screen in dark mode, with the settings still accessible', async () => {
    const owner = await register('Small Screens', 'Sid Small', 'sid@small.example')
    const headers = { authorization: `Bearer ${owner.access_token}`, 'content-type': 'application/json' }
    const created = await fetch(api('/email/accounts'), {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'Support', address: 'support@small.example', smtp: { host: 'smtp.small.example', security: 'starttls' } }),
    })
    expect(created.status).toBe(201)
    await deliver(owner.access_token, 'From: someone.with.a.very.long.address@customer.example\nTo: nobody@nowhere.example\nSubject: A rather long subject line that keeps going and going\n\nHi\n')

    const page = await suite.pages.newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, colorScheme: 'dark' })
    await signIn(page, 'sid@small.example')
    await welcome(page, 'Sid Small').waitFor()
    for (const [route, heading] of [
      ['/settings/email', 'Mailboxes'],
      ['/settings/email/new', 'New mailbox'],
      ['/settings/email/unrouted', 'Unrouted mail'],
      ['/settings/email/templates', 'Templates'],
    ] as const) {
      await page.goto(route)
      await page.getByRole('heading', { name: heading, level: 2 }).waitFor()
      await page.locator('.loading').waitFor({ state: 'detached' })
      expect(await hasHorizontalScroll(page), `horizontal scroll on ${route}`).toBe(false)
      await expectAccessible(page, `${route} (phone, dark)`)
    }
    await screenshot(page, 'email-templates-phone-dark')
  })
})
