import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type { CapturedMail } from '../support/smtp-sink.js'
import { chromiumAvailability, E2E_PASSWORD, screenshot, useBrowserSuite } from './browser.js'

// The whole story in the browser, each person in their own window: an owner signs up, invites an
// agent through Settings, a customer signs up in the organization's portal (confirming by the
// mailed link) and asks for help; the agent sees the request arrive without reloading, writes an
// internal note that @mentions the owner and a public reply; the customer sees the reply live and
// never the note; the owner's bell shows the mention and leads to the ticket.

const chromiumState = chromiumAvailability()

if (chromiumState.state === 'skip') {
  console.warn(`[e2e] ${chromiumState.reason}`)
  describe('the journey from sign-up to an answered request', () => {
    it.skip(chromiumState.reason, () => {})
  })
}

/** The first link to `path` in a captured mail (quoted-printable soft breaks and `=3D` undone). */
function linkIn(mail: CapturedMail, path: string): string {
  const text = mail.raw.toString('utf8').replace(/=\r?\n/g, '').replace(/=3D/gi, '=')
  const match = new RegExp(`https?://[^\\s"<>]+${path.replace(/[/?]/g, (c) => `\\${c}`)}[^\\s"<>]*`).exec(text)
  if (!match) throw new Error(`no ${path} link in the mail:\n${text}`)
  const url = new URL(match[0])
  return `${url.pathname}${url.search}`
}

describe.skipIf(chromiumState.state === 'skip')('the journey from sign-up to an answered request', () => {
  const suite = useBrowserSuite('journey', { mail: true })
  const { expectAccessible } = suite
  const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' })
  const message = (page: Page, text: string) => page.locator('article.message').filter({ hasText: text })

  it('sign up → invite an agent → portal sign-up and request → live reply, note kept from the customer → mention in the bell', async () => {
    // 1. The owner signs up.
    const owner = await suite.pages.newPage()
    await owner.goto('/signup')
    await owner.getByLabel('Organization name').fill('Harbour Bikes')
    await owner.getByLabel('Your name').fill('Olive Owner')
    await owner.getByLabel('Email').fill('olive@harbour.example')
    await owner.getByLabel('Password').fill(E2E_PASSWORD)
    await owner.getByRole('button', { name: 'Create account' }).click()
    await owner.getByRole('heading', { name: 'Welcome, Olive Owner' }).waitFor()
    const signedIn = await fetch(suite.api('/auth/login'), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'olive@harbour.example', password: E2E_PASSWORD }),
    }).then((r) => r.json() as Promise<{ data: { organization: { slug: string } } }>)
    const slug = signedIn.data.organization.slug

    // 2. …invites an agent in Settings → Users → Invitations; the agent accepts from the mail.
    await mainNav(owner).getByRole('link', { name: 'Settings' }).click()
    await owner.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Users' }).click()
    await owner.getByRole('navigation', { name: 'Users sections' }).getByRole('link', { name: 'Invitations' }).click()
    await owner.getByLabel('Email').fill('alex@harbour.example')
    await owner.getByLabel('Role').selectOption('agent')
    await owner.getByRole('button', { name: 'Send invitation' }).click()
    await owner.getByText('Invitation sent to alex@harbour.example.').waitFor()
    const invitation = await suite.mail.waitFor((m) => m.to.includes('alex@harbour.example'), 15_000)

    const agent = await suite.pages.newPage()
    await agent.goto(linkIn(invitation, '/invite?token='))
    await agent.getByRole('heading', { name: 'Join Harbour Bikes' }).waitFor()
    await agent.getByLabel('Your name').fill('Alex Agent')
    await agent.getByLabel('Choose a password').fill(E2E_PASSWORD)
    await agent.getByRole('button', { name: 'Accept invitation' }).click()
    await agent.getByRole('heading', { name: 'Welcome, Alex Agent' }).waitFor()
    await mainNav(agent).getByRole('link', { name: 'Tickets' }).click()
    await agent.getByRole('heading', { name: 'All tickets', level: 2 }).waitFor()

    // 3. A customer signs up in the organization's branded portal and confirms by the mailed link.
    const customer = await suite.pages.newPage()
    await customer.goto(`/support/${slug}`)
    await customer.getByRole('heading', { name: 'Harbour Bikes support' }).waitFor()
    await expectAccessible(customer, 'portal entry')
    await customer.getByRole('button', { name: 'Create an account' }).click()
    await customer.getByLabel('Your name').fill('Casey Rider')
    await customer.getByLabel('Email').fill('casey@riders.example')
    await customer.getByLabel('Password').fill('my own long password')
    await customer.getByRole('button', { name: 'Create account' }).click()
    await customer.getByRole('heading', { name: 'Check your inbox' }).waitFor()
    await screenshot(customer, 'portal-signup')
    const confirmation = await suite.mail.waitFor((m) => m.to.includes('casey@riders.example'), 15_000)
    await customer.goto(linkIn(confirmation, '/portal/verify?token='))
    await customer.waitForURL((url) => url.pathname === '/portal')
    await customer.getByRole('heading', { name: 'My tickets', level: 1 }).waitFor()

    // …and asks for help.
    await customer.getByRole('link', { name: 'New request' }).click()
    await customer.getByLabel('Subject').fill('Gears slip on my new bike')
    await customer.getByLabel('Description').fill('Since Saturday the chain jumps between the 3rd and 4th gear.')
    await customer.getByRole('button', { name: 'Send request' }).click()
    await customer.getByText(/We received your request/).waitFor()
    await customer.getByRole('link', { name: 'Gears slip on my new bike', exact: true }).click()
    await customer.getByRole('heading', { name: /Gears slip on my new bike/, level: 1 }).waitFor()
    await customer.locator('.live-open').waitFor()

    // 4. The agent sees it arrive without reloading, opens it, and notes it for the owner with an @mention.
    await agent.getByRole('link', { name: 'Gears slip on my new bike', exact: true }).waitFor({ timeout: 15_000 })
    await agent.getByRole('link', { name: 'Gears slip on my new bike', exact: true }).click()
    await agent.getByRole('heading', { name: /Gears slip on my new bike/, level: 1 }).waitFor()
    await agent.getByRole('radio', { name: 'Internal note' }).check()
    const note = agent.getByLabel('Internal note (staff only)')
    await note.pressSequentially('Warranty case? @Oli')
    await agent.getByRole('listbox', { name: 'People to mention' }).getByRole('option', { name: /Olive Owner/ }).waitFor()
    await note.press('Enter')
    await expect.poll(() => note.inputValue()).toBe('Warranty case? @Olive Owner ')
    await note.pressSequentially('please approve a replacement derailleur.')
    await agent.getByRole('button', { name: 'Add internal note' }).click()
    await message(agent, 'please approve a replacement derailleur').waitFor()
    await agent.getByRole('radio', { name: 'Public reply' }).check()
    await agent.getByLabel('Reply to the requester').fill('Thanks Casey, we will replace the derailleur under warranty.')
    await agent.getByRole('button', { name: 'Send reply' }).click()
    await screenshot(agent, 'journey-agent-ticket')

    // 5. The customer sees the reply live, and never the note.
    await message(customer, 'replace the derailleur under warranty').waitFor({ timeout: 15_000 })
    expect(await customer.getByRole('main').innerText()).not.toContain('approve a replacement')

    // 6. The owner's bell counts the mention and leads to the ticket.
    const bell = owner.getByRole('button', { name: /Notifications, 1 unread/ })
    await bell.waitFor({ timeout: 15_000 })
    await bell.click()
    const panel = owner.getByRole('region', { name: 'Notifications' })
    await panel.getByText('Alex Agent mentioned you on TKT-000001').waitFor()
    await expectAccessible(owner, 'notifications panel')
    await screenshot(owner, 'notifications')
    await panel.getByRole('button', { name: /Alex Agent mentioned you/ }).click()
    await owner.getByRole('heading', { name: /Gears slip on my new bike/, level: 1 }).waitFor()
    await owner.getByRole('button', { name: 'Notifications' }).waitFor()
  }, 180_000)
})
