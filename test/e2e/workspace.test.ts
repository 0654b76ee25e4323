import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import {
  chromiumAvailability,
  hasHorizontalScroll,
  screenshot,
  useBrowserSuite,
} from './browser.js'

// The agent workspace in headless Chromium against the real `aidly serve` process (embedded
// PGlite, fresh data dir): the ticket list with live updates, keyboard and bulk actions; a
// ticket with presence, internal notes, replies and attachments; the home dashboard. Each test
// registers its own organization over the API and opens its own browser contexts.

const chromiumState = chromiumAvailability()

if (chromiumState.state === 'skip') {
  console.warn(`[e2e] ${chromiumState.reason}`)
  describe('agent workspace in Chromium', () => {
    it.skip(chromiumState.reason, () => {})
  })
}

describe.skipIf(chromiumState.state === 'skip')('agent workspace in Chromium', () => {
  const suite = useBrowserSuite('workspace')
  const { expectAccessible, call, register, addMember, signIn } = suite

  const welcome = (page: Page, name: string) => page.getByRole('heading', { name: `Welcome, ${name}` })
  const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' })
  const ticketRow = (page: Page, subject: string) => page.locator('tbody tr').filter({ has: page.getByRole('link', { name: subject, exact: true }) })
  /** The ticket (row id) whose link has the focus, if any. */
  const focusedRow = (page: Page) =>
    page.evaluate(() => ((globalThis as any).document.activeElement?.closest('tr[data-id]')?.getAttribute('data-id') as string | undefined) ?? null)
  const message = (page: Page, text: string) => page.locator('article.message').filter({ hasText: text })

  it('updates the list live, moves by keyboard, shows presence, adds a note and a reply, and bulk-closes', async () => {
    const owner = await register('Workspace Works', 'Wendy Owner', 'wendy@workspace.example')
    await addMember(owner.access_token, 'andy@workspace.example', 'agent', 'Andy Agent')
    const customer = await addMember(owner.access_token, 'cora@customer.example', 'customer', 'Cora Customer')
    const older = await call('POST', '/tickets', owner.access_token, { subject: 'Bulk close one', requester: { email: 'pat@customer.example', name: 'Pat Patron' } })
    const old2 = await call('POST', '/tickets', owner.access_token, { subject: 'Bulk close two', requester: { email: 'pat@customer.example', name: 'Pat Patron' } })
    await call('POST', '/tickets', owner.access_token, { subject: 'Keep me open', priority: 'high' })

    // The agent's home page counts their tickets; Tickets is in the main navigation.
    const agent = await suite.pages.newPage()
    await signIn(agent, 'andy@workspace.example')
    await welcome(agent, 'Andy Agent').waitFor()
    const dashboard = agent.getByRole('region', { name: 'Your tickets' })
    await expect.poll(() => dashboard.getByRole('link', { name: /Unassigned/ }).innerText()).toMatch(/^3\s+Unassigned$/)
    await expectAccessible(agent, 'home with the ticket dashboard')
    await screenshot(agent, 'workspace-home-dashboard')

    await mainNav(agent).getByRole('link', { name: 'Tickets' }).click()
    await agent.waitForURL('**/tickets')
    await agent.getByRole('heading', { name: 'All tickets', level: 2 }).waitFor()
    await ticketRow(agent, 'Keep me open').waitFor()
    await agent.locator('.live-open').waitFor() // the realtime connection is up
    await expectAccessible(agent, 'ticket list')

    // The customer opens a ticket over the API: it appears without a reload, at the top.
    const created = await call('POST', '/tickets', customer.access_token, {
      subject: 'Printer is on fire',
      description_text: 'Smoke is coming out of the paper tray.',
    })
    await ticketRow(agent, 'Printer is on fire').waitFor()
    expect(await ticketRow(agent, 'Printer is on fire').innerText()).toContain('Cora Customer')
    await expect.poll(() => agent.locator('tbody tr').first().getAttribute('data-id')).toBe(created.id)
    await screenshot(agent, 'workspace-list')

    // Keyboard: j and k move between tickets, x selects the focused one.
    const ids = await agent.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-id')))
    await agent.keyboard.press('j')
    expect(await focusedRow(agent)).toBe(ids[0])
    await agent.keyboard.press('j')
    await agent.keyboard.press('j')
    expect(await focusedRow(agent)).toBe(ids[2])
    await agent.keyboard.press('k')
    expect(await focusedRow(agent)).toBe(ids[1])
    await agent.keyboard.press('x')
    await expect.poll(() => agent.locator('.bulk-count').innerText()).toBe('1 ticket selected')
    expect(await agent.locator(`tr[data-id="${ids[1]}"] input[type=checkbox]`).isChecked()).toBe(true)
    await agent.keyboard.press('x')
    await expect.poll(() => agent.locator(`tr[data-id="${ids[1]}"] input[type=checkbox]`).isChecked()).toBe(false)
    // "/" goes to the search box.
    await agent.keyboard.press('/')
    expect(await agent.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('ticket-search')
    await agent.keyboard.press('Escape')

    // Enter opens the focused ticket.
    await agent.getByRole('link', { name: 'Printer is on fire' }).focus()
    await agent.keyboard.press('Enter')
    await agent.waitForURL(`**/tickets/${created.id}`)
    await agent.getByRole('heading', { name: /Printer is on fire/, level: 1 }).waitFor()
    expect(await message(agent, 'Smoke is coming out').innerText()).toContain('Cora Customer')

    // A second staff member (the admin) opens the same ticket: each sees the other.
    const admin = await suite.pages.newPage()
    await signIn(admin, 'wendy@workspace.example')
    await welcome(admin, 'Wendy Owner').waitFor()
    await admin.goto(`/tickets/${created.id}`)
    await admin.getByRole('heading', { name: /Printer is on fire/, level: 1 }).waitFor()
    await agent.getByText('Wendy Owner is viewing this ticket.').waitFor()
    await admin.getByText('Andy Agent is viewing this ticket.').waitFor()
    // …and sees when the other starts writing.
    await admin.getByLabel('Reply to the requester').pressSequentially('On it')
    await agent.getByText('Wendy Owner is replying…').waitFor()
    await screenshot(agent, 'workspace-ticket-presence')
    await admin.getByLabel('Reply to the requester').fill('')

    // An internal note: labelled as such, in words.
    await agent.getByRole('radio', { name: 'Internal note' }).check()
    await agent.getByLabel('Internal note (staff only)').fill('Checked the warranty: covered. Do not promise a refund yet.')
    await agent.getByRole('button', { name: 'Add internal note' }).click()
    await expect.poll(() => agent.locator('.reply-status').innerText()).toContain('Internal note added.')
    const note = message(agent, 'Checked the warranty')
    await note.waitFor()
    expect(await note.innerText()).toMatch(/Internal note/i)
    expect(await note.getAttribute('class')).toContain('message-internal')

    // A public reply with an attachment (uploaded first, sent with the reply).
    await agent.getByRole('radio', { name: 'Public reply' }).check()
    await agent.getByLabel('Reply to the requester').fill('Please unplug the printer and step away. We are sending a technician.')
    await agent.getByLabel('Attach files').setInputFiles({ name: 'safety-steps.txt', mimeType: 'text/plain', buffer: Buffer.from('1. Unplug\n2. Step away\n') })
    await agent.getByRole('list', { name: 'Files to send' }).getByText('safety-steps.txt').waitFor()
    await agent.getByRole('button', { name: 'Send reply' }).click()
    const reply = message(agent, 'Please unplug the printer')
    await reply.waitFor()
    expect(await reply.innerText()).toContain('Public reply')
    const [download] = await Promise.all([agent.waitForEvent('download'), reply.getByRole('link', { name: 'safety-steps.txt' }).click()])
    expect(download.suggestedFilename()).toBe('safety-steps.txt')
    expect(readFileSync((await download.path())!, 'utf8')).toContain('Step away')

    // The admin's page got both without a reload.
    await message(admin, 'Checked the warranty').waitFor()
    await message(admin, 'Please unplug the printer').waitFor()
    await expectAccessible(agent, 'ticket page')
    await screenshot(agent, 'workspace-ticket')

    // The history tab tells what happened.
    await agent.getByRole('tab', { name: 'History' }).click()
    await expect.poll(() => agent.getByRole('tabpanel').innerText()).toContain('opened the ticket')
    await expectAccessible(agent, 'ticket history')
    await agent.getByRole('tab', { name: 'Conversation' }).click()

    // The customer sees the reply, never the internal note.
    const seen = (await call('GET', `/tickets/${created.id}/comments`, customer.access_token)) as { body_text: string; is_internal: boolean }[]
    expect(seen.map((c) => c.body_text).join('\n')).toContain('Please unplug the printer')
    expect(seen.map((c) => c.body_text).join('\n')).not.toContain('warranty')
    expect(seen.every((c) => !c.is_internal)).toBe(true)

    // A property edited in place: assign it to the agent themself.
    await agent.getByRole('button', { name: 'Assign to me' }).click()
    await expect.poll(() => agent.locator('.props-notice').innerText()).toContain('Assignee saved.')
    expect((await call('GET', `/tickets/${created.id}`, owner.access_token)).assignee?.name).toBe('Andy Agent')

    // Back to the list (its view and filters kept): select two tickets and close them at once.
    await agent.getByRole('link', { name: 'Back to tickets' }).click()
    await agent.waitForURL((url) => url.pathname === '/tickets')
    for (const subject of ['Bulk close one', 'Bulk close two']) {
      await ticketRow(agent, subject).getByRole('checkbox').check()
    }
    await expect.poll(() => agent.locator('.bulk-count').innerText()).toBe('2 tickets selected')
    await expectAccessible(agent, 'ticket list with a selection')
    await agent.getByRole('group', { name: 'Actions for the selected tickets' }).getByRole('button', { name: 'Close' }).click()
    await expect.poll(() => agent.getByRole('main').innerText()).toContain('Closed 2 tickets.')
    for (const ticket of [older, old2]) {
      expect((await call('GET', `/tickets/${ticket.id}`, owner.access_token)).status.category).toBe('closed')
    }
    await expect.poll(() => ticketRow(agent, 'Bulk close one').innerText()).toContain('Closed')
    await screenshot(agent, 'workspace-bulk-closed')
  }, 120_000)

  it('searches with highlighted matches, filters, and keeps customers out', async () => {
    const owner = await register('Search Party', 'Sam Search', 'sam@search.example')
    await addMember(owner.access_token, 'cleo@customer.example', 'customer', 'Cleo Customer')
    await call('POST', '/tickets', owner.access_token, { subject: 'Invoice missing VAT number', priority: 'urgent' })
    await call('POST', '/tickets', owner.access_token, { subject: 'Password reset mail never arrives', description_text: 'The reset email with the invoice link bounced.' })
    await call('POST', '/tickets', owner.access_token, { subject: 'Dark mode please' })

    const page = await suite.pages.newPage()
    await signIn(page, 'sam@search.example')
    await welcome(page, 'Sam Search').waitFor()
    await page.goto('/tickets')
    await ticketRow(page, 'Dark mode please').waitFor()

    await page.getByLabel('Search tickets').fill('invoice')
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await page.getByRole('heading', { name: 'Search results for “invoice”', level: 2 }).waitFor()
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2)
    expect(await page.locator('tbody mark').first().innerText()).toMatch(/invoice/i)
    await expectAccessible(page, 'search results')
    await screenshot(page, 'workspace-search')

    await page.getByLabel('Search tickets').fill('')
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await page.getByLabel('Priority', { exact: true }).selectOption('urgent')
    await page.waitForURL(/priority=urgent/)
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1)
    await ticketRow(page, 'Invoice missing VAT number').waitFor()

    // A customer has no workspace: no Tickets link, and the page refuses.
    const customerPage = await suite.pages.newPage()
    await signIn(customerPage, 'cleo@customer.example')
    await welcome(customerPage, 'Cleo Customer').waitFor()
    expect(await mainNav(customerPage).getByRole('link', { name: 'Tickets', exact: true }).count()).toBe(0)
    expect(await customerPage.getByRole('region', { name: 'Your tickets' }).count()).toBe(0)
    await customerPage.goto('/tickets')
    await customerPage.getByRole('heading', { name: 'Not allowed' }).waitFor()
  }, 90_000)

  it('fits a phone screen in dark mode, list and ticket, with no accessibility violations', async () => {
    const owner = await register('Pocket Support', 'Pia Pocket', 'pia@pocket.example')
    const ticket = await call('POST', '/tickets', owner.access_token, {
      subject: 'A rather long subject line about an invoice that keeps going and going and going',
      description_text: 'Someone.with.a.very.long.address@customer.example wrote a long message without many spaces: https://example.com/a/very/long/path/that/does/not/stop',
      requester: { email: 'someone.with.a.very.long.address@customer.example', name: 'Someone With A Long Name' },
      tags: ['billing', 'invoice'],
    })
    await call('POST', `/tickets/${ticket.id}/comments`, owner.access_token, { body_text: 'A note for the team.', is_internal: true })

    const page = await suite.pages.newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, colorScheme: 'dark' })
    await signIn(page, 'pia@pocket.example')
    await welcome(page, 'Pia Pocket').waitFor()
    expect(await hasHorizontalScroll(page), 'horizontal scroll on the home page').toBe(false)

    await page.goto('/tickets')
    await ticketRow(page, ticket.subject).waitFor()
    expect(await hasHorizontalScroll(page), 'horizontal scroll on /tickets').toBe(false)
    await expectAccessible(page, 'ticket list (phone, dark)')
    await screenshot(page, 'workspace-list-phone-dark')

    await page.goto(`/tickets/${ticket.id}`)
    await message(page, 'A note for the team.').waitFor()
    expect(await hasHorizontalScroll(page), 'horizontal scroll on the ticket page').toBe(false)
    await expectAccessible(page, 'ticket page (phone, dark)')
    await screenshot(page, 'workspace-ticket-phone-dark')
  }, 90_000)
})
