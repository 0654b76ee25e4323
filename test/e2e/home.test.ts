import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { chromiumAvailability, hasHorizontalScroll, screenshot, useBrowserSuite } from './browser.js'

// The signed-in home page in headless Chromium against the real `aidly serve` process: the staff
// member's recent activity, kept live by the realtime connection, and everyone's profile form
// (name, language, time zone) taking effect at once. Each test registers its own organization.

const chromiumState = chromiumAvailability()

if (chromiumState.state === 'skip') {
  console.warn(`[e2e] ${chromiumState.reason}`)
  describe('home page in Chromium', () => {
    it.skip(chromiumState.reason, () => {})
  })
}

describe.skipIf(chromiumState.state === 'skip')('home page in Chromium', () => {
  const suite = useBrowserSuite('home')
  const { expectAccessible, call, register, addMember, signIn } = suite

  const activity = (page: Page) => page.getByRole('region', { name: 'Recent activity' })
  const items = (page: Page) => activity(page).getByRole('listitem')
  const profile = (page: Page) => page.getByRole('region', { name: 'Your profile' })

  it('shows a staff member what happened on their tickets, and new replies without a reload', async () => {
    const owner = await register('Home Activity', 'Wendy Owner', 'wendy@home-activity.example')
    await addMember(owner.access_token, 'andy@home-activity.example', 'agent', 'Andy Agent')
    const customer = await addMember(owner.access_token, 'cora@home-customer.example', 'customer', 'Cora Customer')
    const ticket = await call('POST', '/tickets', customer.access_token, { subject: 'Printer is on fire', description_text: 'Smoke everywhere.' })
    const pending = (await call('GET', '/ticket-statuses', owner.access_token) as Array<{ id: string; category: string }>).find((s) => s.category === 'pending')!
    await call('PATCH', `/tickets/${ticket.id}`, owner.access_token, { status_id: pending.id, priority: 'urgent' })
    await call('POST', `/tickets/${ticket.id}/comments`, owner.access_token, { body_text: 'Checked the warranty: covered.', is_internal: true })

    const agent = await suite.pages.newPage()
    // The realtime socket says "ready" once it knows what this person may see.
    const live = new Promise<void>((resolve) => {
      agent.on('websocket', (socket) => socket.on('framereceived', (frame) => {
        if (String(frame.payload).includes('"ready"')) resolve()
      }))
    })
    await signIn(agent, 'andy@home-activity.example')
    await agent.getByRole('heading', { name: 'Welcome, Andy Agent' }).waitFor()
    await items(agent).first().waitFor()
    const lines = await items(agent).allInnerTexts()
    const number = ticket.ticket_number as string
    expect(lines[0]).toContain(`Wendy Owner added an internal note on ${number} Printer is on fire`)
    expect(lines[0]).toMatch(/Internal note/i)
    expect(lines[0]).toContain('Checked the warranty: covered.')
    expect(lines.some((l) => l.includes(`Wendy Owner changed the status to Pending on ${number} Printer is on fire`))).toBe(true)
    expect(lines.some((l) => l.includes(`Wendy Owner changed the priority to Urgent on ${number}`))).toBe(true)
    expect(lines.at(-1)).toContain(`Cora Customer opened ${number} Printer is on fire`)
    // Times read like the rest of the app: relative, with the date and time on hover.
    expect(await items(agent).first().locator('time').innerText()).toMatch(/now|second|minute/)
    expect(await items(agent).first().locator('time').getAttribute('title')).toMatch(/\d{4}/)
    await live

    // The customer replies: the reply (and the reopening it caused) appear at the top without a reload.
    await call('POST', `/tickets/${ticket.id}/comments`, customer.access_token, { body_text: 'It is still smoking!' })
    const replied = `Cora Customer replied on ${number} Printer is on fire`
    await expect.poll(async () => (await items(agent).allInnerTexts()).slice(0, 2).join('\n'), { timeout: 15_000 }).toContain(replied)
    const top = (await items(agent).allInnerTexts()).slice(0, 2)
    expect(top.find((l) => l.includes(replied))).toContain('It is still smoking!')
    expect(top.some((l) => l.includes(`Cora Customer changed the status to Open on ${number}`))).toBe(true)
    await expectAccessible(agent, 'home with recent activity')
    await screenshot(agent, 'home-activity')

    // Each line leads to its ticket.
    await items(agent).filter({ hasText: replied }).getByRole('link', { name: `${number} Printer is on fire` }).click()
    await agent.waitForURL(`**/tickets/${ticket.id}*`)
    await agent.getByRole('heading', { name: /Printer is on fire/, level: 1 }).waitFor()

    // Phone width and dark mode.
    const phone = await suite.pages.newPage({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' })
    await signIn(phone, 'andy@home-activity.example')
    await items(phone).first().waitFor()
    expect(await hasHorizontalScroll(phone)).toBe(false)
    await expectAccessible(phone, 'home with recent activity (phone, dark)')
    await screenshot(phone, 'home-activity-phone-dark')
  })

  it('lets anyone change their language and time zone, which apply at once', async () => {
    const owner = await register('Home Profile', 'Paula Owner', 'paula@home-profile.example')
    const carl = await addMember(owner.access_token, 'carl@home-profile.example', 'customer', 'Carl Customer')

    const page = await suite.pages.newPage()
    await signIn(page, 'carl@home-profile.example')
    await page.getByRole('heading', { name: 'Welcome, Carl Customer' }).waitFor()
    // Customers have no activity feed, but a profile.
    expect(await activity(page).count()).toBe(0)
    const form = profile(page)
    expect(await form.getByLabel('Language').inputValue()).toBe('')
    expect(await form.getByLabel('Time zone').inputValue()).toBe('')
    // "Last sign-in", the fourth fact of the "You" card, in whatever language the page is.
    const lastSignIn = page.locator('section[aria-labelledby="you-heading"] .facts > div').nth(3).locator('dd')
    const before = await lastSignIn.innerText()

    // An empty name is refused before it is sent, next to the field.
    await form.getByLabel('Name').fill('  ')
    await form.getByRole('button', { name: 'Save profile' }).click()
    await form.getByText('This field is required.').waitFor()
    expect(await form.getByLabel('Name').getAttribute('aria-invalid')).toBe('true')

    await form.getByLabel('Name').fill('Carl Kunde')
    await form.getByLabel('Language').selectOption({ label: 'Deutsch' })
    await form.getByLabel('Time zone').selectOption('Pacific/Kiritimati')
    await form.getByRole('button', { name: 'Save profile' }).click()

    // German at once, without a reload, and the dates in the new zone (UTC+14).
    await page.getByRole('heading', { name: 'Willkommen, Carl Kunde' }).waitFor()
    await page.getByText('Ihr Profil ist gespeichert.').waitFor()
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.lang)).toBe('de')
    await page.getByRole('region', { name: 'Ihr Profil' }).getByRole('button', { name: 'Profil speichern' }).waitFor()
    expect(await lastSignIn.innerText()).not.toBe(before)
    await expectAccessible(page, 'home with the profile form (German)')
    await screenshot(page, 'home-profile-german')

    // It is kept: after a reload still German, with the saved choices in the form.
    await page.reload()
    await page.getByRole('heading', { name: 'Willkommen, Carl Kunde' }).waitFor()
    const saved = page.getByRole('region', { name: 'Ihr Profil' })
    expect(await saved.getByLabel('Sprache').inputValue()).toBe('de')
    expect(await saved.getByLabel('Zeitzone').inputValue()).toBe('Pacific/Kiritimati')

    // Back to the browser's language (English here) and the organization's time zone.
    await saved.getByLabel('Sprache').selectOption({ label: 'Wie im Browser' })
    await saved.getByLabel('Zeitzone').selectOption('')
    await saved.getByRole('button', { name: 'Profil speichern' }).click()
    await page.getByRole('heading', { name: 'Welcome, Carl Kunde' }).waitFor()
    expect(await lastSignIn.innerText()).toBe(before)
    const me = await call('GET', '/auth/me', carl.access_token)
    expect(me.user).toMatchObject({ name: 'Carl Kunde', locale: null, time_zone: null })
  })
})
