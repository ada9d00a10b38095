/**
 * Issue 11 §1 in the browser: a reveal whose answer a storage stall swallowed is delivered to
 * the same page afterwards, using one view, and to nobody else; a create the stall held up
 * is sent again as it was and gives a working link. Redis is this file's own,
 * stopped with SIGSTOP around the Reveal click: requests then answer 503 after about a
 * second while Redis keeps them queued and runs them when it resumes, which is exactly how a
 * view gets released without its answer reaching anyone. Chromium only: the page logic is
 * the same in every engine, and each stall costs real time.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { seedSecret } from '../helpers/browser.ts'
import type { DriverContext } from '../helpers/driver.ts'
import { engines, useEngineSuite } from '../helpers/engines.ts'
import { startRedisServer, type RedisServer } from '../helpers/redis.ts'

const chromium = engines.find((e) => e.name === 'chromium')!
const RETRYING = 'The server is not answering: trying again…'

/** The claim of every reveal request the person's page sent, in order. */
function revealClaims(person: DriverContext): string[] {
  return person
    .requests()
    .filter((r) => new URL(r.url).pathname === '/api/v1/secrets/reveal')
    .map((r) => (JSON.parse(r.body) as { claim?: string }).claim ?? '(none)')
}

describe.skipIf(chromium.missing() && !process.env.CI)('through a storage stall (chromium)', () => {
  let redis: RedisServer
  const stall = () => redis.stall()
  const resume = () => redis.resume()

  beforeAll(async () => {
    redis = await startRedisServer()
  })
  // Registered first, so it runs last: after the suite's server has closed its connections.
  afterAll(() => redis?.stop())
  // Read when the suite starts its server, after the Redis above is up.
  const suite = useEngineSuite(chromium, {
    get redisUrl() {
      return redis.url
    },
  })
  // A test that failed mid-stall must not leave Redis stopped for the next one or for teardown.
  afterEach(() => {
    resume()
  })

  it('shows the secret after a 3 s stall, on the same page, using its one view once', async () => {
    const seeded = await seedSecret(suite.url, { text: 'survives the stall' })
    const bob = await suite.newPerson()
    await bob.goto(seeded.link)
    await bob.waitFor({ button: 'Reveal secret' })

    stall()
    try {
      await bob.click({ button: 'Reveal secret' })
      // The first answer was a 503: the page says it is trying again rather than failing.
      await bob.waitFor({ text: RETRYING })
      await bob.pause(3000)
    } finally {
      resume()
    }
    await bob.waitFor({ label: 'Secret text' })
    expect(await bob.text({ label: 'Secret text' })).toBe('survives the stall')

    const claims = revealClaims(bob)
    expect(claims.length).toBeGreaterThan(1)
    expect(new Set(claims).size).toBe(1)
    expect(claims[0]).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(await seeded.status()).toMatchObject({ state: 'viewed', views: 1 })

    // Nobody else gets it, and this page's claim cannot either once it has acknowledged it.
    const eve = await suite.newPerson()
    await eve.goto(seeded.link)
    await eve.waitFor({ heading: 'This secret was already viewed' })
    await expect
      .poll(() => bob.requests().filter((r) => new URL(r.url).pathname === '/api/v1/secrets/ack').length)
      .toBe(1)
  })

  it('says the secret may be used up when the stall outlasts the retries, and Try again then fetches it', async () => {
    const seeded = await seedSecret(suite.url, { text: 'fetched on the second try', maxViews: 2 })
    const bob = await suite.newPerson()
    await bob.goto(seeded.link)
    await bob.waitFor({ button: 'Reveal secret' })

    stall()
    try {
      await bob.click({ button: 'Reveal secret' })
      // The flow retries for about 30 s before it gives up.
      await bob.waitFor({ heading: 'The server did not answer' }, 60_000)
      expect(await bob.count({ text: 'The secret may have been used up by this attempt' })).toBe(1)
      expect(await bob.text({ text: 'this page can still fetch it for' })).toMatch(
        /this page can still fetch it for [45] minutes \(until .+\), and nobody else can/,
      )
      expect(await bob.count({ text: 'Nothing was opened or used up' })).toBe(0)
    } finally {
      resume()
    }
    // Redis ran the queued reveals when it woke: one view is released to this page's claim.
    await expect.poll(async () => (await seeded.status()).views, { timeout: 10_000 }).toBe(1)

    await bob.click({ button: 'Try again' })
    await bob.waitFor({ label: 'Secret text' })
    expect(await bob.text({ label: 'Secret text' })).toBe('fetched on the second try')
    expect(new Set(revealClaims(bob)).size).toBe(1)
    // The retry was the same view again, not a second one.
    expect(await seeded.status()).toMatchObject({ state: 'active', views: 1 })
    await bob.waitFor({ text: 'It can be viewed once more before it is deleted' })
  })

  it('creates through a 3 s stall by sending the same create again, and the link works', async () => {
    const alice = await suite.newPerson()
    await alice.goto(`${suite.url}/`)
    await alice.fill({ label: 'Secret' }, 'created through the stall')
    stall()
    try {
      await alice.click({ button: 'Create link' })
      await alice.waitFor({ text: RETRYING })
      await alice.pause(3000)
    } finally {
      resume()
    }
    const link = await alice.value({ label: 'Secret link' })

    const creates = alice.requests().filter((r) => new URL(r.url).pathname === '/api/v1/secrets')
    expect(creates.length).toBeGreaterThan(1)
    expect(new Set(creates.map((r) => r.body)).size).toBe(1)

    const bob = await suite.newPerson()
    await bob.goto(link)
    await bob.click({ button: 'Reveal secret' })
    await bob.waitFor({ label: 'Secret text' })
    expect(await bob.text({ label: 'Secret text' })).toBe('created through the stall')
  })
})
