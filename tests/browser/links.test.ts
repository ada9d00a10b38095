/**
 * My links in real Chromium: a batch of labelled links, each with its own fate (viewed,
 * burned, expired, active), seen live in one batch request per 100 entries; filter, search,
 * bulk burn, forget, export and import; recipient burn and QR codes. Labels, keys, links and
 * content never leave the browser: status requests carry only sid and mt.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import type { Page } from 'playwright-core'
import { describe, expect, inject, it } from 'vitest'
import { encode } from 'uqr'
import { createClient, encodeB64u, type ManageRef } from '@burnlink/shared'
import {
  apiRequests,
  expectClean,
  hasChromium,
  keyForms,
  leaks,
  newPerson,
  seedSecret,
  useBrowserSuite,
} from '../helpers/browser.ts'

const DOCS = fileURLToPath(new URL('../../docs', import.meta.url))
const STORAGE_KEY = 'burnlink.links.v1'
const TEXT = 'vpn: alpha-tango-7731 (shared with the whole team)'
// Spaces and capitals never occur in base64url, so a label found in a request is a leak, not chance.
const FIRST = ['Ann Smith', 'Ben Jones', 'Cat Lee']
const TEAM = ['team Red', 'team Blue']

interface StoredEntry extends ManageRef {
  label: string
  [field: string]: unknown
}

async function storedLinks(page: Page): Promise<StoredEntry[]> {
  const raw = await page.evaluate((key) => localStorage.getItem(key), STORAGE_KEY)
  return raw ? (JSON.parse(raw) as { links: StoredEntry[] }).links : []
}

async function fillForm(page: Page, origin: string, labels: string[]): Promise<void> {
  if (!page.url().startsWith(origin)) await page.goto(`${origin}/`)
  await page.getByLabel('Secret', { exact: true }).fill(TEXT)
  await page.getByLabel('1 hour').check()
  if (labels.length === 1) {
    await page.getByLabel('Label for My links (optional)').fill(labels[0]!)
    return
  }
  await page.getByLabel('Create separate links for several people').check()
  await page.getByLabel('Number of people').fill(String(labels.length))
  for (const [i, label] of labels.entries())
    await page.getByLabel(`Label for person ${i + 1}`, { exact: true }).fill(label)
}

/** Creates one link per label through the form; returns the secret links by label. */
async function createThroughForm(page: Page, origin: string, labels: string[]): Promise<Record<string, string>> {
  await fillForm(page, origin, labels)
  if (labels.length === 1) {
    await page.getByRole('button', { name: 'Create link' }).click()
    return { [labels[0]!]: await page.getByLabel('Secret link', { exact: true }).inputValue() }
  }
  await page.getByRole('button', { name: `Create ${labels.length} links` }).click()
  await page.getByRole('heading', { name: `${labels.length} secret links are ready` }).waitFor()
  const links = await Promise.all(
    labels.map((l) => page.getByLabel(`Secret link for ${l}`, { exact: true }).inputValue()),
  )
  return Object.fromEntries(labels.map((l, i) => [l, links[i]!]))
}

/** The sids of the rows on screen, once every status has arrived. */
async function shownSids(page: Page): Promise<string[]> {
  await expect.poll(() => page.locator('tbody tr[data-state="checking"]').count()).toBe(0)
  return page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.sid ?? ''))
}

const rowOf = (page: Page, label: string) => page.locator('tbody tr', { has: page.getByText(label, { exact: true }) })

/**
 * The shortest TTL the API accepts is 60 s, too long to wait for. This does to Redis what
 * time would: the ciphertext key lapses and the recorded expiry is now, so the store's own
 * scripts settle the secret to `expired` exactly as after a natural expiry.
 */
async function expireNow(sid: string): Promise<void> {
  const redis = new Redis(inject('redisUrl'))
  try {
    const [seconds, micros] = await redis.time()
    await redis.hset(`bl:{${sid}}:m`, 'ea', String(Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)))
    await redis.pexpire(`bl:{${sid}}:c`, 1)
  } finally {
    redis.disconnect()
  }
}

describe.runIf(hasChromium())('My links', () => {
  const suite = useBrowserSuite({ redisUrl: inject('redisUrl') })

  it('follows a labelled batch: viewed, burned, expired, active; filters, bulk burn, export and import', async () => {
    const alice = await newPerson(suite.browser)
    const links = await createThroughForm(alice.page, suite.url, FIRST)
    await alice.page.getByRole('button', { name: 'Create another secret' }).click()
    Object.assign(links, await createThroughForm(alice.page, suite.url, TEAM))
    await alice.page.getByRole('button', { name: 'Create another secret' }).click()
    Object.assign(links, await createThroughForm(alice.page, suite.url, ['Dan Brown']))
    expect(await alice.page.getByLabel('Keep in My links').isChecked()).toBe(true)
    await alice.page
      .getByText('The manage link is the only way to check or burn this secret without this browser')
      .waitFor()
    await alice.page.getByRole('button', { name: 'Create another secret' }).click()
    Object.assign(links, await createThroughForm(alice.page, suite.url, ['Eve Unkept']))
    await alice.page.getByLabel('Keep in My links').uncheck()

    // One entry per kept secret, with exactly the fields My links may hold.
    const stored = await storedLinks(alice.page)
    expect(stored.map((e) => e.label)).toEqual([...FIRST, ...TEAM, 'Dan Brown'])
    for (const entry of stored)
      expect(Object.keys(entry).sort()).toEqual(['createdAt', 'expiresAt', 'kind', 'label', 'maxViews', 'mt', 'sid'])
    const storage = JSON.stringify(stored)
    for (const link of Object.values(links))
      for (const form of [link, ...keyForms(link)]) expect(storage).not.toContain(form)
    const entry = (label: string) => stored.find((e) => e.label === label)!
    const statusOf = (label: string) =>
      createClient({ baseUrl: suite.url }).status({ sid: entry(label).sid, mt: entry(label).mt })

    const bob = await newPerson(suite.browser)
    await bob.page.goto(links['Ann Smith']!)
    await bob.page.getByRole('button', { name: 'Reveal secret' }).click()
    await bob.page.getByText('This secret is now gone').waitFor()
    await expireNow(entry('Cat Lee').sid)

    await alice.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My links' }).click()
    await shownSids(alice.page)
    const stateOf = (label: string) => rowOf(alice.page, label).getAttribute('data-state')
    expect(await stateOf('Ann Smith')).toBe('viewed')
    expect(await stateOf('Cat Lee')).toBe('expired')
    for (const label of ['Ben Jones', ...TEAM, 'Dan Brown']) expect(await stateOf(label)).toBe('active')
    await rowOf(alice.page, 'Ann Smith').getByText('1 of 1').waitFor()

    await alice.page.getByLabel('Select Ben Jones').check()
    await alice.page.getByRole('button', { name: 'Burn selected…' }).click()
    await alice.page.getByRole('button', { name: 'Yes, burn' }).click()
    await rowOf(alice.page, 'Ben Jones').getByText('Burned by you (the creator)').waitFor()
    expect(await statusOf('Ben Jones')).toMatchObject({ state: 'burned', burnReason: 'creator' })
    if (process.env.SCREENSHOTS)
      await alice.page.screenshot({ path: join(DOCS, 'screenshot-links.png'), fullPage: true })

    const sidsOf = (...labels: string[]) => labels.map((l) => entry(l).sid).sort()
    const filterTo = async (state: string) => {
      await alice.page.getByLabel('State', { exact: true }).selectOption(state)
      return (await shownSids(alice.page)).sort()
    }
    expect(await filterTo('active')).toEqual(sidsOf(...TEAM, 'Dan Brown'))
    expect(await filterTo('viewed')).toEqual(sidsOf('Ann Smith'))
    expect(await filterTo('expired')).toEqual(sidsOf('Cat Lee'))
    expect(await filterTo('burned')).toEqual(sidsOf('Ben Jones'))
    expect(await filterTo('all')).toHaveLength(6)

    // Bulk burn of a searched set: exactly the shown rows, nothing else.
    await alice.page.getByLabel('Search').fill('TEAM')
    expect((await shownSids(alice.page)).sort()).toEqual(sidsOf(...TEAM))
    await alice.page.getByLabel('Select all 2 shown').check()
    await alice.page.getByRole('button', { name: 'Burn selected…' }).click()
    await alice.page.getByRole('button', { name: 'Yes, burn' }).click()
    for (const label of TEAM) await rowOf(alice.page, label).getByText('Burned by you (the creator)').waitFor()
    for (const label of TEAM) expect(await statusOf(label)).toMatchObject({ state: 'burned', burnReason: 'creator' })
    expect(await statusOf('Dan Brown')).toMatchObject({ state: 'active' })
    expect(await statusOf('Ann Smith')).toMatchObject({ state: 'viewed' })

    await alice.page.getByLabel('Search').fill(entry('Dan Brown').sid.slice(0, 12))
    expect(await shownSids(alice.page)).toEqual(sidsOf('Dan Brown'))
    await alice.page.getByLabel('Search').fill('')

    // Forget: gone from this browser, untouched on the server.
    await alice.page.getByLabel('Select Cat Lee').check()
    await alice.page.getByRole('button', { name: 'Forget selected…' }).click()
    await alice.page.getByRole('button', { name: 'Yes, forget' }).click()
    await expect.poll(() => shownSids(alice.page)).toHaveLength(5)
    expect((await storedLinks(alice.page)).map((e) => e.label)).not.toContain('Cat Lee')
    expect(await statusOf('Cat Lee')).toMatchObject({ state: 'expired' })

    const [download] = await Promise.all([
      alice.page.waitForEvent('download'),
      alice.page.getByRole('button', { name: 'Export list' }).click(),
    ])
    const exported = readFileSync((await download.path())!, 'utf8')
    expect(JSON.parse(exported)).toMatchObject({ format: 'burnlink-links', v: 1 })

    const carol = await newPerson(suite.browser)
    await carol.page.goto(`${suite.url}/links`)
    await carol.page.getByRole('heading', { name: 'No links in this browser yet' }).waitFor()
    const file = { name: 'links.json', mimeType: 'application/json', buffer: Buffer.from(exported) }
    await carol.page.getByLabel('Import list').setInputFiles(file)
    await carol.page.getByText('Imported 5 of 5 links.').waitFor()
    expect((await shownSids(carol.page)).sort()).toEqual(sidsOf('Ann Smith', 'Ben Jones', ...TEAM, 'Dan Brown'))
    expect(await rowOf(carol.page, 'Ann Smith').getAttribute('data-state')).toBe('viewed')
    expect(await rowOf(carol.page, 'Dan Brown').getAttribute('data-state')).toBe('active')
    await carol.page.getByLabel('Import list').setInputFiles(file)
    await carol.page.getByText('Imported 0 of 5 links (5 already here).').waitFor()
    expect(await shownSids(carol.page)).toHaveLength(5)
    await carol.page
      .getByLabel('Import list')
      .setInputFiles({ ...file, buffer: Buffer.from('{"format":"burnlink-links","v":1,"links":[{"sid":"x"}]}') })
    await carol.page.getByText('This file is not a burnlink links export (at links.0.sid)').waitFor()

    // Zero knowledge: nothing that names or opens a secret left any browser, and a status
    // request holds sid and mt only.
    const secrets = Object.values(links)
    const labels = [...FIRST, ...TEAM, 'Dan Brown', 'Eve Unkept']
    const forbidden = [TEXT, 'alpha-tango-7731', ...labels, ...secrets, ...secrets.flatMap(keyForms)]
    expect(await leaks([alice, bob, carol], forbidden)).toEqual([])
    const statusCalls = [
      ...(await apiRequests(alice, '/api/v1/secrets/status')),
      ...(await apiRequests(carol, '/api/v1/secrets/status')),
    ]
    expect(statusCalls.length).toBeGreaterThan(0)
    for (const call of statusCalls) {
      const { items } = JSON.parse(call.body) as { items: object[] }
      for (const item of items) expect(Object.keys(item).sort()).toEqual(['mt', 'sid'])
    }
    expectClean(alice)
    expectClean(carol)
  })

  it('shows 500 entries from one batch request per 100, unknown ones included, on a 360 px phone in dark mode', async () => {
    const real = await Promise.all(Array.from({ length: 10 }, () => seedSecret(suite.url)))
    const random = (n: number) => encodeB64u(crypto.getRandomValues(new Uint8Array(n)))
    const now = Date.now()
    const entries = Array.from({ length: 500 }, (_, i) => ({
      sid: real[i]?.sid ?? random(16),
      mt: real[i]?.mt ?? random(32),
      label: `entry ${i}`,
      createdAt: new Date(now - i * 60_000).toISOString(),
      expiresAt: new Date(now + 3_600_000).toISOString(),
      maxViews: 1,
      kind: 'text',
    }))
    const person = await newPerson(suite.browser, { width: 360, colorScheme: 'dark' })
    await person.page.goto(`${suite.url}/links`)
    await person.page.evaluate(
      ([key, value]) => localStorage.setItem(key!, value!),
      [STORAGE_KEY, JSON.stringify({ format: 'burnlink-links', v: 1, links: entries })],
    )

    const started = Date.now()
    await person.page.reload()
    expect(await shownSids(person.page)).toHaveLength(500)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(await person.page.locator('tbody tr[data-state="active"]').count()).toBe(10)
    expect(await person.page.locator('tbody tr[data-state="unknown"]').count()).toBe(490)
    await rowOf(person.page, 'entry 499').getByText('Unknown — record deleted').waitFor()

    const calls = await apiRequests(person, '/api/v1/secrets/status')
    expect(calls.map((c) => (JSON.parse(c.body) as { items: unknown[] }).items.length)).toEqual([
      100, 100, 100, 100, 100,
    ])
    expect(await person.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)
    expectClean(person)
  })

  it('lets a recipient of a multi-view secret burn it for everyone', async () => {
    const seeded = await seedSecret(suite.url, { maxViews: 3 })
    const bob = await newPerson(suite.browser)
    await bob.page.goto(seeded.link)
    await bob.page.getByRole('button', { name: 'Reveal secret' }).click()
    await bob.page.getByText('It can be viewed twice more before it is deleted').waitFor()
    await bob.page.getByRole('button', { name: 'Burn it now' }).click()
    await bob.page.getByRole('button', { name: 'Cancel' }).click()
    expect(await seeded.status()).toMatchObject({ state: 'active', views: 1 })

    await bob.page.getByRole('button', { name: 'Burn it now' }).click()
    await bob.page.getByRole('button', { name: 'Yes, burn it' }).click()
    await bob.page.getByText('You burned it: nobody can open this link again.').waitFor()
    await bob.page.getByText('This secret is now gone').waitFor()
    expect(await seeded.status()).toMatchObject({ state: 'burned', burnReason: 'recipient', views: 1 })
    expect(await leaks([bob], keyForms(seeded.link))).toEqual([])
  })

  it('draws a QR code of a link in the page, for this link and for each of a batch', async () => {
    const alice = await newPerson(suite.browser, { width: 360 })
    const links = await createThroughForm(alice.page, suite.url, ['Phone One', 'Phone Two'])
    const second = alice.page.locator('li', {
      has: alice.page.getByLabel('Secret link for Phone Two', { exact: true }),
    })
    await second.getByRole('button', { name: 'Show QR code' }).click()
    const qr = alice.page.getByRole('img', { name: 'QR code of the secret link for Phone Two' })
    await qr.waitFor()
    // The matrix drawn is the one the library makes for exactly this link.
    const { size } = encode(links['Phone Two']!, { ecc: 'M', border: 4 })
    expect(await qr.getAttribute('viewBox')).toBe(`0 0 ${size} ${size}`)
    expect(await alice.page.getByRole('img').count()).toBe(1)
    await second.getByRole('button', { name: 'Hide QR code' }).click()
    await expect.poll(() => qr.count()).toBe(0)
    await alice.page.getByRole('button', { name: 'Download as CSV' }).waitFor()

    await alice.settle()
    expect(alice.requests.every((r) => new URL(r.url).origin === suite.url)).toBe(true)
    expectClean(alice)
  })
})
