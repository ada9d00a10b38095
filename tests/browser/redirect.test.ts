/**
 * Link mode in Chromium, Firefox and WebKit: a one-time (or N-time) redirect created in the
 * browser. The recipient sees the host, lands on the target exactly once per allowed view
 * after a click, and then meets "already viewed". The target URL is encrypted like any
 * secret: the server never sees it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { keyForms, leaksIn, startRedirectTarget, type RedirectTarget } from '../helpers/browser.ts'
import type { DriverContext } from '../helpers/driver.ts'
import { describeEngines, expectCleanPages, useEngineSuite, type EngineSuite } from '../helpers/engines.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

const PATH = '/invite/kq-31-redirect-marker'

async function createLink(person: DriverContext, origin: string, url: string, views: number): Promise<string> {
  await person.goto(`${origin}/`)
  await person.check({ label: 'Link' })
  await person.fill({ label: 'Link to share' }, url)
  await person.fill({ label: 'Can be viewed' }, String(views))
  await person.click({ button: 'Create link' })
  return person.value({ label: 'Secret link' })
}

/** Opens the link as a fresh person, reveals it and follows it; returns that person. */
async function follow(suite: EngineSuite, link: string, target: RedirectTarget, url: string): Promise<DriverContext> {
  const person = await suite.newPerson()
  await person.goto(link)
  await person.click({ button: 'Reveal secret' })
  await person.waitFor({ heading: `This secret is a link to ${target.host}` })
  const before = target.hits()
  await person.click({ button: `Continue to ${target.host}` })
  await person.waitForUrl(url)
  await person.waitFor({ text: 'arrived' })
  expect(target.hits()).toBe(before + 1)
  return person
}

describeEngines('redirect links made in the browser', (engine) => {
  // http targets allowed so the target can be a server on this machine.
  const suite = useEngineSuite(engine, { redisUrl: workerRedisUrl(), config: { allowHttpRedirects: true } })
  let target: RedirectTarget
  beforeAll(async () => {
    target = await startRedirectTarget(PATH)
  })
  afterAll(() => target.close())

  it('checks the address as it is typed and refuses what the protocol refuses, on a narrow screen', async () => {
    const alice = await suite.newPerson({ width: 360 })
    await alice.goto(`${suite.url}/`)
    await alice.check({ label: 'Link' })
    const field = { label: 'Link to share' }
    const create = { button: 'Create link' }
    for (const [bad, words] of [
      ['https://user:pw@example.com/', 'must not contain a user name or password'],
      ['ftp://example.com/file', 'must use https or http'],
      ['javascript:alert(1)', 'must use https or http'],
      ['not a url', 'is not a valid URL'],
      [`https://example.com/${'a'.repeat(2048)}`, 'too long'],
    ] as const) {
      await alice.fill(field, bad)
      await alice.waitFor({ text: words })
      expect(await alice.isDisabled(create)).toBe(true)
      expect(await alice.attribute(field, 'aria-invalid')).toBe('true')
    }
    await alice.fill(field, 'https://example.com/welcome')
    await expect.poll(() => alice.isDisabled(create), { timeout: 10_000 }).toBe(false)
    expect(await alice.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)
    await expectCleanPages(alice)
  })

  it('lands on the target exactly once after the click, then says already viewed', async () => {
    const url = `http://${target.host}${PATH}?code=one`
    const alice = await suite.newPerson()
    const link = await createLink(alice, suite.url, url, 1)
    expect(target.hits()).toBe(0)

    const bob = await follow(suite, link, target, url)
    expect(target.hits()).toBe(1)
    await bob.goto(link)
    await bob.waitFor({ heading: 'This secret was already viewed' })
    expect(target.hits()).toBe(1)

    // The address reaches only the target itself; the burnlink server never sees it.
    const requests = [...alice.requests(), ...bob.requests()]
    expect(requests.map((r) => new URL(r.url).pathname)).toContain('/api/v1/secrets/reveal')
    expect(leaksIn(requests, [url, PATH, ...keyForms(link)])).toEqual([])
    await expectCleanPages(alice, bob)
  })

  it('a link for two views works twice, then is gone', async () => {
    const url = `http://${target.host}${PATH}?code=cohort`
    const alice = await suite.newPerson()
    const link = await createLink(alice, suite.url, url, 2)
    const start = target.hits()

    await follow(suite, link, target, url)
    await follow(suite, link, target, url)
    expect(target.hits()).toBe(start + 2)

    const late = await suite.newPerson()
    await late.goto(link)
    await late.waitFor({ heading: 'This secret was already viewed' })
    expect(target.hits()).toBe(start + 2)
  })
})
