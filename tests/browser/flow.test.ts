/**
 * The whole journey in Chromium, Firefox and WebKit: one person creates a secret with a
 * passphrase, another reveals it exactly once, and nothing that could open it ever reaches
 * the server from either browser.
 */
import { expect, it } from 'vitest'
import { keyForms, leaksIn, seedSecret } from '../helpers/browser.ts'
import { describeEngines, expectCleanPages, useEngineSuite } from '../helpers/engines.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

describeEngines('sharing a secret between two browsers', (engine) => {
  // The real Redis store: the journey people take in production.
  const suite = useEngineSuite(engine, { redisUrl: workerRedisUrl() })

  it('creates, reveals exactly once, reports viewed, and never sends the key, passphrase or text', async () => {
    const alice = await suite.newPerson()
    const bob = await suite.newPerson()
    const text = 'db password: correct-horse-battery-staple\n  indented line ✓ ünïcödé 🔥'
    const passphrase = 'tangerine 4711 🔑'

    await alice.goto(`${suite.url}/`)
    await alice.fill({ label: 'Secret' }, text)
    await alice.check({ label: '1 hour' })
    await alice.fill({ label: 'Passphrase (optional)' }, passphrase)
    await alice.click({ button: 'Create link' })
    const link = await alice.value({ label: 'Secret link' })
    const manageLink = await alice.value({ label: 'Manage link' })
    await alice.waitFor({ text: 'It can be opened once' })
    expect(link).toMatch(new RegExp(`^${suite.url}/s#2\\.[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{22}$`))

    await bob.goto(link)
    await bob.waitFor({ button: 'Reveal secret' })
    // The key is gone from the address bar (and so from history) as soon as the page read it.
    expect(await bob.url()).toBe(`${suite.url}/s`)
    await bob.fill({ label: 'Passphrase' }, passphrase)
    await bob.click({ button: 'Reveal secret' })
    await bob.waitFor({ text: 'This secret is now gone' })
    expect(await bob.text({ label: 'Secret text' })).toBe(text)

    await bob.goto(link)
    await bob.waitFor({ heading: 'This secret was already viewed' })
    await bob.reload()
    await bob.waitFor({ heading: 'This address has no key' })

    await alice.goto(manageLink)
    await alice.waitFor({ text: 'Viewed', exact: true })
    await alice.waitFor({ text: '1 of 1' })

    const requests = [...alice.requests(), ...bob.requests()]
    // The check below means something only if the secret really went through the API.
    expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/secrets',
        'POST /api/v1/secrets/meta',
        'POST /api/v1/secrets/reveal',
        'POST /api/v1/secrets/status',
      ]),
    )
    expect(leaksIn(requests, [...keyForms(link), passphrase, text, 'correct-horse-battery-staple'])).toEqual([])
    await expectCleanPages(alice, bob)
  })

  it('opening a link runs the page but consumes nothing (link previewers are safe)', async () => {
    const seeded = await seedSecret(suite.url)
    const bot = await suite.newPerson()
    await bot.goto(seeded.link)
    await bot.waitFor({ button: 'Reveal secret' })
    await bot.pause(1000)

    const paths = bot.requests().map((r) => new URL(r.url).pathname)
    expect(paths).toContain('/api/v1/secrets/meta')
    expect(paths).not.toContain('/api/v1/secrets/reveal')
    expect(await seeded.status()).toMatchObject({ state: 'active', views: 0 })
  })

  it('burns from the manage page after a confirmation, and the link then says so', async () => {
    const seeded = await seedSecret(suite.url)
    const alice = await suite.newPerson()
    await alice.goto(seeded.manageLink)
    await alice.waitFor({ text: 'Active', exact: true })
    await alice.click({ button: 'Burn secret…' })
    await alice.click({ button: 'Cancel' })
    expect(await seeded.status()).toMatchObject({ state: 'active' })

    await alice.click({ button: 'Burn secret…' })
    await alice.click({ button: 'Yes, burn it' })
    await alice.waitFor({ text: 'Burned by you (the creator)' })
    expect(await seeded.status()).toMatchObject({ state: 'burned', burnReason: 'creator' })

    const bob = await suite.newPerson()
    await bob.goto(seeded.link)
    await bob.waitFor({ heading: 'This secret was burned' })
    await expectCleanPages(alice, bob)
  })
})
