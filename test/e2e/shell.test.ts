import { authenticator } from 'otplib'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { post } from '../process/server-process.js'
import {
  chromiumAvailability,
  focusedName,
  hasHorizontalScroll,
  screenshot,
  useBrowserSuite,
} from './browser.js'

// The web shell in headless Chromium against the real `aidly serve` process (embedded PGlite,
// fresh data dir). Each test opens its own browser context, so it starts signed out; accounts a
// test needs but does not exercise are made over the HTTP API.

const PASSWORD = 'correct horse battery'
const chromiumState = chromiumAvailability()

if (chromiumState.state === 'skip') {
  console.warn(`[e2e] ${chromiumState.reason}`)
  describe('web shell in Chromium', () => {
    it.skip(chromiumState.reason, () => {})
  })
}

describe.skipIf(chromiumState.state === 'skip')('web shell in Chromium', () => {
  const suite = useBrowserSuite('shell', { axe: 'serious' })
  const { expectAccessible } = suite

  async function register(organization: string, name: string, email: string) {
    const res = await post(`${suite.url}/api/v1/auth/register`, { organization, name, email, password: PASSWORD })
    expect(res.status, JSON.stringify(res.json)).toBe(201)
    return res.json.data as { access_token: string; organization: { name: string; slug: string } }
  }

  async function invite(token: string, email: string, role: string) {
    const res = await post(`${suite.url}/api/v1/invitations`, { email, role }, token)
    expect(res.status, JSON.stringify(res.json)).toBe(201)
    // accept_url is built from the public URL; the page under test is on this server.
    const url = new URL(res.json.data.accept_url as string)
    return { path: url.pathname + url.search, token: url.searchParams.get('token')! }
  }

  async function signIn(page: Page, email: string, password = PASSWORD) {
    await page.goto('/login')
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password', { exact: true }).fill(password)
    await page.getByRole('button', { name: 'Sign in' }).click()
  }

  const welcome = (page: Page, name: string) => page.getByRole('heading', { name: `Welcome, ${name}` })
  const section = (page: Page, heading: 'you' | 'org' | 'switch') => page.locator(`section[aria-labelledby="${heading}-heading"]`)

  it('signs up and lands on the home page showing the user, role and organization', async () => {
    const page = await suite.pages.newPage()
    await page.goto('/')
    await page.waitForURL('**/login')
    await page.getByRole('link', { name: 'Create an account' }).click()
    await page.getByRole('heading', { name: 'Create your account' }).waitFor()
    await expectAccessible(page, 'sign-up')
    await screenshot(page, 'signup')

    // An empty form is refused field by field, with focus on the first.
    await page.getByRole('button', { name: 'Create account' }).click()
    await expect.poll(() => page.locator('[aria-invalid="true"]').count()).toBe(4)
    expect(await focusedName(page)).toBe('organization')

    await page.getByLabel('Organization name').fill('Northwind Help')
    await page.getByLabel('Your name').fill('Ada Admin')
    await page.getByLabel('Email').fill('ada@northwind.example')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()

    await welcome(page, 'Ada Admin').waitFor()
    expect(new URL(page.url()).pathname).toBe('/')
    const you = await section(page, 'you').innerText()
    expect(you).toContain('Ada Admin')
    expect(you).toContain('ada@northwind.example')
    expect(you).toContain('Administrator')
    const org = await section(page, 'org').innerText()
    expect(org).toContain('Northwind Help')
    expect(org).toContain('northwind-help')
    await expect.poll(() => page.getByRole('banner').innerText()).toContain('Northwind Help')
    await page.getByText('This device').waitFor() // the sessions card has loaded too
    await expectAccessible(page, 'home')
    await screenshot(page, 'home')
  })

  it('refuses a wrong password, signs in, signs out and signs in again', async () => {
    await register('Contoso Care', 'Carl Contoso', 'carl@contoso.example')
    const page = await suite.pages.newPage()
    await page.goto('/login')
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await expectAccessible(page, 'sign-in')
    await screenshot(page, 'login')

    await signIn(page, 'carl@contoso.example', 'not the password')
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('The email or password is not correct.')
    await screenshot(page, 'login-wrong-password')

    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await welcome(page, 'Carl Contoso').waitFor()
    expect(await page.evaluate(() => (globalThis as any).localStorage.getItem('aidly.refresh'))).toBeTruthy()

    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL('**/login')
    expect(await page.evaluate(() => (globalThis as any).localStorage.getItem('aidly.refresh'))).toBeNull()

    await signIn(page, 'carl@contoso.example')
    await welcome(page, 'Carl Contoso').waitFor()
  })

  it('enrols two-factor authentication and then signs in with a code', async () => {
    await register('Fabrikam Desk', 'Fay Fabrikam', 'fay@fabrikam.example')
    const page = await suite.pages.newPage()
    await signIn(page, 'fay@fabrikam.example')
    await welcome(page, 'Fay Fabrikam').waitFor()

    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click()
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor()
    const secret = (await page.locator('code.secret').innerText()).replace(/\s/g, '')
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/)
    await screenshot(page, 'two-factor-setup')

    await page.getByLabel('Enter the 6-digit code the app shows').fill(authenticator.generate(secret))
    await page.getByRole('button', { name: 'Turn on' }).click()
    await page.getByRole('heading', { name: 'Your backup codes' }).waitFor()
    expect(await page.locator('.backup-codes code').count()).toBeGreaterThan(0)
    await page.getByRole('button', { name: 'I have saved them' }).click()
    await expect.poll(() => page.locator('.badge-on').textContent()).toBe('On')

    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL('**/login')
    await signIn(page, 'fay@fabrikam.example')
    await page.getByRole('heading', { name: 'Two-factor verification' }).waitFor()
    expect(await focusedName(page)).toBe('totp')
    await screenshot(page, 'login-two-factor')

    await page.getByLabel('6-digit code').fill('000000')
    await page.getByRole('button', { name: 'Verify' }).click()
    await expect.poll(() => page.locator('.field-error').innerText()).toContain('not correct')

    await page.getByLabel('6-digit code').fill(authenticator.generate(secret))
    await page.getByRole('button', { name: 'Verify' }).click()
    await welcome(page, 'Fay Fabrikam').waitFor()
  })

  it('accepts an invitation as a new user and lands in the inviting organization', async () => {
    const owner = await register('Globex Support', 'Gus Globex', 'gus@globex.example')
    const invitation = await invite(owner.access_token, 'nia@example.com', 'agent')

    const page = await suite.pages.newPage()
    await page.goto(invitation.path)
    await page.getByRole('heading', { name: 'Join Globex Support' }).waitFor()
    expect(await page.locator('main').innerText()).toContain('nia@example.com')
    await screenshot(page, 'invitation')

    await page.getByLabel('Your name').fill('Nia Newcomer')
    await page.getByLabel('Choose a password').fill('a fine long password')
    await page.getByRole('button', { name: 'Accept invitation' }).click()
    await welcome(page, 'Nia Newcomer').waitFor()
    expect(await section(page, 'org').innerText()).toContain('Globex Support')
    expect(await section(page, 'you').innerText()).toMatch(/agent/i)

    // The link works once.
    await page.goto(invitation.path)
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('expired, was already used')
  })

  it('switches between the organizations a user belongs to', async () => {
    await register('Initech Help', 'Ivy Initech', 'ivy@initech.example')
    const owner = await register('Umbrella Desk', 'Uma Umbrella', 'uma@umbrella.example')
    const invitation = await invite(owner.access_token, 'ivy@initech.example', 'agent')
    const accepted = await post(`${suite.url}/api/v1/invitations/accept`, { token: invitation.token, password: PASSWORD })
    expect(accepted.status, JSON.stringify(accepted.json)).toBe(200)

    const page = await suite.pages.newPage()
    await signIn(page, 'ivy@initech.example')
    await welcome(page, 'Ivy Initech').waitFor()
    const switcher = section(page, 'switch')
    await expect.poll(() => switcher.locator('li').count()).toBe(2)
    const current = (await switcher.locator('li[aria-current="true"] .list-title').innerText()).trim()
    const other = current === 'Initech Help' ? 'Umbrella Desk' : 'Initech Help'
    await screenshot(page, 'home-two-organizations')

    await page.getByRole('button', { name: `Switch to ${other}` }).click()
    await expect.poll(() => page.getByRole('banner').innerText()).toContain(other)
    await expect.poll(() => switcher.locator('li[aria-current="true"]').innerText()).toContain(other)
    expect(await section(page, 'org').innerText()).toContain(other)

    // And back.
    await page.getByRole('button', { name: `Switch to ${current}` }).click()
    await expect.poll(() => section(page, 'org').innerText()).toContain(current)
  })

  it('fits a phone-sized screen without horizontal scrolling', async () => {
    await register('Wide Load Logistics International', 'Wanda Wide', 'wanda.with.a.rather.long.address@wide-load.example')
    // 360 CSS px: a common Android width, narrower than recent iPhones.
    const page = await suite.pages.newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })

    for (const route of ['/login', '/signup']) {
      await page.goto(route)
      await page.getByRole('heading').first().waitFor()
      expect(await hasHorizontalScroll(page), `horizontal scroll on ${route}`).toBe(false)
    }
    await screenshot(page, 'signup-phone')

    await signIn(page, 'wanda.with.a.rather.long.address@wide-load.example')
    await welcome(page, 'Wanda Wide').waitFor()
    await page.getByText('This device').waitFor()
    expect(await hasHorizontalScroll(page), 'horizontal scroll on the home page').toBe(false)
    await screenshot(page, 'home-phone')
  })
})
