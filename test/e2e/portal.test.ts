import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { chromiumAvailability, hasHorizontalScroll, screenshot, useBrowserSuite } from './browser.js'

// The customer portal in headless Chromium against the real `aidly serve` process: a customer
// opens a request through the form (with a file), follows it in "My tickets", sees the agent's
// public reply (never the internal note), replies and closes it. Each test registers its own
// organization over the API.

const chromiumState = chromiumAvailability()

if (chromiumState.state === 'skip') {
  console.warn(`[e2e] ${chromiumState.reason}`)
  describe('customer portal in Chromium', () => {
    it.skip(chromiumState.reason, () => {})
  })
}

describe.skipIf(chromiumState.state === 'skip')('customer portal in Chromium', () => {
  const suite = useBrowserSuite('portal')
  const { expectAccessible, call, register, addMember, signIn } = suite

  const welcome = (page: Page, name: string) => page.getByRole('heading', { name: `Welcome, ${name}` })
  const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' })
  const ticketRow = (page: Page, subject: string) => page.locator('.portal-tickets li').filter({ has: page.getByRole('link', { name: subject, exact: true }) })
  const message = (page: Page, text: string) => page.locator('article.message').filter({ hasText: text })

  it('opens a request through the form, follows the agent’s public reply (never the note), replies and closes it', async () => {
    const owner = await register('Portal Partners', 'Olga Owner', 'olga@portal.example')
    const agent = await addMember(owner.access_token, 'arno@portal.example', 'agent', 'Arno Agent')
    const customer = await addMember(owner.access_token, 'cami@customer.example', 'customer', 'Cami Customer')

    const page = await suite.pages.newPage()
    await signIn(page, 'cami@customer.example')
    await welcome(page, 'Cami Customer').waitFor()
    // Customers get "My tickets", not the workspace; the home page points there too.
    expect(await mainNav(page).getByRole('link', { name: 'Tickets', exact: true }).count()).toBe(0)
    await page.getByRole('region', { name: 'Your requests' }).getByRole('link', { name: 'My tickets' }).waitFor()
    await expectAccessible(page, 'customer home')

    await mainNav(page).getByRole('link', { name: 'My tickets' }).click()
    await page.waitForURL('**/portal')
    await page.getByRole('heading', { name: 'My tickets', level: 1 }).waitFor()
    await page.getByText('You have no requests yet.').waitFor()
    await expectAccessible(page, 'my tickets (empty)')

    // A new request with a file.
    await page.getByRole('link', { name: 'New request' }).click()
    await page.waitForURL('**/portal/new')
    await page.getByRole('heading', { name: 'New request', level: 1 }).waitFor()
    // Nothing filled in: told so, in words, at the field.
    await page.getByRole('button', { name: 'Send request' }).click()
    await page.getByText('Enter a subject.').waitFor()
    await expectAccessible(page, 'new request form (with errors)')
    await page.getByLabel('Subject').fill('My invoice shows the wrong address')
    await page.getByLabel('Description').fill('The March invoice is addressed to our old office.')
    await page.getByLabel('Attach files (optional)').setInputFiles({ name: 'invoice-march.txt', mimeType: 'text/plain', buffer: Buffer.from('Invoice 2026-03\n') })
    await page.getByRole('list', { name: 'Files to send' }).getByText('invoice-march.txt').waitFor()
    await expectAccessible(page, 'new request form')
    await screenshot(page, 'portal-new-request')
    await page.getByRole('button', { name: 'Send request' }).click()

    await page.waitForURL((url) => url.pathname === '/portal')
    await page.getByText(/We received your request/).waitFor()
    const row = ticketRow(page, 'My invoice shows the wrong address')
    await row.waitFor()
    expect(await row.innerText()).toContain('New')
    await expectAccessible(page, 'my tickets')
    await screenshot(page, 'portal-list')

    const [created] = (await call('GET', '/tickets', customer.access_token)) as { id: string; subject: string }[]
    expect(created!.subject).toBe('My invoice shows the wrong address')

    await row.getByRole('link').click()
    await page.waitForURL(`**/portal/${created!.id}`)
    await page.getByRole('heading', { name: /My invoice shows the wrong address/, level: 1 }).waitFor()
    await message(page, 'The March invoice').waitFor()
    await message(page, 'Attached 1 file.').getByRole('link', { name: 'invoice-march.txt' }).waitFor()
    await page.locator('.live-open').waitFor() // the realtime connection is up

    // The agent adds an internal note, then a public reply, over the API: the reply shows up live.
    await call('POST', `/tickets/${created!.id}/comments`, agent.access_token, { body_text: 'Old address is still in the billing system: fix it there.', is_internal: true })
    await call('POST', `/tickets/${created!.id}/comments`, agent.access_token, { body_text: 'Thanks, we are correcting the invoice now.', is_internal: false })
    await message(page, 'we are correcting the invoice').waitFor()
    expect(await page.getByRole('main').innerText()).not.toContain('billing system')
    // …nor after a reload.
    await page.reload()
    await message(page, 'we are correcting the invoice').waitFor()
    expect(await page.getByRole('main').innerText()).not.toContain('billing system')
    expect(await page.getByText('Internal note').count()).toBe(0)
    await expectAccessible(page, 'customer ticket page')
    await screenshot(page, 'portal-ticket')

    // The customer replies…
    await page.getByLabel('Your reply').fill('Great, thank you! The new address is 5 Harbour Street.')
    await page.getByRole('button', { name: 'Send reply' }).click()
    await message(page, '5 Harbour Street').waitFor()
    const comments = (await call('GET', `/tickets/${created!.id}/comments`, owner.access_token)) as { body_text: string; is_internal: boolean }[]
    expect(comments.map((c) => c.body_text).join('\n')).toContain('5 Harbour Street')

    // …and closes the ticket.
    await page.getByRole('button', { name: 'Close my ticket' }).click()
    await page.getByText('Your ticket is closed.').waitFor()
    expect(await page.getByRole('button', { name: 'Close my ticket' }).count()).toBe(0)
    expect((await call('GET', `/tickets/${created!.id}`, owner.access_token)).status.category).toBe('closed')
    await expectAccessible(page, 'customer ticket page (closed)')

    await page.getByRole('link', { name: 'Back to my tickets' }).click()
    await page.waitForURL((url) => url.pathname === '/portal')
    await expect.poll(() => ticketRow(page, 'My invoice shows the wrong address').innerText()).toContain('Closed')

    // Staff have the workspace, not the portal.
    const staff = await suite.pages.newPage()
    await signIn(staff, 'arno@portal.example')
    await welcome(staff, 'Arno Agent').waitFor()
    expect(await mainNav(staff).getByRole('link', { name: 'My tickets' }).count()).toBe(0)
    await staff.goto('/portal')
    await staff.getByRole('heading', { name: 'Not allowed' }).waitFor()
  }, 120_000)

  it('fits a phone screen in dark mode, list, form and ticket, with no accessibility violations', async () => {
    const owner = await register('Pocket Portal', 'Pip Owner', 'pip@pocket-portal.example')
    const customer = await addMember(owner.access_token, 'someone.with.a.long.address@customer.example', 'customer', 'Someone With A Long Name')
    const ticket = await call('POST', '/tickets', customer.access_token, {
      subject: 'A rather long subject line about an invoice that keeps going and going and going without a break',
      description_text: 'A long message without many spaces: https://example.com/a/very/long/path/that/does/not/stop/and/keeps/going',
    })
    await call('POST', `/tickets/${ticket.id}/comments`, owner.access_token, { body_text: 'A note for the team only.', is_internal: true })
    await call('POST', `/tickets/${ticket.id}/comments`, owner.access_token, { body_text: 'We are looking into it.', is_internal: false })

    const page = await suite.pages.newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, colorScheme: 'dark' })
    await signIn(page, 'someone.with.a.long.address@customer.example')
    await welcome(page, 'Someone With A Long Name').waitFor()

    await page.goto('/portal')
    await ticketRow(page, ticket.subject).waitFor()
    expect(await hasHorizontalScroll(page), 'horizontal scroll on /portal').toBe(false)
    await expectAccessible(page, 'my tickets (phone, dark)')
    await screenshot(page, 'portal-list-phone-dark')

    await page.goto('/portal/new')
    await page.getByLabel('Subject').waitFor()
    expect(await hasHorizontalScroll(page), 'horizontal scroll on /portal/new').toBe(false)
    await expectAccessible(page, 'new request form (phone, dark)')

    await page.goto(`/portal/${ticket.id}`)
    await message(page, 'We are looking into it.').waitFor()
    expect(await page.getByRole('main').innerText()).not.toContain('A note for the team only.')
    expect(await hasHorizontalScroll(page), 'horizontal scroll on the portal ticket page').toBe(false)
    await expectAccessible(page, 'customer ticket page (phone, dark)')
    await screenshot(page, 'portal-ticket-phone-dark')
  }, 90_000)
})
