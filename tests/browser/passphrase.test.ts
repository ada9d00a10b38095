/**
 * Passphrases in the browser: the server counts wrong ones, the page says how many tries are
 * left, and the last wrong one destroys the secret. Each case has its own secret.
 */
import { describe, expect, inject, it } from 'vitest'
import { ATTEMPTS } from '@burnlink/shared'
import { hasChromium, newPerson, seedSecret, useBrowserSuite, type Person } from '../helpers/browser.ts'

const PASSPHRASE = 'Grüße aus Köln'

async function tryPassphrase(person: Person, passphrase: string): Promise<void> {
  await person.page.getByLabel('Passphrase', { exact: true }).fill(passphrase)
  await person.page.getByRole('button', { name: 'Reveal secret' }).click()
}

describe.runIf(hasChromium())('passphrase-protected secrets in the browser', () => {
  // Attempts are counted by the Redis Lua scripts, as in production.
  const suite = useBrowserSuite({ redisUrl: inject('redisUrl') })

  it('shows the attempts left after a wrong passphrase, then reveals with the right one', async () => {
    const seeded = await seedSecret(suite.url, { text: 'behind a passphrase', passphrase: PASSPHRASE })
    const bob = await newPerson(suite.browser)
    await bob.page.goto(seeded.link)
    await bob.page.getByText('It is protected by a passphrase').waitFor()

    await tryPassphrase(bob, 'Grüsse aus Köln')
    await bob.page.getByText(`Wrong passphrase. ${ATTEMPTS.default - 1} tries left`).waitFor()
    expect(await seeded.status()).toMatchObject({ state: 'active', failedAttempts: 1, views: 0 })

    await tryPassphrase(bob, PASSPHRASE)
    await expect.poll(() => bob.page.getByLabel('Secret text').textContent()).toBe('behind a passphrase')
    expect(await seeded.status()).toMatchObject({ state: 'viewed', failedAttempts: 1, views: 1 })
  })

  it(`burns the secret at the ${ATTEMPTS.default}th wrong passphrase and says why`, async () => {
    const seeded = await seedSecret(suite.url, { passphrase: PASSPHRASE })
    const mallory = await newPerson(suite.browser)
    await mallory.page.goto(seeded.link)
    for (let left = ATTEMPTS.default - 1; left >= 1; left--) {
      await tryPassphrase(mallory, `guess ${left}`)
      await mallory.page.getByText(`${left} ${left === 1 ? 'try' : 'tries'} left`).waitFor()
    }
    await tryPassphrase(mallory, 'last guess')
    await mallory.page.getByRole('heading', { name: 'Too many wrong passphrases' }).waitFor()
    expect(await seeded.status()).toMatchObject({
      state: 'burned',
      burnReason: 'attempts',
      failedAttempts: ATTEMPTS.default,
    })

    // Even the right passphrase is useless now, and a fresh visit says the secret is burned.
    await mallory.page.goto(seeded.link)
    await mallory.page.getByRole('heading', { name: 'This secret was burned' }).waitFor()
  })
})
