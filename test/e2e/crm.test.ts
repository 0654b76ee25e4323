import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { chromiumAvailability, hasHorizontalScroll, screenshot, useBrowserSuite } from './browser.js'

// Contacts and companies in headless Chromium against the real `aidly serve` process: search,
// edit in place (and see it after a reload), server errors at their field, notes, the contact's
// tickets, merging a duplicate, a new company with a contact linked to it, a company merge, and
// a viewer who reads everything but changes nothing. Each test registers its own organization.

const chromiumState = chromiumAvailability()

if (chromiumState.state === 'skip') {
  console.warn(`[e2e] ${chromiumState.reason}`)
  describe('contacts and companies in Chromium', () => {
    it.skip(chromiumState.reason, () => {})
  })
}

describe.skipIf(chromiumState.state === 'skip')('contacts and companies in Chromium', () => {
  const suite = useBrowserSuite('crm')
  const { expectAccessible, call, register, addMember, signIn } = suite

  const welcome = (page: Page, name: string) => page.getByRole('heading', { name: `Welcome, ${name}` })
  const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' })
  const main = (page: Page) => page.locator('main')
  const region = (page: Page, name: string) => page.getByRole('region', { name, exact: true })
  const contactRows = (page: Page) => page.getByRole('table', { name: /contacts/i }).locator('tbody tr')

  it('searches, edits, notes, shows tickets, merges a duplicate and links a contact to a new company', async () => {
    const owner = await register('Bureau Inc', 'Fox Mulder', 'fox@bureau.example')
    const token = owner.access_token
    const bureau = await call('POST', '/companies', token, { name: 'Federal Bureau', domains: ['fbi.example'] })
    const dana = await call('POST', '/contacts', token, { name: 'Dana Scully', email: 'dana@fbi.example', phones: [{ type: 'work', number: '+1 555 0100' }] })
    const twin = await call('POST', '/contacts', token, { name: 'Dana Scully', email: 'dana.scully@fbi.example' })
    const walter = await call('POST', '/contacts', token, { name: 'Walter Skinner', email: 'walter@fbi.example' })
    expect([dana.company?.id, twin.company?.id, walter.company?.id]).toEqual([bureau.id, bureau.id, bureau.id])
    const ticket = await call('POST', '/tickets', token, { subject: 'Alien artifact went missing', requester_id: dana.id })
    await call('POST', '/tickets', token, { subject: 'Second sighting', requester_id: twin.id })

    const page = await suite.pages.newPage()
    await signIn(page, 'fox@bureau.example')
    await welcome(page, 'Fox Mulder').waitFor()

    // The list: all three, then a search narrows it to the two Danas.
    await mainNav(page).getByRole('link', { name: 'Contacts' }).click()
    await page.waitForURL('**/contacts')
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor()
    await expect.poll(() => contactRows(page).count()).toBe(3)
    expect(await page.getByRole('status').filter({ hasText: '3 contacts' }).count()).toBe(1)
    await expectAccessible(page, 'contacts')
    await screenshot(page, 'contacts')
    await page.getByLabel('Search contacts by name or email').fill('Scully')
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await page.waitForURL(/q=Scully/)
    await expect.poll(() => contactRows(page).count()).toBe(2)
    expect(await main(page).innerText()).not.toContain('Walter Skinner')

    // Open Dana: her details, company and ticket.
    await contactRows(page).filter({ hasText: 'dana@fbi.example' }).getByRole('link', { name: 'Dana Scully' }).click()
    await page.waitForURL(`**/contacts/${dana.id}`)
    await page.getByRole('heading', { name: 'Dana Scully', level: 1 }).waitFor()
    const details = region(page, 'Details')
    expect(await details.innerText()).toContain('+1 555 0100')
    await details.getByRole('link', { name: 'Federal Bureau' }).waitFor()
    const tickets = region(page, 'Their tickets')
    await tickets.getByRole('link', { name: /Alien artifact went missing/ }).waitFor()

    // Edit the phone in place; it is still there after a reload.
    await details.getByRole('button', { name: 'Edit details' }).click()
    await details.getByLabel('Phone 1', { exact: true }).fill('+1 555 0199')
    await details.getByRole('button', { name: 'Save changes' }).click()
    await page.getByRole('status').filter({ hasText: 'Contact saved.' }).waitFor()
    await page.reload()
    await page.getByRole('heading', { name: 'Dana Scully', level: 1 }).waitFor()
    await expect.poll(() => region(page, 'Details').innerText()).toContain('+1 555 0199')
    expect(await region(page, 'Details').innerText()).not.toContain('+1 555 0100')

    // A bad email: the server's answer is shown at the field, and nothing is saved.
    await details.getByRole('button', { name: 'Edit details' }).click()
    const email = details.getByLabel('Email', { exact: true })
    await email.fill('not-an-email')
    await details.getByRole('button', { name: 'Save changes' }).click()
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true')
    const emailError = details.locator('.field', { has: page.locator('input[name="email"]') }).locator('.field-error')
    expect(await emailError.innerText()).toBe('Enter a valid email address, like name@example.com.')
    expect(await email.getAttribute('aria-describedby')).toBe(await emailError.getAttribute('id'))
    await expectAccessible(page, 'contact form with an error')
    await details.getByRole('button', { name: 'Cancel' }).click()
    expect(await details.innerText()).toContain('dana@fbi.example')

    // A note, listed under Notes and in the activity.
    const notes = region(page, 'Notes')
    await notes.getByLabel('New note').fill('Prefers phone calls after 6 pm.')
    await notes.getByRole('button', { name: 'Add note' }).click()
    await notes.getByRole('list', { name: 'Notes' }).getByText('Prefers phone calls after 6 pm.').waitFor()
    await expect.poll(() => region(page, 'Activity').innerText()).toContain('Note by Fox Mulder')
    await expectAccessible(page, 'contact')
    await screenshot(page, 'contact')

    // Merge the duplicate: found as likely, previewed, confirmed; her ticket comes along.
    await page.getByRole('button', { name: 'Merge duplicates…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Merge into Dana Scully' })
    await dialog.waitFor()
    await dialog.getByRole('group', { name: 'Likely duplicates' }).getByRole('checkbox', { name: /dana\.scully@fbi\.example/ }).check()
    await dialog.getByRole('button', { name: 'Preview merge' }).click()
    await dialog.getByText('Moving here — tickets: 1, notes: 0.').waitFor()
    expect(await dialog.getByRole('list', { name: 'Merged and removed' }).innerText()).toContain('dana.scully@fbi.example')
    await dialog.getByRole('radio', { name: 'Keep this contact’s details' }).check()
    expect(await dialog.locator('.crm-merge-result').innerText()).toContain('dana@fbi.example')
    await expectAccessible(page, 'contact merge preview')
    await screenshot(page, 'contact-merge')
    await dialog.getByRole('button', { name: 'Merge 1 contact' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await page.getByRole('status').filter({ hasText: 'Merged 1 contact into this one (tickets moved: 1, notes moved: 0).' }).waitFor()
    expect(page.url()).toContain(`/contacts/${dana.id}`)
    await tickets.getByRole('link', { name: /Second sighting/ }).waitFor()

    // A ticket of hers opens the ticket page.
    await tickets.getByRole('link', { name: /Alien artifact went missing/ }).click()
    await page.waitForURL(`**/tickets/${ticket.id}`)
    await page.getByRole('heading', { name: /Alien artifact went missing/, level: 1 }).waitFor()

    // The duplicate is gone from the list.
    await page.goto('/contacts?q=Scully')
    await expect.poll(() => contactRows(page).count()).toBe(1)
    expect(await contactRows(page).innerText()).toContain('dana@fbi.example')
    await page.goto(`/contacts/${twin.id}`)
    await page.getByText('This contact does not exist, or was merged or deleted.').waitFor()

    // A new company, then Dana linked to it from her page: she is listed under it.
    await mainNav(page).getByRole('link', { name: 'Companies' }).click()
    await page.waitForURL('**/companies')
    await page.getByRole('heading', { name: 'Companies', level: 1 }).waitFor()
    await page.getByRole('link', { name: 'New company' }).click()
    await page.getByRole('heading', { name: 'New company', level: 1 }).waitFor()
    await expectAccessible(page, 'new company form')
    await page.getByLabel('Name', { exact: true }).fill('X-Files Unit')
    await page.getByLabel('Email domains').fill('xfiles.example')
    await page.getByLabel('Website').fill('https://xfiles.example')
    await page.getByRole('button', { name: 'Add company' }).click()
    await page.getByRole('heading', { name: 'X-Files Unit', level: 1 }).waitFor()
    const unitUrl = page.url()
    await region(page, 'Contacts').getByText('No contacts at this company yet.').waitFor()

    await page.goto(`/contacts/${dana.id}`)
    await region(page, 'Details').getByRole('button', { name: 'Edit details' }).click()
    await region(page, 'Details').getByLabel('Company', { exact: true }).selectOption({ label: 'X-Files Unit' })
    await region(page, 'Details').getByRole('button', { name: 'Save changes' }).click()
    await page.getByRole('status').filter({ hasText: 'Contact saved.' }).waitFor()
    await region(page, 'Details').getByRole('link', { name: 'X-Files Unit' }).click()
    await page.waitForURL(unitUrl)
    await page.getByRole('heading', { name: 'X-Files Unit', level: 1 }).waitFor()
    await region(page, 'Contacts').getByRole('link', { name: 'Dana Scully' }).waitFor()

    // Merge the old company into it: the preview shows the domains together; Walter comes along.
    await page.getByRole('button', { name: 'Merge another company…' }).click()
    const companyDialog = page.getByRole('dialog', { name: 'Merge into X-Files Unit' })
    await companyDialog.getByLabel('Find a company by name').fill('Federal')
    await companyDialog.getByRole('checkbox', { name: /Federal Bureau/ }).check()
    await companyDialog.getByRole('button', { name: 'Preview merge' }).click()
    expect(await companyDialog.locator('.crm-merge-result').innerText()).toContain('xfiles.example, fbi.example')
    await companyDialog.getByRole('button', { name: 'Merge 1 company' }).click()
    await companyDialog.waitFor({ state: 'hidden' })
    await page.getByRole('status').filter({ hasText: /Merged 1 company into this one/ }).waitFor()
    await region(page, 'Contacts').getByRole('link', { name: 'Walter Skinner' }).waitFor()
    // The tickets were opened under the old company; they came along with it.
    await region(page, 'Company tickets').getByRole('link', { name: /Alien artifact went missing/ }).waitFor()
    await expectAccessible(page, 'company')
    await screenshot(page, 'company')

    await mainNav(page).getByRole('link', { name: 'Companies' }).click()
    await page.getByRole('heading', { name: 'Companies', level: 1 }).waitFor()
    await expect.poll(() => page.getByRole('table', { name: /companies/i }).locator('tbody tr').count()).toBe(1)
    expect(await main(page).innerText()).not.toContain('Federal Bureau')
    await expectAccessible(page, 'companies')
    await screenshot(page, 'companies')

    // At phone width the pages fit without sideways scrolling.
    await page.setViewportSize({ width: 390, height: 844 })
    for (const path of ['/contacts', `/contacts/${dana.id}`, '/companies', new URL(unitUrl).pathname]) {
      await page.goto(path)
      await page.getByRole('heading', { level: 1 }).waitFor()
      expect(await hasHorizontalScroll(page), path).toBe(false)
    }
    await page.goto(`/contacts/${dana.id}`)
    await region(page, 'Details').getByRole('button', { name: 'Edit details' }).click()
    expect(await hasHorizontalScroll(page), 'contact form').toBe(false)
    await screenshot(page, 'contact-phone')
  }, 120_000)

  it('shows a viewer everything read-only', async () => {
    const owner = await register('Lone Gunmen', 'Byers Owner', 'byers@gunmen.example')
    const company = await call('POST', '/companies', owner.access_token, { name: 'Gunmen Press', domains: ['gunmen.example'] })
    const frohike = await call('POST', '/contacts', owner.access_token, { name: 'Melvin Frohike', email: 'frohike@gunmen.example' })
    await call('POST', `/contacts/${frohike.id}/notes`, owner.access_token, { body: 'Knows everyone at the paper.' })
    await call('POST', `/companies/${company.id}/notes`, owner.access_token, { body: 'Prints on Thursdays.' })
    await addMember(owner.access_token, 'vic@gunmen.example', 'viewer', 'Vic Viewer')

    const page = await suite.pages.newPage()
    await signIn(page, 'vic@gunmen.example')
    await welcome(page, 'Vic Viewer').waitFor()
    await mainNav(page).getByRole('link', { name: 'Contacts' }).click()
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor()
    await contactRows(page).getByRole('link', { name: 'Melvin Frohike' }).waitFor()
    expect(await page.getByRole('link', { name: 'New contact' }).count()).toBe(0)

    await contactRows(page).getByRole('link', { name: 'Melvin Frohike' }).click()
    await page.getByRole('heading', { name: 'Melvin Frohike', level: 1 }).waitFor()
    await region(page, 'Notes').getByText('Knows everyone at the paper.').waitFor()
    await region(page, 'Details').getByRole('link', { name: 'Gunmen Press' }).waitFor()
    for (const name of ['Edit details', 'Merge duplicates…', 'Block', 'Delete contact', 'Give portal access', 'Add note', 'Edit', 'Delete note', 'Pin']) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0)
    }
    expect(await page.getByLabel('New note').count()).toBe(0)
    await expectAccessible(page, 'contact (viewer)')

    await region(page, 'Details').getByRole('link', { name: 'Gunmen Press' }).click()
    await page.getByRole('heading', { name: 'Gunmen Press', level: 1 }).waitFor()
    await region(page, 'Notes').getByText('Prints on Thursdays.').waitFor()
    await region(page, 'Contacts').getByRole('link', { name: 'Melvin Frohike' }).waitFor()
    for (const name of ['Edit details', 'Merge another company…', 'Delete company', 'Add note']) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0)
    }

    // The new-record forms are not for them.
    await page.goto('/contacts/new')
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor()
    await page.goto('/companies')
    await page.getByRole('heading', { name: 'Companies', level: 1 }).waitFor()
    expect(await page.getByRole('link', { name: 'New company' }).count()).toBe(0)
  }, 60_000)
})
