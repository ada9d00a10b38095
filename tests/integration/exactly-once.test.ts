/**
 * Invariant 2 under real concurrency: two server processes share one Redis and many
 * clients race for the same secret. Exactly `maxViews` of them get the ciphertext, and
 * exactly K wrong passphrases are counted before the burn.
 */
import { describe, expect, it } from 'vitest'
import { createClient, decryptSecret, unlockSecret } from '@burnlink/shared'
import { postSecrets } from '../helpers/http-secrets.ts'
import { createSeed } from '../helpers/seeds.ts'
import { useTwoServerProcesses } from '../helpers/two-servers.ts'

const ROUNDS = 20
const READERS = 200

describe('exactly-once across two server processes sharing one Redis', () => {
  const servers = useTwoServerProcesses()

  const createOn = (url: string, maxViews: number, passphrase?: string) =>
    createSeed(url, { text: `round secret ${Math.random()}`, maxViews, passphrase, ttl: 600 })

  /** Fires one body per reader at both servers, alternating, all at once. */
  const race = (path: string, bodies: (i: number) => unknown) =>
    Promise.all(Array.from({ length: READERS }, (_, i) => postSecrets(servers.url(i), `/${path}`, bodies(i))))

  it.each([1, 3])(
    `releases a maxViews=%i secret exactly that often to ${READERS} concurrent readers, ${ROUNDS} rounds`,
    async (maxViews) => {
      const wins: number[] = []
      for (let round = 0; round < ROUNDS; round++) {
        const s = await createOn(servers.url(round), maxViews)
        const unlocked = await unlockSecret({ k: s.k, hdr: s.prepared.request.hdr })
        const results = await race('reveal', () => ({ ...s.access, rev: unlocked.rev }))
        const ok = results.filter((r) => r.status === 200)
        wins.push(ok.length)
        // The answers that are neither, so that a failure shows what came instead.
        const others = results.filter((r) => r.status !== 200 && !(r.status === 410 && r.body.state === 'viewed'))
        expect(others.map((r) => `${r.status} ${JSON.stringify(r.body)}`)).toEqual([])
        for (const r of ok) {
          expect((await decryptSecret(unlocked, r.body.ct as string)).text).toMatch(/^round secret /)
        }
        expect(ok.map((r) => r.body.viewsLeft).sort()).toEqual(Array.from({ length: maxViews }, (_, i) => i))
      }
      expect(wins).toEqual(Array(ROUNDS).fill(maxViews))
    },
  )

  it('counts exactly K of 20 concurrent wrong passphrases, then burns', async () => {
    const s = await createOn(servers.url(0), 1, 'the right one')
    const wrong = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        unlockSecret({ k: s.k, hdr: s.prepared.request.hdr, passphrase: `wrong ${i}` }),
      ),
    )
    const results = await Promise.all(
      wrong.map((u, i) => postSecrets(servers.url(i), '/reveal', { ...s.access, rev: u.rev })),
    )
    const counted = results.filter((r) => r.status === 401)
    expect(counted.map((r) => r.body.attemptsLeft).sort()).toEqual([0, 1, 2, 3, 4])
    expect(results.filter((r) => r.status === 410).every((r) => r.body.state === 'burned')).toBe(true)
    expect(counted.length + results.filter((r) => r.status === 410).length).toBe(20)

    const status = await createClient({ baseUrl: servers.url(1) }).status({ sid: s.prepared.sid, mt: s.prepared.mt })
    expect(status).toMatchObject({ state: 'burned', burnReason: 'attempts', failedAttempts: 5 })
  })
})
