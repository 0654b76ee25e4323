import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { chromiumAvailability, focusedName, hasHorizontalScroll, screenshot, useBrowserSuite } from './browser.js'

// Settings → Roles, Teams, Statuses and Custom fields in headless Chromium against the real
// `aidly serve` process: what an admin builds there shows up where agents work (the ticket page's
// status menu and properties), the server's refusals are shown, and an agent is kept out. Each
// test registers its own organization over the API and opens its own browser context.

const chromiumState = chromiumAvailability()

if (chromiumState.state === 'skip') {
  console.warn(`[e2e] ${chromiumState.reason}`)
  describe('admin configuration in Chromium', () => {
    it.skip(chromiumState.reason, () => {})
  })
}

describe.skipIf(chromiumState.state === 'skip')('admin configuration in Chromium', () => {
  const suite = useBrowserSuite('admin_config')
  const { expectAccessible, call, register, addMember, signIn } = suite

  const welcome = (page: Page, name: string) => page.getByRole('heading', { name: `Welcome, ${name}` })
  const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' })
  const settingsMenu = (page: Page) => page.getByRole('navigation', { name: 'Settings sections' })
  const row = (page: Page, name: string) => page.locator('li.list-row').filter({ has: page.getByRole('link', { name, exact: true }) })
  const flash = (page: Page, text: string) => page.getByRole('status').filter({ hasText: text }).first()

  async function signInAs(email: string, name: string, options: Parameters<typeof suite.pages.newPage>[0] = {}) {
    const page = await suite.pages.newPage(options)
    await signIn(page, email)
    await welcome(page, name).waitFor()
    return page
  }

  it('creates a custom role with a few permissions, keeps it after reload, and shows the server refusing to delete it while in use', async () => {
    const owner = await register('Role Makers', 'Rita Roles', 'rita@roles.example')
    const page = await signInAs('rita@roles.example', 'Rita Roles')

    await mainNav(page).getByRole('link', { name: 'Settings' }).click()
    await settingsMenu(page).getByRole('link', { name: 'Roles' }).click()
    await page.waitForURL('**/settings/roles')
    await page.getByRole('heading', { name: 'Roles and permissions', level: 1 }).waitFor()
    // Built-ins are listed, marked read-only, with View rather than Edit and no Delete.
    const admin = row(page, 'Administrator')
    await admin.waitFor()
    expect(await admin.innerText()).toContain('Built-in · read-only')
    expect(await admin.getByRole('button', { name: /Delete/ }).count()).toBe(0)
    await admin.getByRole('link', { name: 'View Administrator' }).waitFor()
    await page.getByText('No custom roles yet.').waitFor()
    await expectAccessible(page, 'roles')
    await screenshot(page, 'settings-roles')

    // A built-in role opens read-only.
    await admin.getByRole('link', { name: 'View Administrator' }).click()
    await page.getByRole('heading', { name: 'Built-in role: Administrator' }).waitFor()
    await page.getByText('This is a built-in role: it cannot be changed.').waitFor()
    expect(await page.locator('form').count()).toBe(0)
    await page.getByRole('link', { name: 'Back to roles' }).click()

    await page.getByRole('link', { name: 'New role' }).click()
    await page.waitForURL('**/settings/roles/new')
    await page.getByRole('heading', { name: 'New role', level: 2 }).waitFor()
    // Permissions come grouped by area, each with its description and its name.
    const tickets = page.getByRole('group', { name: 'Tickets', exact: true })
    expect(await tickets.innerText()).toContain('tickets:assign')
    await page.getByRole('group', { name: 'Replies and notes' }).getByLabel('Write and read internal notes').waitFor()

    // No name: refused at the field, with the focus there.
    await page.getByRole('button', { name: 'Create role' }).click()
    const name = page.getByLabel('Name', { exact: true })
    await expect.poll(() => name.getAttribute('aria-invalid')).toBe('true')
    expect(await page.locator('.field').filter({ has: name }).locator('.field-error').innerText()).toBe('This field is required.')
    expect(await focusedName(page)).toBe('name')
    await expectAccessible(page, 'new role form with errors')

    await name.fill('Billing specialist')
    await page.getByLabel('Description (optional)').fill('Answers billing questions')
    await page.getByLabel('Only tickets assigned to them').check()
    await tickets.getByLabel('See tickets', { exact: true }).check()
    await page.getByLabel('Reply on tickets', { exact: true }).check()
    await page.getByText('2 permissions chosen.').waitFor()
    await page.getByRole('button', { name: 'Create role' }).click()

    await page.waitForURL((url) => url.pathname === '/settings/roles')
    await expect.poll(() => flash(page, 'created').innerText()).toContain('Role “Billing specialist” created.')
    await page.reload()
    const custom = row(page, 'Billing specialist')
    await custom.waitFor()
    expect(await custom.innerText()).toContain('2 permissions · their own tickets · 0 members')
    const roles = (await call('GET', '/roles', owner.access_token)) as { id: string; key: string; name: string; permissions: string[]; ticket_scope: string; is_system: boolean }[]
    const saved = roles.find((r) => r.name === 'Billing specialist')!
    expect(saved).toMatchObject({ key: 'billing_specialist', permissions: ['tickets:read', 'comments:create'], ticket_scope: 'own', is_system: false })

    // A second role may not take the same name: the 409 lands on the name field.
    await page.getByRole('link', { name: 'New role' }).click()
    await page.getByLabel('Name', { exact: true }).fill('billing SPECIALIST')
    await page.getByLabel('Key (optional)').fill('billing_two')
    await page.getByRole('button', { name: 'Create role' }).click()
    await expect.poll(() => page.locator('.field-error').first().innerText()).toBe('Another role already has this name.')
    await page.getByRole('link', { name: 'Cancel' }).click()

    // Someone holds it: the server refuses the delete, and the dialog says why.
    await addMember(owner.access_token, 'bill@roles.example', 'billing_specialist', 'Bill Billing')
    await page.reload()
    await row(page, 'Billing specialist').getByRole('button', { name: 'Delete Billing specialist' }).click()
    const dialog = page.getByRole('dialog', { name: 'Delete this role?' })
    await dialog.getByRole('button', { name: 'Delete role' }).click()
    await expect.poll(() => dialog.getByRole('alert').innerText()).toBe('This role is still in use (1 member). Move them to another role first.')
    await expectAccessible(page, 'delete role refused')
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    expect(await row(page, 'Billing specialist').count()).toBe(1)

    // Editing keeps key and kind, and changes what was asked.
    await row(page, 'Billing specialist').getByRole('link', { name: 'Edit Billing specialist' }).click()
    await page.getByRole('heading', { name: 'Edit role: Billing specialist' }).waitFor()
    await page.getByText('Key: billing_specialist (it cannot change).').waitFor()
    await page.getByLabel('See contacts and companies').check()
    await page.getByRole('button', { name: 'Save changes' }).click()
    await expect.poll(() => flash(page, 'saved').innerText()).toContain('Role “Billing specialist” saved.')
    await expect.poll(() => row(page, 'Billing specialist').innerText()).toContain('3 permissions')
  }, 90_000)

  it('creates a team, adds an agent to it, and deletes a team after confirming', async () => {
    const owner = await register('Team Builders', 'Tess Teams', 'tess@teams.example')
    await addMember(owner.access_token, 'arne@teams.example', 'agent', 'Arne Agent')
    await call('POST', '/teams', owner.access_token, { name: 'Short-lived' })
    const page = await signInAs('tess@teams.example', 'Tess Teams')

    await page.goto('/settings/teams')
    await page.getByRole('heading', { name: 'Teams', level: 1 }).waitFor()
    await row(page, 'Short-lived').waitFor()

    await page.getByRole('link', { name: 'New team' }).click()
    await page.getByRole('heading', { name: 'New team' }).waitFor()
    await page.getByLabel('Name', { exact: true }).fill('Tier 2')
    await page.getByLabel('Description (optional)').fill('Escalations from Tier 1')
    await page.getByRole('button', { name: 'Create team' }).click()

    // The new team's page, ready for its members.
    await page.getByRole('heading', { name: 'Tier 2', level: 2 }).waitFor()
    await flash(page, 'created').waitFor()
    await page.getByText('Nobody is on this team yet.').waitFor()
    const person = page.getByLabel('Person', { exact: true })
    await expect.poll(() => person.locator('option').allInnerTexts(), { timeout: 10_000 }).toContain('Arne Agent (arne@teams.example)')
    await person.selectOption({ label: 'Arne Agent (arne@teams.example)' })
    await page.getByLabel('Team lead', { exact: true }).check()
    await page.getByRole('button', { name: 'Add to team' }).click()
    await expect.poll(() => flash(page, 'joined').innerText()).toContain('Arne Agent joined the team.')
    const members = page.getByRole('list', { name: 'Team members' })
    await members.getByText('Arne Agent').waitFor()
    expect(await members.innerText()).toContain('Team lead')
    expect(await members.innerText()).toContain('Agent')
    await expectAccessible(page, 'team page')

    // Renaming says so where it happened.
    await page.getByLabel('Name', { exact: true }).fill('Tier 2 Support')
    await page.getByRole('button', { name: 'Save changes' }).click()
    await flash(page, 'Team saved.').waitFor()

    await page.getByRole('link', { name: 'Back to teams' }).click()
    await page.reload()
    const tier2 = row(page, 'Tier 2 Support')
    await tier2.waitFor()
    expect(await tier2.innerText()).toContain('1 member')
    expect(await tier2.innerText()).toContain('Escalations from Tier 1')
    await expectAccessible(page, 'teams')
    await screenshot(page, 'settings-teams')
    const detail = await call('GET', `/teams/${(await call('GET', '/teams?q=Tier', owner.access_token))[0].id}`, owner.access_token)
    expect(detail.members).toEqual([expect.objectContaining({ name: 'Arne Agent', is_lead: true })])

    // Delete asks first.
    await row(page, 'Short-lived').getByRole('button', { name: 'Delete Short-lived' }).click()
    const dialog = page.getByRole('dialog', { name: 'Delete this team?' })
    await dialog.getByRole('button', { name: 'Cancel' }).waitFor()
    expect(await dialog.innerText()).toContain('Its tickets stay, without a team')
    await dialog.getByRole('button', { name: 'Delete team' }).click()
    await expect.poll(() => flash(page, 'deleted').innerText()).toContain('Team “Short-lived” deleted.')
    await expect.poll(() => row(page, 'Short-lived').count()).toBe(0)
    expect((await call('GET', '/teams', owner.access_token)).map((t: { name: string }) => t.name)).toEqual(['Tier 2 Support'])
  }, 90_000)

  it('adds a status to the pending category that agents can then pick on a ticket, reorders it by keyboard, and shows refusals', async () => {
    const owner = await register('Status Setters', 'Stan Status', 'stan@status.example')
    const ticket = await call('POST', '/tickets', owner.access_token, { subject: 'Parts on back order', requester: { email: 'pat@customer.example', name: 'Pat Patron' } })
    const page = await signInAs('stan@status.example', 'Stan Status')

    await page.goto('/settings/statuses')
    await page.getByRole('heading', { name: 'Ticket statuses', level: 1 }).waitFor()
    const pending = page.getByRole('region', { name: 'Pending' })
    await pending.getByRole('link', { name: 'Pending', exact: true }).waitFor()
    // Category words are the workspace's.
    for (const category of ['New', 'Open', 'On hold', 'Resolved', 'Closed', 'Cancelled']) await page.getByRole('heading', { name: category, level: 3 }).waitFor()

    await pending.getByRole('link', { name: 'Add a status to Pending' }).click()
    await page.getByRole('heading', { name: 'New status' }).waitFor()
    expect(await page.getByLabel('Category').inputValue()).toBe('pending')
    await page.getByLabel('Name', { exact: true }).fill('Waiting on vendor')
    await page.getByLabel('Colour', { exact: true }).fill('#b45309')
    await expectAccessible(page, 'new status form')
    await page.getByRole('button', { name: 'Create status' }).click()

    await page.waitForURL((url) => url.pathname === '/settings/statuses')
    await expect.poll(() => flash(page, 'created').innerText()).toContain('Status “Waiting on vendor” created.')
    const vendor = row(page, 'Waiting on vendor')
    expect(await vendor.innerText()).toContain('Colour #b45309')
    expect(await page.getByRole('region', { name: 'Pending' }).locator('li').allInnerTexts()).toEqual([
      expect.stringContaining('Pending'),
      expect.stringContaining('Waiting on vendor'),
    ])

    // Move up, from the keyboard: the order changes, it is announced, and focus stays on the row.
    await vendor.getByRole('button', { name: 'Move Waiting on vendor up' }).focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => flash(page, 'now').innerText()).toContain('“Waiting on vendor” is now 1 of 2 in Pending.')
    await expect.poll(() => page.getByRole('region', { name: 'Pending' }).locator('li').first().innerText()).toContain('Waiting on vendor')
    await expect.poll(() => page.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('aria-label'))).toBe('Move Waiting on vendor down')
    const listed = (await call('GET', '/ticket-statuses', owner.access_token)) as { name: string; category: string }[]
    expect(listed.filter((s) => s.category === 'pending').map((s) => s.name)).toEqual(['Waiting on vendor', 'Pending'])
    await expectAccessible(page, 'statuses')
    await screenshot(page, 'settings-statuses')

    // The default status cannot go: the server's refusal is shown in the dialog.
    await row(page, 'New').getByRole('button', { name: 'Delete New' }).click()
    const dialog = page.getByRole('dialog', { name: 'Delete this status?' })
    await dialog.getByRole('button', { name: 'Delete status' }).click()
    await expect.poll(() => dialog.getByRole('alert').innerText()).toBe('This is the default status for new tickets. Make another status the default first.')
    await dialog.getByRole('button', { name: 'Cancel' }).click()

    // The agent-facing ticket page offers the new status.
    await page.goto(`/tickets/${ticket.id}`)
    const status = page.getByRole('region', { name: 'Properties' }).getByLabel('Status')
    await expect.poll(() => status.locator('option').allInnerTexts(), { timeout: 10_000 }).toContain('Waiting on vendor')
    await status.selectOption({ label: 'Waiting on vendor' })
    await flash(page, 'Status saved.').waitFor()
    expect((await call('GET', `/tickets/${ticket.id}`, owner.access_token)).status.name).toBe('Waiting on vendor')

    // Now in use, it needs somewhere to move its tickets before it can go.
    await page.goto('/settings/statuses')
    await row(page, 'Waiting on vendor').getByRole('button', { name: 'Delete Waiting on vendor' }).click()
    await dialog.getByRole('button', { name: 'Delete status' }).click()
    await expect.poll(() => dialog.getByRole('alert').innerText()).toBe('1 ticket uses this status. Choose where to move it, then delete again.')
    await dialog.getByLabel('Move its tickets to').selectOption({ label: 'Pending (Pending)' })
    await dialog.getByRole('button', { name: 'Delete status' }).click()
    await expect.poll(() => flash(page, 'deleted').innerText()).toContain('Status “Waiting on vendor” deleted; 1 ticket moved to the replacement.')
    expect((await call('GET', `/tickets/${ticket.id}`, owner.access_token)).status.name).toBe('Pending')
  }, 90_000)

  it('creates a dropdown field with options, reorders fields by keyboard, and refuses a duplicate key at the field', async () => {
    const owner = await register('Field Office', 'Fay Fields', 'fay@fields.example')
    const page = await signInAs('fay@fields.example', 'Fay Fields')

    await page.goto('/settings/custom-fields')
    await page.getByRole('heading', { name: 'Custom fields', level: 1 }).waitFor()
    await page.getByRole('heading', { name: 'Ticket fields', level: 2 }).waitFor()
    await page.getByText('No fields here yet.').waitFor()
    await page.getByRole('link', { name: 'New field' }).click()
    await page.getByRole('heading', { name: 'New field' }).waitFor()
    expect(await page.getByLabel('Record', { exact: true }).inputValue()).toBe('ticket')
    await page.getByLabel('Label', { exact: true }).fill('Plan')
    await page.getByLabel('Type', { exact: true }).selectOption({ label: 'Dropdown' })
    const options = page.getByRole('group', { name: 'Options' })
    await options.getByLabel('Option 1', { exact: true }).fill('Basic')
    await options.getByRole('button', { name: 'Add option' }).click()
    await options.getByLabel('Option 2', { exact: true }).fill('Enterprise')
    await options.getByRole('button', { name: 'Add option' }).click()
    await options.getByLabel('Option 3', { exact: true }).fill('Pro')
    await options.getByLabel('Stored value 3').fill('pro')
    // Keyboard-usable reordering of options: Pro goes before Enterprise.
    await options.getByRole('button', { name: 'Move option 3 up' }).click()
    expect(await options.getByLabel('Option 2', { exact: true }).inputValue()).toBe('Pro')
    await page.getByLabel('Required', { exact: true }).check()
    await expectAccessible(page, 'new field form')
    await page.getByRole('button', { name: 'Create field' }).click()

    await page.waitForURL((url) => url.pathname === '/settings/custom-fields')
    await expect.poll(() => flash(page, 'created').innerText()).toContain('Field “Plan” created.')
    const plan = row(page, 'Plan')
    expect(await plan.innerText()).toContain('Dropdown')
    expect(await plan.innerText()).toContain('3 options: Basic, Pro, Enterprise')
    const [field] = (await call('GET', '/custom-fields?entity=ticket', owner.access_token)) as any[]
    expect(field).toMatchObject({
      key: 'plan', type: 'select', is_required: true, is_internal: false,
      options: [{ value: 'Basic', label: 'Basic' }, { value: 'pro', label: 'Pro' }, { value: 'Enterprise', label: 'Enterprise' }],
    })

    // The same key again: the server's 409 lands on the key field.
    await page.getByRole('link', { name: 'New field' }).click()
    await page.getByLabel('Label', { exact: true }).fill('Seats')
    await page.getByLabel('Key (optional)').fill('plan')
    await page.getByLabel('Type', { exact: true }).selectOption({ label: 'Number' })
    await page.getByRole('button', { name: 'Create field' }).click()
    const key = page.getByLabel('Key (optional)')
    await expect.poll(() => key.getAttribute('aria-invalid')).toBe('true')
    expect(await page.locator('.field').filter({ has: key }).locator('.field-error').innerText()).toBe(
      'Another field of this record already uses this key (deactivated ones count too).',
    )
    expect(await focusedName(page)).toBe('key')
    await expectAccessible(page, 'new field form with errors')
    await key.fill('seats')
    await page.getByRole('button', { name: 'Create field' }).click()
    await row(page, 'Seats').waitFor()

    // Reorder the list from the keyboard: Seats before Plan.
    await row(page, 'Seats').getByRole('button', { name: 'Move Seats up' }).click()
    await expect.poll(() => page.locator('li.list-row').first().innerText()).toContain('Seats')
    await expectAccessible(page, 'custom fields')
    await screenshot(page, 'settings-custom-fields')
  }, 90_000)

  it('shows a dropdown field made in the settings in the ticket’s properties panel, where it is edited in place', async () => {
    const owner = await register('Field Agents', 'Finn Fields', 'finn@fields.example')
    const ticket = await call('POST', '/tickets', owner.access_token, { subject: 'Upgrade my plan' })
    const page = await signInAs('finn@fields.example', 'Finn Fields')
    await page.goto('/settings/custom-fields/new')
    await page.getByLabel('Label', { exact: true }).fill('Plan')
    await page.getByLabel('Type', { exact: true }).selectOption({ label: 'Dropdown' })
    const options = page.getByRole('group', { name: 'Options' })
    await options.getByLabel('Option 1', { exact: true }).fill('Basic')
    await options.getByRole('button', { name: 'Add option' }).click()
    await options.getByLabel('Option 2', { exact: true }).fill('Pro')
    await page.getByRole('button', { name: 'Create field' }).click()
    await row(page, 'Plan').waitFor()

    await page.goto(`/tickets/${ticket.id}`)
    const plan = page.getByRole('region', { name: 'Properties' }).getByLabel('Plan')
    await expect.poll(() => plan.locator('option').allInnerTexts(), { timeout: 10_000 }).toEqual(expect.arrayContaining(['Basic', 'Pro']))
    // Picking a value saves it at once; it is there after a reload and in the ticket's history.
    await plan.selectOption({ label: 'Pro' })
    await page.getByText('Plan saved.').waitFor()
    await page.reload()
    const reloaded = page.getByRole('region', { name: 'Properties' }).getByLabel('Plan')
    await expect.poll(() => reloaded.locator('option:checked').innerText()).toBe('Pro')
    const saved = await call('GET', `/tickets/${ticket.id}`, owner.access_token)
    expect(saved.custom_fields.plan).toBe(await reloaded.inputValue())
  }, 90_000)

  it('keeps an agent out: no Settings in the header, "Not allowed" at each section', async () => {
    const owner = await register('Agents Desk', 'Olga Owner', 'olga@agents-desk.example')
    await addMember(owner.access_token, 'andy@agents-desk.example', 'agent', 'Andy Agent')
    const page = await signInAs('andy@agents-desk.example', 'Andy Agent')
    await mainNav(page).getByRole('link', { name: 'Home' }).waitFor()
    expect(await mainNav(page).getByRole('link', { name: 'Settings' }).count()).toBe(0)

    for (const path of ['/settings/roles', '/settings/roles/new', '/settings/teams', '/settings/statuses', '/settings/custom-fields']) {
      await page.goto(path)
      await page.getByRole('heading', { name: 'Not allowed' }).waitFor()
      expect(await page.locator('main').innerText()).not.toContain('Roles and permissions')
    }
    await expectAccessible(page, 'not allowed')
  })

  it('fits a phone screen in dark mode', async () => {
    await register('Pocket Config', 'Pip Pocket', 'pip@pocket-config.example')
    const page = await signInAs('pip@pocket-config.example', 'Pip Pocket', { viewport: { width: 390, height: 800 }, isMobile: true, hasTouch: true, colorScheme: 'dark' })
    for (const [path, heading] of [
      ['/settings/roles', 'Built-in roles'],
      ['/settings/roles/new', 'New role'],
      ['/settings/teams/new', 'New team'],
      ['/settings/statuses', 'Resolved'],
      ['/settings/custom-fields/new', 'New field'],
    ] as const) {
      await page.goto(path)
      await page.getByRole('heading', { name: heading, exact: true }).waitFor()
      expect(await hasHorizontalScroll(page), `horizontal scroll on ${path}`).toBe(false)
    }
    await page.getByLabel('Type', { exact: true }).selectOption({ label: 'Multiple choice' })
    await page.getByRole('group', { name: 'Options' }).waitFor()
    expect(await hasHorizontalScroll(page), 'horizontal scroll on the options editor').toBe(false)
    await expectAccessible(page, 'new field form (phone, dark)')
    await page.goto('/settings/statuses')
    await page.getByRole('heading', { name: 'Resolved' }).waitFor()
    await expectAccessible(page, 'statuses (phone, dark)')
  }, 90_000)
})
