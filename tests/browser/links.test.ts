/**
 * My links in Chromium, Firefox and WebKit: a batch of labelled links, each with its own fate
 * (viewed, burned, expired, active), seen live in one batch request per 100 entries; filter,
 * search, bulk burn, forget, export and import; recipient burn and QR codes. Labels, keys,
 * links and content never reach the server: status requests carry only sid and mt.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { expect, it } from 'vitest'
import { encode } from 'uqr'
import { createClient, encodeB64u, type ManageRef } from '@burnlink/shared'
import { keyForms, leaksIn, seedSecret } from '../helpers/browser.ts'
import type { DriverContext } from '../helpers/driver.ts'
import { describeEngines, expectCleanPages, useEngineSuite } from '../helpers/engines.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

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

async function storedLinks(person: DriverContext): Promise<StoredEntry[]> {
  const raw = await person.evaluate((key) => localStorage.getItem(key), STORAGE_KEY)
  return raw ? (JSON.parse(raw) as { links: StoredEntry[] }).links : []
}

async function fillForm(person: DriverContext, origin: string, labels: string[]): Promise<void> {
  if ((await person.url()) !== `${origin}/`) await person.goto(`${origin}/`)
  await person.fill({ label: 'Secret' }, TEXT)
  await person.check({ label: '1 hour' })
  if (labels.length === 1) {
    await person.fill({ label: 'Label for My links (optional)' }, labels[0]!)
    return
  }
  await person.check({ label: 'Create separate links for several people' })
  await person.fill({ label: 'Number of people' }, String(labels.length))
  for (const [i, label] of labels.entries()) await person.fill({ label: `Label for person ${i + 1}` }, label)
}

/** Creates one link per label through the form; returns the secret links by label. */
async function createThroughForm(
  person: DriverContext,
  origin: string,
  labels: string[],
): Promise<Record<string, string>> {
  await fillForm(person, origin, labels)
  if (labels.length === 1) {
    await person.click({ button: 'Create link' })
    return { [labels[0]!]: await person.value({ label: 'Secret link' }) }
  }
  await person.click({ button: `Create ${labels.length} links` })
  await person.waitFor({ heading: `${labels.length} secret links are ready` })
  const links: Record<string, string> = {}
  for (const label of labels) links[label] = await person.value({ label: `Secret link for ${label}` })
  return links
}

/** The sids of the rows on screen, once every status has arrived. */
async function shownSids(person: DriverContext): Promise<string[]> {
  await person.waitFor({ css: 'tbody tr' })
  await person.waitForGone({ css: 'tbody tr[data-state="checking"]' })
  return person.evaluate(() =>
    Array.from(document.querySelectorAll('tbody tr'), (r) => (r as HTMLElement).dataset.sid!),
  )
}

const row = (sid: string) => `tbody tr[data-sid="${sid}"]`

/**
 * What the page offers for download, read instead of saved: browsers differ in where (and
 * whether, under automation) they save a file, not in the Blob the page hands them.
 */
async function catchDownloads(person: DriverContext): Promise<void> {
  await person.evaluate(() => {
    const caught: Promise<string>[] = []
    const create = URL.createObjectURL.bind(URL)
    URL.createObjectURL = (object: Blob | MediaSource) => {
      if (object instanceof Blob) caught.push(object.text())
      return create(object)
    }
    const click = HTMLAnchorElement.prototype.click
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      if (!this.download) click.call(this)
    }
    Object.defineProperty(window, 'caughtDownloads', { value: caught })
  })
}

async function caughtDownloads(person: DriverContext): Promise<string[]> {
  return person.evaluate(() =>
    Promise.all((window as unknown as { caughtDownloads: Promise<string>[] }).caughtDownloads),
  )
}

/**
 * The shortest TTL the API accepts is 60 s, too long to wait for. This does to Redis what
 * time would: the ciphertext key lapses and the recorded expiry is now, so the store's own
 * scripts settle the secret to `expired` exactly as after a natural expiry.
 */
async function expireNow(sid: string): Promise<void> {
  const redis = new Redis(workerRedisUrl())
  try {
    const [seconds, micros] = await redis.time()
    await redis.hset(`bl:{${sid}}:m`, 'ea', String(Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)))
    await redis.pexpire(`bl:{${sid}}:c`, 1)
  } finally {
    redis.disconnect()
  }
}

describeEngines('My links', (engine) => {
  const suite = useEngineSuite(engine, { redisUrl: workerRedisUrl() })

  it('follows a labelled batch: viewed, burned, expired, active; filters, bulk burn, export and import', async () => {
    const alice = await suite.newPerson()
    const links = await createThroughForm(alice, suite.url, FIRST)
    await alice.click({ button: 'Create another secret' })
    Object.assign(links, await createThroughForm(alice, suite.url, TEAM))
    await alice.click({ button: 'Create another secret' })
    Object.assign(links, await createThroughForm(alice, suite.url, ['Dan Brown']))
    expect(await alice.isChecked({ label: 'Keep in My links' })).toBe(true)
    await alice.waitFor({
      text: 'The manage link is the only way to check or burn this secret without this browser',
    })
    await alice.click({ button: 'Create another secret' })
    Object.assign(links, await createThroughForm(alice, suite.url, ['Eve Unkept']))
    await alice.uncheck({ label: 'Keep in My links' })

    // One entry per kept secret, with exactly the fields My links may hold.
    const stored = await storedLinks(alice)
    expect(stored.map((e) => e.label)).toEqual([...FIRST, ...TEAM, 'Dan Brown'])
    for (const entry of stored)
      expect(Object.keys(entry).sort()).toEqual(['createdAt', 'expiresAt', 'kind', 'label', 'maxViews', 'mt', 'sid'])
    const storage = JSON.stringify(stored)
    for (const link of Object.values(links))
      for (const form of [link, ...keyForms(link)]) expect(storage).not.toContain(form)
    const entry = (label: string) => stored.find((e) => e.label === label)!
    const rowOf = (label: string) => row(entry(label).sid)
    const statusOf = (label: string) =>
      createClient({ baseUrl: suite.url }).status({ sid: entry(label).sid, mt: entry(label).mt })

    const bob = await suite.newPerson()
    await bob.goto(links['Ann Smith']!)
    await bob.click({ button: 'Reveal secret' })
    await bob.waitFor({ text: 'This secret is now gone' })
    await expireNow(entry('Cat Lee').sid)

    await alice.click({ link: 'My links', within: 'nav[aria-label="Main"]' })
    await shownSids(alice)
    const stateOf = (label: string) => alice.attribute({ css: rowOf(label) }, 'data-state')
    expect(await stateOf('Ann Smith')).toBe('viewed')
    expect(await stateOf('Cat Lee')).toBe('expired')
    for (const label of ['Ben Jones', ...TEAM, 'Dan Brown']) expect(await stateOf(label)).toBe('active')
    await alice.waitFor({ text: '1 of 1', within: rowOf('Ann Smith') })

    await alice.check({ label: 'Select Ben Jones' })
    await alice.click({ button: 'Burn selected…' })
    await alice.click({ button: 'Yes, burn' })
    await alice.waitFor({ text: 'Burned by you (the creator)', within: rowOf('Ben Jones') })
    expect(await statusOf('Ben Jones')).toMatchObject({ state: 'burned', burnReason: 'creator' })
    if (process.env.SCREENSHOTS && engine.name === 'chromium')
      await alice.screenshot(join(DOCS, 'screenshot-links.png'))

    const sidsOf = (...labels: string[]) => labels.map((l) => entry(l).sid).sort()
    const filterTo = async (state: string) => {
      await alice.select({ label: 'State' }, state)
      return (await shownSids(alice)).sort()
    }
    expect(await filterTo('active')).toEqual(sidsOf(...TEAM, 'Dan Brown'))
    expect(await filterTo('viewed')).toEqual(sidsOf('Ann Smith'))
    expect(await filterTo('expired')).toEqual(sidsOf('Cat Lee'))
    expect(await filterTo('burned')).toEqual(sidsOf('Ben Jones'))
    expect(await filterTo('all')).toHaveLength(6)

    // Bulk burn of a searched set: exactly the shown rows, nothing else.
    await alice.fill({ label: 'Search' }, 'TEAM')
    expect((await shownSids(alice)).sort()).toEqual(sidsOf(...TEAM))
    await alice.check({ label: 'Select all 2 shown' })
    await alice.click({ button: 'Burn selected…' })
    await alice.click({ button: 'Yes, burn' })
    for (const label of TEAM) await alice.waitFor({ text: 'Burned by you (the creator)', within: rowOf(label) })
    for (const label of TEAM) expect(await statusOf(label)).toMatchObject({ state: 'burned', burnReason: 'creator' })
    expect(await statusOf('Dan Brown')).toMatchObject({ state: 'active' })
    expect(await statusOf('Ann Smith')).toMatchObject({ state: 'viewed' })

    await alice.fill({ label: 'Search' }, entry('Dan Brown').sid.slice(0, 12))
    expect(await shownSids(alice)).toEqual(sidsOf('Dan Brown'))
    await alice.fill({ label: 'Search' }, '')

    // Forget: gone from this browser, untouched on the server.
    await alice.check({ label: 'Select Cat Lee' })
    await alice.click({ button: 'Forget selected…' })
    await alice.click({ button: 'Yes, forget' })
    await expect.poll(() => shownSids(alice), { timeout: 10_000 }).toHaveLength(5)
    expect((await storedLinks(alice)).map((e) => e.label)).not.toContain('Cat Lee')
    expect(await statusOf('Cat Lee')).toMatchObject({ state: 'expired' })

    await catchDownloads(alice)
    await alice.click({ button: 'Export list' })
    const [exported] = await caughtDownloads(alice)
    expect(JSON.parse(exported!)).toMatchObject({ format: 'burnlink-links', v: 1 })

    const carol = await suite.newPerson()
    await carol.goto(`${suite.url}/links`)
    await carol.waitFor({ heading: 'No links in this browser yet' })
    const file = { name: 'links.json', type: 'application/json', content: exported! }
    await carol.setFiles({ label: 'Import list' }, [file])
    await carol.waitFor({ text: 'Imported 5 of 5 links.' })
    expect((await shownSids(carol)).sort()).toEqual(sidsOf('Ann Smith', 'Ben Jones', ...TEAM, 'Dan Brown'))
    expect(await carol.attribute({ css: rowOf('Ann Smith') }, 'data-state')).toBe('viewed')
    expect(await carol.attribute({ css: rowOf('Dan Brown') }, 'data-state')).toBe('active')
    await carol.setFiles({ label: 'Import list' }, [file])
    await carol.waitFor({ text: 'Imported 0 of 5 links (5 already here).' })
    expect(await shownSids(carol)).toHaveLength(5)
    await carol.setFiles({ label: 'Import list' }, [
      { ...file, content: '{"format":"burnlink-links","v":1,"links":[{"sid":"x"}]}' },
    ])
    await carol.waitFor({ text: 'This file is not a burnlink links export (at links.0.sid)' })

    // Zero knowledge: nothing that names or opens a secret reached the server, and a status
    // request holds sid and mt only.
    const secrets = Object.values(links)
    const labels = [...FIRST, ...TEAM, 'Dan Brown', 'Eve Unkept']
    const forbidden = [TEXT, 'alpha-tango-7731', ...labels, ...secrets, ...secrets.flatMap(keyForms)]
    expect(leaksIn([...alice.requests(), ...bob.requests(), ...carol.requests()], forbidden)).toEqual([])
    const statusCalls = [...alice.requests(), ...carol.requests()].filter(
      (r) => new URL(r.url).pathname === '/api/v1/secrets/status',
    )
    expect(statusCalls.length).toBeGreaterThan(0)
    for (const call of statusCalls) {
      const { items } = JSON.parse(call.body) as { items: object[] }
      for (const item of items) expect(Object.keys(item).sort()).toEqual(['mt', 'sid'])
    }
    await expectCleanPages(alice, carol)
  })

  it('shows 500 entries from one batch request per 100, unknown ones included, on a narrow screen', async () => {
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
    const person = await suite.newPerson({ width: 360 })
    await person.goto(`${suite.url}/links`)
    // Loaded in full first: a reload that cuts the page's lazy chunks short makes WebKit
    // report them as failed loads.
    await person.waitFor({ heading: 'No links in this browser yet' })
    await person.evaluate(
      ([key, value]) => localStorage.setItem(key!, value!),
      [STORAGE_KEY, JSON.stringify({ format: 'burnlink-links', v: 1, links: entries })],
    )

    const started = Date.now()
    await person.reload()
    expect(await shownSids(person)).toHaveLength(500)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(await person.count({ css: 'tbody tr[data-state="active"]' })).toBe(10)
    expect(await person.count({ css: 'tbody tr[data-state="unknown"]' })).toBe(490)
    await person.waitFor({ text: 'Unknown — record deleted', within: row(entries[499]!.sid) })

    const calls = person.requests().filter((r) => new URL(r.url).pathname === '/api/v1/secrets/status')
    expect(calls.map((c) => (JSON.parse(c.body) as { items: unknown[] }).items.length)).toEqual([
      100, 100, 100, 100, 100,
    ])
    expect(await person.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)
    await expectCleanPages(person)
  })

  it('lets a recipient of a multi-view secret burn it for everyone', async () => {
    const seeded = await seedSecret(suite.url, { maxViews: 3 })
    const bob = await suite.newPerson()
    await bob.goto(seeded.link)
    await bob.click({ button: 'Reveal secret' })
    await bob.waitFor({ text: 'It can be viewed twice more before it is deleted' })
    await bob.click({ button: 'Burn it now' })
    await bob.click({ button: 'Cancel' })
    expect(await seeded.status()).toMatchObject({ state: 'active', views: 1 })

    await bob.click({ button: 'Burn it now' })
    await bob.click({ button: 'Yes, burn it' })
    await bob.waitFor({ text: 'You burned it: nobody can open this link again.' })
    await bob.waitFor({ text: 'This secret is now gone' })
    expect(await seeded.status()).toMatchObject({ state: 'burned', burnReason: 'recipient', views: 1 })
    expect(leaksIn(bob.requests(), keyForms(seeded.link))).toEqual([])
  })

  it('draws a QR code of a link in the page, for this link and for each of a batch', async () => {
    const alice = await suite.newPerson({ width: 360 })
    const links = await createThroughForm(alice, suite.url, ['Phone One', 'Phone Two'])
    const second = 'ol > li:nth-child(2)'
    expect(await alice.value({ label: 'Secret link for Phone Two', within: second })).toBe(links['Phone Two'])
    await alice.click({ button: 'Show QR code', within: second })
    const qr = { img: 'QR code of the secret link for Phone Two' }
    // The matrix drawn is the one the library makes for exactly this link.
    const { size } = encode(links['Phone Two']!, { ecc: 'M', border: 4 })
    expect(await alice.attribute(qr, 'viewBox')).toBe(`0 0 ${size} ${size}`)
    expect(await alice.count({ css: 'img, [role=img]' })).toBe(1)
    await alice.click({ button: 'Hide QR code', within: second })
    await alice.waitForGone(qr)
    await alice.waitFor({ button: 'Download as CSV' })
    await expectCleanPages(alice)
  })
})
