/**
 * Issue 7 §6, API side: a realistic session against the built server at LOG_LEVEL=debug,
 * with bad requests that carry secrets in every place a client might misplace them and a
 * Redis outage, leaves no secret-derived value in any log line. And once a secret has ended,
 * however it ended, Redis holds nothing derived from its key but the two verifiers.
 */
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError, createClient, decryptSecret, encodeB64u, randomBytes, unlockSecret } from '@burnlink/shared'
import { defaultConfig } from '../../server/src/config.ts'
import { secretKeys } from '../../server/src/store/redis-store.ts'
import type { NewSecret, Store } from '../../server/src/store/store.ts'
import { NO_RATE_LIMITS, waitFor } from '../helpers/load.ts'
import { assertNoSecretsInLogs, captureOutput, requestLogProblems, type SecretValue } from '../helpers/log-hygiene.ts'
import { startRedisServer, type RedisServer } from '../helpers/redis.ts'
import { createSeed, type Seed } from '../helpers/seeds.ts'
import { openTestStore } from '../helpers/server.ts'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

const PASSPHRASE = 'Correct-Horse-7Qz!passphrase'
const PLAINTEXT = 'the launch code is 4417-LOGCANARY'

/** Everything a seed's holders know, by name: the values that must never reach a log. */
function secretsOf(name: string, seed: Seed, extra: Record<string, SecretValue> = {}): Record<string, SecretValue> {
  const { request, sid, mt, link, manageLink } = seed.prepared
  const values: Record<string, SecretValue> = {
    k: seed.k,
    sid,
    acc: seed.access.acc,
    mt,
    av: request.av,
    rv: request.rv,
    mv: request.mv,
    ct: request.ct,
    link,
    manageLink,
    text: seed.text,
    ...(seed.passphrase ? { passphrase: seed.passphrase } : {}),
    ...extra,
  }
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${name}.${k}`, v]))
}

describe('no secret reaches the logs', () => {
  let redis: RedisServer
  let server: ServerProcess

  beforeAll(async () => {
    redis = await startRedisServer()
    server = await startServerProcess({ REDIS_URL: redis.url, LOG_LEVEL: 'debug', ...NO_RATE_LIMITS })
  })
  afterAll(async () => {
    await server?.stop()
    await redis?.stop()
  })

  it('keeps keys, tokens, ids, passphrases and plaintext out of every line of a whole session', async () => {
    const output = captureOutput(server.child)
    const url = server.url
    const client = createClient({ baseUrl: url })
    let requests = 0
    const counted = <T>(p: Promise<T>) => {
      requests++
      return p
    }
    const refused = (p: Promise<unknown>) =>
      counted(p).then(
        () => 0,
        (err: unknown) => (err instanceof ApiError ? err.status : -1),
      )
    const raw = async (path: string, init: RequestInit = {}) => (await counted(fetch(`${url}${path}`, init))).status

    // The creator: a passphrase secret and two plain ones.
    const main = await createSeed(url, { text: PLAINTEXT, passphrase: PASSPHRASE, maxViews: 2 })
    const byCreator = await createSeed(url, { text: `${PLAINTEXT} (creator burns)`, maxViews: 1 })
    const byRecipient = await createSeed(url, { text: `${PLAINTEXT} (recipient burns)`, maxViews: 1 })
    requests += 3

    // The recipient: look, a wrong passphrase, the right one.
    const meta = await counted(client.meta(main.access))
    const wrong = await unlockSecret({ k: main.k, passphrase: `${PASSPHRASE}-wrong`, hdr: meta.hdr })
    expect(await refused(client.reveal({ ...main.access, rev: wrong.rev }))).toBe(401)
    const unlocked = await unlockSecret({ k: main.k, passphrase: PASSPHRASE, hdr: meta.hdr })
    const revealed = await counted(client.reveal({ ...main.access, rev: unlocked.rev }))
    expect((await decryptSecret(unlocked, revealed.ct)).text).toBe(PLAINTEXT)

    // The creator's status, single and batch, and both kinds of burn.
    const ref = (s: Seed) => ({ sid: s.prepared.sid, mt: s.prepared.mt })
    expect((await counted(client.status(ref(main)))).failedAttempts).toBe(1)
    expect(await counted(client.statusBatch([main, byCreator, byRecipient].map(ref)))).toHaveLength(3)
    await counted(client.burn(ref(byCreator)))
    await counted(client.burn(byRecipient.access))
    expect(await refused(client.meta(byCreator.access))).toBe(410)
    expect(await refused(client.reveal({ ...byRecipient.access, rev: unlocked.rev }))).toBe(410)

    // Clients misplacing secrets: in URLs, headers and malformed bodies.
    const { sid, mt } = main.prepared
    const { acc } = main.access
    const k = encodeB64u(main.k)
    const json = { 'content-type': 'application/json' }
    const leakyHeaders = {
      authorization: `Bearer ${mt}`,
      'x-request-id': acc,
      cookie: `k=${k}`,
      referer: main.prepared.link,
      'user-agent': PASSPHRASE,
    }
    expect(
      await raw(`/api/v1/secrets/meta?sid=${sid}&acc=${acc}`, {
        method: 'POST',
        headers: { ...json, ...leakyHeaders },
        body: JSON.stringify(main.access),
      }),
    ).toBe(200)
    expect(
      await raw(`/api/v1/secrets/${sid}/${acc}`, { method: 'POST', headers: json, body: JSON.stringify(main.access) }),
    ).toBe(404)
    expect(await raw(`/s/${k}?passphrase=${encodeURIComponent(PASSPHRASE)}`)).toBe(404)
    expect(
      await raw('/api/v1/secrets/meta', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ ...main.access, passphrase: PASSPHRASE }),
      }),
    ).toBe(400)
    expect(
      await raw('/api/v1/secrets/reveal', {
        method: 'POST',
        headers: json,
        body: `{"sid":"${sid}","acc":"${acc}","rev":"${unlocked.rev}"`,
      }),
    ).toBe(400)
    expect(
      await raw('/api/v1/secrets/reveal', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: `${sid} ${acc} ${unlocked.rev}`,
      }),
    ).toBe(415)
    expect(
      await raw('/api/v1/secrets/status', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ sid, mt: `${mt}=` }),
      }),
    ).toBe(400)
    expect(
      await raw('/api/v1/secrets', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ ...main.prepared.request, ttl: 1, note: PLAINTEXT }),
      }),
    ).toBe(400)
    expect(
      await raw('/api/v1/secrets', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ ...main.prepared.request, pad: main.prepared.request.ct.repeat(300) }),
      }),
    ).toBe(413)

    // A Redis outage in the middle of it, and the recovery.
    await redis.kill()
    expect(await refused(client.meta(main.access))).toBe(503)
    expect(await refused(client.reveal({ ...main.access, rev: unlocked.rev }))).toBe(503)
    const duringOutage = await createSeed(url, { text: `${PLAINTEXT} (outage)`, maxViews: 1 }).then(
      () => 0,
      (err: ApiError) => err.status,
    )
    requests++
    expect(duringOutage).toBe(503)
    await redis.restart()
    await waitFor(async () => (await raw('/readyz')) === 200, 5000, 50)
    const afterOutage = await createSeed(url, {
      text: `${PLAINTEXT} (after the outage)`,
      passphrase: PASSPHRASE,
      maxViews: 1,
    })
    requests++
    const afterMeta = await counted(client.meta(afterOutage.access))
    const afterUnlocked = await unlockSecret({ k: afterOutage.k, passphrase: PASSPHRASE, hdr: afterMeta.hdr })
    await counted(client.reveal({ ...afterOutage.access, rev: afterUnlocked.rev }))

    // Shutting down logs too; every line is in once the process has exited.
    expect(await server.stop()).toBe(0)
    const lines = [...server.logs.map((entry) => JSON.stringify(entry)), ...output.lines]
    const entries = server.logs

    // The capture saw the whole session, the outage included, or the checks below prove nothing.
    expect(entries.filter((e) => e.msg === 'request').length).toBeGreaterThanOrEqual(requests)
    expect(entries.some((e) => e.msg === 'store unavailable')).toBe(true)

    assertNoSecretsInLogs(lines, {
      ...secretsOf('main', main, { rev: unlocked.rev, wrongRev: wrong.rev }),
      ...secretsOf('byCreator', byCreator),
      ...secretsOf('byRecipient', byRecipient),
      ...secretsOf('afterOutage', afterOutage, { rev: afterUnlocked.rev }),
      kHex: Buffer.from(main.k).toString('hex'),
    })
    expect(requestLogProblems(entries)).toEqual([])
  })
})

describe('the log checks themselves', () => {
  it('find a secret in any spelling a logger could give it, and request lines with extra fields', () => {
    const k = randomBytes(32)
    const line = (value: unknown) => [JSON.stringify({ level: 30, msg: 'request', value })]
    for (const spelling of [
      encodeB64u(k),
      encodeB64u(k).slice(0, 16),
      Buffer.from(k).toString('hex'),
      Buffer.from(k).toString('base64'),
      Buffer.from(k),
    ]) {
      expect(() => assertNoSecretsInLogs(line(spelling), { k })).toThrow(
        /^secret values found in the logs:\nk in line 0/,
      )
    }
    expect(() => assertNoSecretsInLogs(line(`pass "phrase"`), { passphrase: 'pass "phrase"' })).toThrow(
      /passphrase in line 0/,
    )
    expect(() => assertNoSecretsInLogs(line('nothing to see'), { k })).not.toThrow()
    expect(
      requestLogProblems([
        { msg: 'request', method: 'POST', route: '/api/v1/secrets/meta', status: 200, ms: 1, url: '/x' },
      ]),
    ).toHaveLength(1)
    expect(
      requestLogProblems([{ msg: 'request', method: 'POST', route: '/api/v1/secrets/meta?sid=x', status: 200, ms: 1 }]),
    ).toHaveLength(1)
  })
})

describe('no secret material stays in Redis after a secret ends', () => {
  const config = defaultConfig()
  const ENDED_FIELDS = new Set(['av', 'mv', 'st', 'br', 'v', 'mx', 'f', 'ca', 'ea', 'ed'])
  let store: Store
  let raw: Redis

  beforeAll(() => {
    store = openTestStore(config, workerRedisUrl())
    raw = new Redis(workerRedisUrl())
  })
  afterAll(async () => {
    await store.close()
    raw.disconnect()
  })

  /** A secret as the store sees it; the header is a full 24-byte one, so finding it means something. */
  async function stored(o: { ttlSeconds?: number; maxViews?: number } = {}): Promise<NewSecret> {
    const s: NewSecret = {
      sid: encodeB64u(randomBytes(16)),
      hdr: Uint8Array.of(1, 1, ...randomBytes(22)),
      ct: randomBytes(1052),
      av: randomBytes(32),
      rv: randomBytes(32),
      mv: randomBytes(32),
      ttlSeconds: o.ttlSeconds ?? 600,
      maxViews: o.maxViews ?? 1,
    }
    expect((await store.create(s)).kind).toBe('created')
    return s
  }

  /** Byte strings derived from the key that must be gone: rv, the header, the ciphertext and slices of it. */
  const material = (s: NewSecret) =>
    [s.rv, s.hdr, s.ct, s.ct.subarray(0, 16), s.ct.subarray(500, 516), s.ct.subarray(-16)].map((b) => Buffer.from(b))

  async function leftovers(s: NewSecret): Promise<{ state: string; problems: string[] }> {
    const { c, m, e } = secretKeys(s.sid)
    const hash = await raw.hgetallBuffer(m)
    const fields = Object.keys(hash)
    // The creator's timeline, when something happened: only types and times (protocol.md §8).
    const timeline = await raw.getBuffer(e)
    const problems = [
      ...((await raw.exists(c)) ? ['the ciphertext key still exists'] : []),
      ...fields.filter((f) => !ENDED_FIELDS.has(f)).map((f) => `field ${f}`),
      ...Object.entries(hash).flatMap(([f, value]) =>
        material(s)
          .filter((b) => value.includes(b))
          .map(() => `secret bytes in ${f}`),
      ),
      ...((await raw.pttl(m)) > 0 ? [] : ['the record never expires']),
      ...(timeline && material(s).some((b) => timeline.includes(b)) ? ['secret bytes in the timeline'] : []),
      ...(timeline && timeline.length % 5 !== 0 ? ['the timeline holds more than 5-byte records'] : []),
      ...(timeline && Number(await raw.call('PEXPIRETIME', e)) > Number(await raw.call('PEXPIRETIME', m))
        ? ['the timeline outlives the record']
        : []),
      ...(await raw.keys(`bl:{${s.sid}}*`)).filter((key) => key !== m && key !== e).map((key) => `key ${key}`),
    ]
    return { state: `${hash.st?.toString()}${hash.br ? `/${hash.br.toString()}` : ''}`, problems }
  }

  it('keeps only verifiers, state, counters and times once viewed, burned or expired', async () => {
    const viewed = await stored({ maxViews: 2 })
    for (let i = 0; i < 2; i++) expect((await store.reveal(viewed.sid, viewed.av, viewed.rv)).kind).toBe('ok')
    const byCreator = await stored()
    expect((await store.burn(byCreator.sid, { mv: byCreator.mv })).kind).toBe('burned')
    const byRecipient = await stored()
    expect((await store.burn(byRecipient.sid, { av: byRecipient.av })).kind).toBe('burned')
    const byAttempts = await stored()
    for (let i = 0; i < config.maxFailedAttempts; i++)
      await store.reveal(byAttempts.sid, byAttempts.av, randomBytes(32))
    const expired = await stored({ ttlSeconds: 1 })
    await new Promise((r) => setTimeout(r, 1200))
    expect((await store.status([{ sid: expired.sid, mv: expired.mv }]))[0]?.state).toBe('expired')

    // The check itself finds material where it is: in a live secret's ciphertext key.
    const live = await stored()
    const liveValue = await raw.getBuffer(secretKeys(live.sid).c)
    expect(material(live).every((b) => liveValue?.includes(b))).toBe(true)

    const results = {
      viewed: await leftovers(viewed),
      byCreator: await leftovers(byCreator),
      byRecipient: await leftovers(byRecipient),
      byAttempts: await leftovers(byAttempts),
      expired: await leftovers(expired),
    }
    expect(results).toEqual({
      viewed: { state: 'viewed', problems: [] },
      byCreator: { state: 'burned/creator', problems: [] },
      byRecipient: { state: 'burned/recipient', problems: [] },
      byAttempts: { state: 'burned/attempts', problems: [] },
      expired: { state: 'expired', problems: [] },
    })
  })
})
