/**
 * Invariant 2 under real concurrency: two server processes share one Redis and many
 * clients race for the same secret. Exactly `maxViews` of them get the ciphertext, and
 * exactly K wrong passphrases are counted before the burn.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import {
  PayloadType,
  createClient,
  decryptSecret,
  openSecretLink,
  parseSecretLink,
  prepareSecret,
  unlockSecret,
} from '@burnlink/shared'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts'

const ROUNDS = 20
const READERS = 200

describe('exactly-once across two server processes sharing one Redis', () => {
  let servers: ServerProcess[] = []

  beforeAll(async () => {
    const env = { REDIS_URL: inject('redisUrl'), RATE_LIMIT_READ_PER_MINUTE: '1000000', RATE_LIMIT_CREATE_PER_MINUTE: '1000000' }
    servers = await Promise.all([startServerProcess(env), startServerProcess(env)])
  })
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()))
  })

  async function createOn(url: string, maxViews: number, passphrase?: string) {
    const prepared = await prepareSecret({
      type: PayloadType.text,
      text: `round secret ${Math.random()}`,
      passphrase,
      ttl: 600,
      maxViews,
      origin: url,
      kdf: { m: 19456, t: 2 },
    })
    await createClient({ baseUrl: url }).create(prepared.request)
    const { k } = parseSecretLink(prepared.link)
    const access = await openSecretLink(k)
    const meta = await createClient({ baseUrl: url }).meta(access)
    return { prepared, k, access, hdr: meta.hdr }
  }

  /** Fires the same body at both servers, alternating, all at once. */
  async function race(path: string, bodies: (i: number) => unknown) {
    return Promise.all(
      Array.from({ length: READERS }, async (_, i) => {
        const res = await fetch(`${servers[i % 2]!.url}/api/v1/secrets/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(bodies(i)),
        })
        return { status: res.status, body: (await res.json()) as Record<string, unknown> }
      }),
    )
  }

  it.each([1, 3])(`releases a maxViews=%i secret exactly that often to ${READERS} concurrent readers, ${ROUNDS} rounds`, async (maxViews) => {
    const wins: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const s = await createOn(servers[round % 2]!.url, maxViews)
      const unlocked = await unlockSecret({ k: s.k, hdr: s.hdr })
      const results = await race('reveal', () => ({ ...s.access, rev: unlocked.rev }))
      const ok = results.filter((r) => r.status === 200)
      wins.push(ok.length)
      expect(results.every((r) => r.status === 200 || (r.status === 410 && r.body.state === 'viewed'))).toBe(true)
      for (const r of ok) {
        expect((await decryptSecret(unlocked, r.body.ct as string)).text).toMatch(/^round secret /)
      }
      expect(ok.map((r) => r.body.viewsLeft).sort()).toEqual(Array.from({ length: maxViews }, (_, i) => i))
    }
    expect(wins).toEqual(Array(ROUNDS).fill(maxViews))
  })

  it('counts exactly K of 20 concurrent wrong passphrases, then burns', async () => {
    const s = await createOn(servers[0]!.url, 1, 'the right one')
    const wrong = await Promise.all(
      Array.from({ length: 20 }, (_, i) => unlockSecret({ k: s.k, hdr: s.hdr, passphrase: `wrong ${i}` })),
    )
    const results = await Promise.all(
      wrong.map(async (u, i) => {
        const res = await fetch(`${servers[i % 2]!.url}/api/v1/secrets/reveal`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...s.access, rev: u.rev }),
        })
        return { status: res.status, body: (await res.json()) as Record<string, unknown> }
      }),
    )
    const counted = results.filter((r) => r.status === 401)
    expect(counted.map((r) => r.body.attemptsLeft).sort()).toEqual([0, 1, 2, 3, 4])
    expect(results.filter((r) => r.status === 410).every((r) => r.body.state === 'burned')).toBe(true)
    expect(counted.length + results.filter((r) => r.status === 410).length).toBe(20)

    const status = await createClient({ baseUrl: servers[1]!.url }).status({ sid: s.prepared.sid, mt: s.prepared.mt })
    expect(status).toMatchObject({ state: 'burned', burnReason: 'attempts', failedAttempts: 5 })
  })
})
