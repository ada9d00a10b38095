/**
 * Passphrases in Chromium, Firefox and WebKit, unlocked by the Argon2id worker: the server
 * counts wrong ones, the page says how many tries are left, and the last wrong one destroys
 * the secret. Each case has its own secret.
 */
import { expect, it } from 'vitest'
import { ATTEMPTS } from '@burnlink/shared'
import { seedSecret } from '../helpers/browser.ts'
import type { DriverContext } from '../helpers/driver.ts'
import { describeEngines, expectCleanPages, useEngineSuite } from '../helpers/engines.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

const PASSPHRASE = 'Grüße aus Köln'

async function tryPassphrase(person: DriverContext, passphrase: string): Promise<void> {
  await person.fill({ label: 'Passphrase' }, passphrase)
  await person.click({ button: 'Reveal secret' })
}

describeEngines('passphrase-protected secrets', (engine) => {
  // Attempts are counted by the Redis Lua scripts, as in production.
  const suite = useEngineSuite(engine, { redisUrl: workerRedisUrl() })

  it('shows the attempts left after a wrong passphrase, then reveals with the right one', async () => {
    const seeded = await seedSecret(suite.url, { text: 'behind a passphrase', passphrase: PASSPHRASE })
    const bob = await suite.newPerson()
    await bob.goto(seeded.link)
    await bob.waitFor({ text: 'It is protected by a passphrase' })

    await tryPassphrase(bob, 'Grüsse aus Köln')
    await bob.waitFor({ text: `Wrong passphrase. ${ATTEMPTS.default - 1} tries left` })
    expect(await seeded.status()).toMatchObject({ state: 'active', failedAttempts: 1, views: 0 })

    await tryPassphrase(bob, PASSPHRASE)
    await bob.waitFor({ text: 'This secret is now gone' })
    expect(await bob.text({ label: 'Secret text' })).toBe('behind a passphrase')
    expect(await seeded.status()).toMatchObject({ state: 'viewed', failedAttempts: 1, views: 1 })
    await expectCleanPages(bob)
  })

  it(`burns the secret at the ${ATTEMPTS.default}th wrong passphrase and says why`, async () => {
    const seeded = await seedSecret(suite.url, { passphrase: PASSPHRASE })
    const mallory = await suite.newPerson()
    await mallory.goto(seeded.link)
    for (let left = ATTEMPTS.default - 1; left >= 1; left--) {
      await tryPassphrase(mallory, `guess ${left}`)
      await mallory.waitFor({ text: `${left} ${left === 1 ? 'try' : 'tries'} left` })
    }
    await tryPassphrase(mallory, 'last guess')
    await mallory.waitFor({ heading: 'Too many wrong passphrases' })
    expect(await seeded.status()).toMatchObject({
      state: 'burned',
      burnReason: 'attempts',
      failedAttempts: ATTEMPTS.default,
    })

    // Even the right passphrase is useless now, and a fresh visit says the secret is burned.
    await mallory.goto(seeded.link)
    await mallory.waitFor({ heading: 'This secret was burned' })
  })
})
