import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { chromiumAvailability, E2E_PASSWORD, hasHorizontalScroll, screenshot, useBrowserSuite } from './browser.js'

// The admin's Settings → Organization, Users (with invitations) and API keys in headless Chromium
// against the real `aidly serve` process. Each test registers its own organization over the API
// and opens its own browser context, so it starts signed out.

const chromiumState = chromiumAvailability()

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')

if (chromiumState.state === 'skip') {
  console.warn(`[e2e] ${chromiumState.reason}`)
  describe('admin people settings in Chromium', () => {
    it.skip(chromiumState.reason, () => {})
  })
}

describe.skipIf(chromiumState.state === 'skip')('admin people settings in Chromium', () => {
  const suite = useBrowserSuite('admin-people')
  const { api, call, expectAccessible, register, addMember, signIn } = suite

  const welcome = (page: Page, name: string) => page.getByRole('heading', { name: `Welcome, ${name}` })
  const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' })
  const brand = (page: Page) => page.locator('header .brand')
  const dialog = (page: Page) => page.getByRole('dialog')
  const row = (page: Page, text: string) => page.locator('tbody tr').filter({ hasText: text })
  /** Whether a table fits its frame (no sideways scrolling needed to reach its actions). */
  const tableFits = (page: Page) => page.locator('.table-wrap').evaluate((el: any) => el.scrollWidth <= el.clientWidth)
  const accent = (page: Page) => page.evaluate(() => (globalThis as any).document.documentElement.style.getPropertyValue('--accent'))

  async function signInAsAdmin(page: Page, email: string, name: string) {
    await signIn(page, email)
    await welcome(page, name).waitFor()
  }

  it('edits the organization’s name and colour, uploads and removes a logo, and the header follows', async () => {
    await register('Brandwell Inc', 'Olivia Owner', 'olivia@brandwell.example')
    const page = await suite.pages.newPage()
    await signInAsAdmin(page, 'olivia@brandwell.example', 'Olivia Owner')

    // Settings opens on the first section the role has: Organization.
    await mainNav(page).getByRole('link', { name: 'Settings' }).click()
    await page.waitForURL('**/settings/organization')
    await page.getByRole('heading', { name: 'Organization', level: 1 }).waitFor()
    expect(await page.getByLabel('Organization name').inputValue()).toBe('Brandwell Inc')
    expect(await page.getByLabel('Ticket number prefix').inputValue()).toBe('TKT')
    await expectAccessible(page, 'organization settings')

    // The profile: a new name shows in the header at once.
    await page.getByLabel('Organization name').fill('Brandwell Renamed')
    await page.getByLabel('Ticket number prefix').fill('bw')
    expect(await page.getByLabel('Ticket number prefix').inputValue()).toBe('BW')
    await page.getByRole('button', { name: 'Save profile' }).click()
    await page.getByText('Profile saved.').waitFor()
    await expect.poll(() => brand(page).innerText()).toContain('Brandwell Renamed')

    // A bad colour is refused at the field; the preview follows what is typed.
    const primary = page.getByLabel('Primary colour', { exact: true })
    await primary.fill('#12345')
    await page.getByRole('button', { name: 'Save branding' }).click()
    await page.getByText('Enter a colour as # followed by 6 hexadecimal digits').waitFor()
    expect(await primary.getAttribute('aria-invalid')).toBe('true')
    await primary.fill('#0f766e')
    await expect.poll(() => page.getByTestId('brand-preview-primary').evaluate((el) => (globalThis as any).getComputedStyle(el).backgroundColor)).toBe('rgb(15, 118, 110)')
    await page.getByRole('button', { name: 'Save branding' }).click()
    await page.getByText('Branding saved.').waitFor()
    // The app takes the organization's colour as its accent.
    await expect.poll(() => accent(page)).toBe('#0f766e')
    await screenshot(page, 'settings-organization')

    // After a reload the saved values are there.
    await page.reload()
    await page.getByRole('heading', { name: 'Organization', level: 1 }).waitFor()
    await expect.poll(() => page.getByLabel('Organization name').inputValue()).toBe('Brandwell Renamed')
    expect(await page.getByLabel('Ticket number prefix').inputValue()).toBe('BW')
    expect(await page.getByLabel('Primary colour', { exact: true }).inputValue()).toBe('#0f766e')
    expect(await brand(page).innerText()).toContain('Brandwell Renamed')
    await expect.poll(() => accent(page)).toBe('#0f766e')

    // The logo: a file that is not an image is refused before the upload…
    const logoInput = page.getByLabel('Logo image')
    await logoInput.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') })
    await page.getByText('This file is not a PNG, JPEG, WebP or GIF image.').waitFor()
    // …and one that only claims to be a PNG is refused by the server, which reads the bytes.
    await logoInput.setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not really a png') })
    await page.getByRole('button', { name: 'Upload logo' }).click()
    await page.getByText('This file is not a PNG, JPEG, WebP or GIF image.').waitFor()
    expect(await logoInput.getAttribute('aria-invalid')).toBe('true')

    await logoInput.setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG })
    await page.getByRole('button', { name: 'Upload logo' }).click()
    await page.getByText('Logo uploaded.').waitFor()
    const headerLogo = brand(page).locator('img.brand-logo')
    await expect.poll(() => headerLogo.getAttribute('src')).toMatch(/^\/api\/v1\/public\/organizations\/[a-z0-9-]+\/logo\?v=/)
    await expect.poll(() => headerLogo.evaluate((img) => (img as any).naturalWidth)).toBe(1)
    await page.getByRole('img', { name: 'Current logo of Brandwell Renamed' }).waitFor()
    await expectAccessible(page, 'organization settings with logo')

    await page.reload()
    await page.getByRole('heading', { name: 'Organization', level: 1 }).waitFor()
    await brand(page).locator('img.brand-logo').waitFor()

    // Removing asks first, then the header goes back to the Aidly logo.
    await page.getByRole('button', { name: 'Remove logo' }).click()
    await dialog(page).getByRole('heading', { name: 'Remove the logo?' }).waitFor()
    await dialog(page).getByRole('button', { name: 'Remove logo' }).click()
    await page.getByText('Logo removed.').waitFor()
    await expect.poll(() => brand(page).locator('img.brand-logo').count()).toBe(0)
    await page.getByText('No logo yet').waitFor()
  })

  it('invites and revokes, adds an agent and changes their role, and shows the server’s refusals', async () => {
    await register('People Works', 'Paula Admin', 'paula@people.example')
    const page = await suite.pages.newPage()
    await signInAsAdmin(page, 'paula@people.example', 'Paula Admin')

    await page.goto('/settings/users')
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor()
    await row(page, 'paula@people.example').waitFor()
    const me = await row(page, 'paula@people.example').innerText()
    expect(me).toContain('Administrator')
    expect(me).toContain('Active')
    expect(me).toContain('(you)')
    expect(me).toContain('Off') // no two-factor sign-in yet
    await page.getByText('1 person').waitFor()

    // Invitations: invite by email with a role; the pending invitation is listed.
    await page.getByRole('navigation', { name: 'Users sections' }).getByRole('link', { name: 'Invitations' }).click()
    await page.waitForURL('**/settings/users/invitations')
    await page.getByText('No pending invitations.').waitFor()
    await page.getByLabel('Email').fill('ivy@people.example')
    await page.getByLabel('Role').selectOption('agent')
    await page.getByRole('button', { name: 'Send invitation' }).click()
    await page.getByText('Invitation sent to ivy@people.example.').waitFor()
    expect(await page.locator('.invite-link code').innerText()).toMatch(/\/invite\?token=/)
    const invitation = row(page, 'ivy@people.example')
    await invitation.waitFor()
    expect(await invitation.innerText()).toContain('Pending')
    expect(await invitation.innerText()).toContain('Agent')
    await expectAccessible(page, 'invitations')

    // The same email twice: the server's 409, in words, at the field.
    await page.getByLabel('Email').fill('ivy@people.example')
    await page.getByRole('button', { name: 'Send invitation' }).click()
    await page.getByText('This email already has a pending invitation').waitFor()

    // Revoke, after a confirmation: it leaves the pending list.
    await page.getByRole('button', { name: 'Revoke the invitation to ivy@people.example' }).click()
    await dialog(page).getByRole('heading', { name: 'Revoke this invitation?' }).waitFor()
    await dialog(page).getByRole('button', { name: 'Revoke' }).click()
    await page.getByText('The invitation to ivy@people.example was revoked.').waitFor()
    await page.getByText('No pending invitations.').waitFor()
    await page.getByLabel('Show').selectOption('revoked')
    await expect.poll(() => row(page, 'ivy@people.example').innerText()).toContain('Revoked')

    // Add an agent with a password.
    await page.getByRole('navigation', { name: 'Users sections' }).getByRole('link', { name: 'People' }).click()
    await page.getByRole('link', { name: 'Add person' }).click()
    await page.waitForURL('**/settings/users/new')
    await page.getByRole('heading', { name: 'Add a person' }).waitFor()
    await page.getByRole('button', { name: 'Add person' }).click()
    await expect.poll(() => page.locator('[aria-invalid="true"]').count()).toBeGreaterThanOrEqual(2)
    await page.getByLabel('Name', { exact: true }).fill('Andy Agent')
    await page.getByLabel('Email').fill('andy@people.example')
    await page.getByLabel('Role').selectOption('agent')
    await page.getByLabel('Password (optional)').fill(E2E_PASSWORD)
    await expectAccessible(page, 'add person form')
    await page.getByRole('button', { name: 'Add person' }).click()
    await page.waitForURL((url) => url.pathname === '/settings/users')
    await page.getByText('Andy Agent was added.').waitFor()
    await expect.poll(() => row(page, 'andy@people.example').innerText()).toContain('Agent')
    expect(await row(page, 'andy@people.example').innerText()).toContain('Never')

    // Change their role.
    await page.getByRole('link', { name: 'Edit Andy Agent' }).click()
    await page.getByRole('heading', { name: 'Edit Andy Agent' }).waitFor()
    await page.getByLabel('Role').selectOption('manager')
    await page.getByRole('button', { name: 'Save changes' }).click()
    await page.getByText('Changes to Andy Agent saved.').waitFor()
    await expect.poll(() => row(page, 'andy@people.example').innerText()).toContain('Manager')
    await page.reload()
    await expect.poll(() => row(page, 'andy@people.example').innerText()).toContain('Manager')

    // Filters: by role, and by search; kept in the address.
    await page.getByLabel('Role').selectOption('manager')
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1)
    await page.waitForURL('**/settings/users?role=manager')
    await page.getByLabel('Role').selectOption('')
    await page.getByLabel('Search').fill('PAULA')
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1)
    expect(await page.locator('tbody tr').innerText()).toContain('Paula Admin')
    await page.getByLabel('Search').fill('')
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2)
    await expectAccessible(page, 'people')
    expect(await tableFits(page)).toBe(true)
    await screenshot(page, 'settings-users')

    // The last administrator cannot deactivate herself: the server's refusal is shown in the dialog.
    await page.getByRole('button', { name: 'Deactivate Paula Admin' }).click()
    await dialog(page).getByRole('button', { name: 'Deactivate' }).click()
    await dialog(page).getByRole('alert').filter({ hasText: 'last active administrator' }).waitFor()
    await dialog(page).getByRole('button', { name: 'Cancel' }).click()
    expect(await row(page, 'paula@people.example').innerText()).toContain('Active')

    // Deactivate and reactivate the manager.
    await page.getByRole('button', { name: 'Deactivate Andy Agent' }).click()
    await dialog(page).getByText('andy@people.example').waitFor()
    await dialog(page).getByRole('button', { name: 'Deactivate' }).click()
    await page.getByText('Andy Agent was deactivated.').waitFor()
    await expect.poll(() => row(page, 'andy@people.example').innerText()).toContain('Deactivated')
    await page.getByRole('button', { name: 'Reactivate Andy Agent' }).click()
    await dialog(page).getByRole('button', { name: 'Reactivate' }).click()
    await page.getByText('Andy Agent was reactivated.').waitFor()
    await expect.poll(() => row(page, 'andy@people.example').innerText()).toContain('Active')

    // Phone width: the table scrolls inside its frame, never the page.
    await page.setViewportSize({ width: 390, height: 844 })
    expect(await hasHorizontalScroll(page)).toBe(false)
  })

  it('creates an API key shown once that works as a bearer, then revokes it and it stops working', async () => {
    const owner = await register('Keyholders Ltd', 'Kim Keys', 'kim@keys.example')
    const page = await suite.pages.newPage()
    await signInAsAdmin(page, 'kim@keys.example', 'Kim Keys')

    await page.goto('/settings/api-keys')
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor()
    await page.getByText('No API keys yet.').waitFor()
    await expectAccessible(page, 'api keys (empty)')

    await page.getByRole('button', { name: 'Create API key' }).click()
    await dialog(page).getByRole('heading', { name: 'New API key' }).waitFor()
    await dialog(page).getByRole('button', { name: 'Create key' }).click()
    await dialog(page).getByText('This field is required.').waitFor()
    await dialog(page).getByLabel('Name').fill('CI bot')
    expect(await dialog(page).getByLabel('Role').inputValue()).toBe('agent')
    await expectAccessible(page, 'create api key dialog')
    await dialog(page).getByRole('button', { name: 'Create key' }).click()

    const card = page.getByRole('region', { name: 'Your new key “CI bot”' })
    await card.waitFor()
    await card.getByText('Copy this key now: it is shown only this once.').waitFor()
    await card.getByRole('button', { name: 'Copy key' }).waitFor()
    const key = await card.locator('code').innerText()
    expect(key).toMatch(/^aidly_[0-9a-f]{8}_\S+$/)
    const prefix = key.split('_')[1]!
    await row(page, 'CI bot').waitFor()
    expect(await row(page, 'CI bot').innerText()).toContain(`aidly_${prefix}_…`)
    expect(await row(page, 'CI bot').innerText()).toContain('Active')
    await expectAccessible(page, 'api keys with a new key')
    expect(await tableFits(page)).toBe(true)
    await screenshot(page, 'settings-api-keys')

    // The key works as a bearer on the API.
    const org = await call('GET', '/organization', key)
    expect(org.name).toBe(owner.organization.name)

    // Once dismissed, the key is nowhere on the page, not even after a reload.
    await card.getByRole('button', { name: 'Done, I have copied it' }).click()
    await expect.poll(() => card.count()).toBe(0)
    expect(await page.content()).not.toContain(key)
    await page.reload()
    await row(page, 'CI bot').waitFor()
    expect(await page.content()).not.toContain(key)
    // Its first use is recorded: "Last used" is no longer "Never".
    const lastUsed = row(page, 'CI bot').locator('td').nth(3)
    await expect.poll(() => lastUsed.innerText()).not.toBe('Never')

    // Revoke after a confirmation: the key stops working at once.
    await page.getByRole('button', { name: 'Revoke CI bot' }).click()
    await dialog(page).getByText(`aidly_${prefix}_…`).waitFor()
    await dialog(page).getByRole('button', { name: 'Revoke' }).click()
    await page.getByText('The key “CI bot” was revoked.').waitFor()
    await expect.poll(() => row(page, 'CI bot').innerText()).toContain('Revoked')
    const refused = await fetch(api('/organization'), { headers: { authorization: `Bearer ${key}` } })
    expect(refused.status).toBe(401)
  })

  it('keeps an agent out: no Settings in the header, "Not allowed" at each of these sections', async () => {
    const owner = await register('Gatekeepers Co', 'Gina Gate', 'gina@gate.example')
    await addMember(owner.access_token, 'alex@gate.example', 'agent', 'Alex Agent')
    const page = await suite.pages.newPage()
    await signIn(page, 'alex@gate.example')
    await welcome(page, 'Alex Agent').waitFor()
    await mainNav(page).getByRole('link', { name: 'Home' }).waitFor()
    expect(await mainNav(page).getByRole('link', { name: 'Settings' }).count()).toBe(0)
    for (const path of ['/settings/users', '/settings/organization', '/settings/api-keys']) {
      await page.goto(path)
      await page.getByRole('heading', { name: 'Not allowed' }).waitFor()
      expect(await page.getByRole('table').count()).toBe(0)
    }
  })
})
