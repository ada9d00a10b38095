/**
 * The whole journey in real Chromium: one person creates a secret with a passphrase, another
 * reveals it exactly once, and nothing that could open it ever leaves either browser.
 */
import { describe, expect, inject, it } from 'vitest'
import { encodeB64u, parseSecretLink } from '@burnlink/shared'
import { hasChromium, newPerson, seedSecret, useBrowserSuite, type Person } from '../helpers/browser.ts'

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

/** Every recorded request as one searchable string per request. */
async function traffic(person: Person): Promise<{ url: string; text: string }[]> {
  await person.settle()
  return person.requests.map((r) => ({ url: r.url, text: `${r.url}\n${JSON.stringify(r.headers)}\n${r.body}` }))
}

describe.runIf(hasChromium())('sharing a secret between two browsers', () => {
  // The real Redis store: the journey people take in production.
  const suite = useBrowserSuite({ redisUrl: inject('redisUrl') })

  it('creates, reveals exactly once, reports viewed, and never sends the key, passphrase or text', async () => {
    const alice = await newPerson(suite.browser)
    const bob = await newPerson(suite.browser)
    const text = 'db password: correct-horse-battery-staple\n  indented line ✓ ünïcödé 🔥'
    const passphrase = 'tangerine 4711'

    await alice.page.goto(`${suite.url}/`)
    await alice.page.getByLabel('Secret', { exact: true }).fill(text)
    await alice.page.getByLabel('1 hour').check()
    await alice.page.getByLabel('Passphrase (optional)').fill(passphrase)
    await alice.page.getByRole('button', { name: 'Create link' }).click()
    const link = await alice.page.getByLabel('Secret link', { exact: true }).inputValue()
    const manageLink = await alice.page.getByLabel('Manage link', { exact: true }).inputValue()
    await expect.poll(() => alice.page.getByText('It can be opened once').isVisible()).toBe(true)
    expect(link).toMatch(new RegExp(`^${suite.url}/s#1\\.[A-Za-z0-9_-]{43}$`))

    await bob.page.goto(link)
    await bob.page.getByRole('button', { name: 'Reveal secret' }).waitFor()
    // The key is gone from the address bar (and so from history) as soon as the page read it.
    expect(bob.page.url()).toBe(`${suite.url}/s`)
    await bob.page.getByLabel('Passphrase', { exact: true }).fill(passphrase)
    await bob.page.getByRole('button', { name: 'Reveal secret' }).click()
    await expect.poll(() => bob.page.getByLabel('Secret text').textContent()).toBe(text)
    await bob.page.getByText('This secret is now gone').waitFor()

    await bob.page.goto(link)
    await bob.page.getByRole('heading', { name: 'This secret was already viewed' }).waitFor()
    await bob.page.reload()
    await bob.page.getByRole('heading', { name: 'This address has no key' }).waitFor()

    await alice.page.goto(manageLink)
    await alice.page.getByText('Viewed', { exact: true }).waitFor()
    await alice.page.getByText('1 of 1').waitFor()

    const { k } = parseSecretLink(link)
    const forbidden = [
      encodeB64u(k),
      toHex(k),
      toHex(k).toUpperCase(),
      passphrase,
      text,
      'correct-horse-battery-staple',
    ]
    const requests = [...(await traffic(alice)), ...(await traffic(bob))]
    const apiCalls = requests.filter((r) => r.url.includes('/api/v1/secrets')).map((r) => new URL(r.url).pathname)
    // The check below means something only if the secret really went through the API.
    expect(apiCalls).toEqual(
      expect.arrayContaining([
        '/api/v1/secrets',
        '/api/v1/secrets/meta',
        '/api/v1/secrets/reveal',
        '/api/v1/secrets/status',
      ]),
    )
    for (const request of requests) {
      expect(new URL(request.url).origin, request.url).toBe(suite.url)
      for (const value of forbidden) expect(request.text.includes(value), `${value} in ${request.url}`).toBe(false)
    }
    for (const person of [alice, bob]) {
      expect(person.cspViolations).toEqual([])
      expect(person.pageErrors).toEqual([])
    }
  })

  it('opening a link runs the page but consumes nothing (link previewers are safe)', async () => {
    const seeded = await seedSecret(suite.url)
    const bot = await newPerson(suite.browser)
    await bot.page.goto(seeded.link)
    await bot.page.getByRole('button', { name: 'Reveal secret' }).waitFor()
    await bot.page.waitForTimeout(1000)

    await bot.settle()
    expect(bot.requests.map((r) => new URL(r.url).pathname)).not.toContain('/api/v1/secrets/reveal')
    expect(await seeded.status()).toMatchObject({ state: 'active', views: 0 })
  })

  it('burns from the manage page after a confirmation, and the link then says so', async () => {
    const seeded = await seedSecret(suite.url)
    const alice = await newPerson(suite.browser)
    await alice.page.goto(seeded.manageLink)
    await alice.page.getByText('Active', { exact: true }).waitFor()
    await alice.page.getByRole('button', { name: 'Burn secret…' }).click()
    await alice.page.getByRole('button', { name: 'Cancel' }).click()
    expect(await seeded.status()).toMatchObject({ state: 'active' })

    await alice.page.getByRole('button', { name: 'Burn secret…' }).click()
    await alice.page.getByRole('button', { name: 'Yes, burn it' }).click()
    await alice.page.getByText('Burned by you (the creator)').waitFor()
    expect(await seeded.status()).toMatchObject({ state: 'burned', burnReason: 'creator' })

    const bob = await newPerson(suite.browser)
    await bob.page.goto(seeded.link)
    await bob.page.getByRole('heading', { name: 'This secret was burned' }).waitFor()
  })
})
