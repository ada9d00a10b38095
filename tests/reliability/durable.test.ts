/**
 * Durable mode (REDIS_DURABILITY=aof): a Redis killed right after a reveal comes back from
 * its AOF with the secret still consumed, and live secrets still there, revealable once.
 * The server refuses to start on a Redis that cannot promise that, and stops changing
 * state when a reconnected Redis no longer can.
 *
 * This machine's Redis is 7.0, without WAITAOF: the crash test runs the `appendfsync always`
 * path. The WAITAOF path is checked for when it is chosen (server >= 7.2) and, by forcing
 * it onto 7.0, for what it sends and for withholding the ciphertext when the
 * acknowledgement fails (on 7.0, WAITAOF is an unknown command: an acknowledgement that
 * never comes). A timeout proper needs a 7.2 server and a disk slower than 2 s.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../server/src/config.ts'
import { DurabilityError, DurableWriter, durableWritesFor } from '../../server/src/store/durable.ts'
import { openStore } from '../../server/src/store/open-store.ts'
import { createRedisClient, waitForReady, type ServerFacts } from '../../server/src/store/redis-client.ts'
import { RedisStore } from '../../server/src/store/redis-store.ts'
import { StoreUnavailableError, type Store } from '../../server/src/store/store.ts'
import { createSecretOver, revealOver } from '../helpers/http-secrets.ts'
import { silentLogger } from '../helpers/logger.ts'
import { hasRedisBinary, startRedisServer, type RedisServer } from '../helpers/redis.ts'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts'
import { OPTIONS, createdIn, sleep } from '../helpers/store-contract.ts'

const durableConfig = (url: string) => loadConfig({ REDIS_URL: url, REDIS_DURABILITY: 'aof' })

async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`)
    await sleep(50)
  }
}

describe('choosing how writes become durable', () => {
  const facts = (version: string, appendonly: string, appendfsync: string): ServerFacts => ({
    address: 'redis:6379',
    version,
    config: { appendonly, appendfsync },
  })

  it('trusts appendfsync always on any version, and WAITAOF only from Redis 7.2', () => {
    expect(durableWritesFor(facts('7.0.15', 'yes', 'always'))).toBe('fsync')
    expect(durableWritesFor(facts('7.4.1', 'yes', 'always'))).toBe('fsync')
    expect(durableWritesFor(facts('7.2.0', 'yes', 'everysec'))).toBe('waitaof')
    expect(durableWritesFor(facts('8.0.2', 'yes', 'no'))).toBe('waitaof')
    expect(() => durableWritesFor(facts('7.0.15', 'yes', 'everysec'))).toThrow(
      /redis:6379 \(version 7\.0\.15\) runs with appendfsync everysec.*set appendfsync always.*Redis 7\.2 or later/s,
    )
    expect(() => durableWritesFor(facts('6.2.14', 'yes', 'no'))).toThrow(/appendfsync always/)
  })

  it('refuses a Redis without appendonly, or whose settings it cannot read', () => {
    expect(() => durableWritesFor(facts('7.4.1', 'no', 'always'))).toThrow(
      /redis:6379 runs with appendonly no.*Set appendonly yes/,
    )
    expect(() =>
      durableWritesFor({ address: 'redis:6379', version: '7.4.1', config: {}, unreadable: 'ERR unknown command' }),
    ).toThrow(/CONFIG GET.*ERR unknown command/)
  })
})

describe.skipIf(!hasRedisBinary())('durable mode against real Redis', () => {
  const dirs: string[] = []
  const servers: RedisServer[] = []
  async function redis(...args: string[]): Promise<RedisServer> {
    const dir = mkdtempSync(join(tmpdir(), 'burnlink-aof-'))
    dirs.push(dir)
    const server = await startRedisServer(['--dir', dir, ...args])
    servers.push(server)
    return server
  }
  const durableRedis = () => redis('--appendonly', 'yes', '--appendfsync', 'always')
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()))
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  it('refuses to start without appendonly, or with appendfsync everysec on Redis < 7.2', async () => {
    const plain = await redis()
    await expect(openStore(durableConfig(plain.url), silentLogger)).rejects.toThrow(/runs with appendonly no/)
    await expect(startServerProcess({ REDIS_URL: plain.url, REDIS_DURABILITY: 'aof' })).rejects.toThrow(
      /server exited with 1/,
    )
    const everysec = await redis('--appendonly', 'yes', '--appendfsync', 'everysec')
    await expect(openStore(durableConfig(everysec.url), silentLogger)).rejects.toThrow(/set appendfsync always/)
  })

  describe('a server process whose Redis is killed right after a reveal', () => {
    let aof: RedisServer
    let server: ServerProcess
    beforeAll(async () => {
      aof = await durableRedis()
      server = await startServerProcess({
        REDIS_URL: aof.url,
        REDIS_DURABILITY: 'aof',
        RATE_LIMIT_READ_PER_MINUTE: '10000',
      })
    })
    afterAll(() => server?.stop())

    it('keeps the revealed secret consumed and the live ones revealable, exactly once', async () => {
      expect(server.logs.some((l) => String(l.msg).startsWith('durable mode: Redis fsyncs every write'))).toBe(true)
      const [revealed, live, multi] = await Promise.all([
        createSecretOver(server.url),
        createSecretOver(server.url),
        createSecretOver(server.url, 2),
      ])
      expect((await revealOver(server.url, multi!)).body).toMatchObject({ viewsLeft: 1 })
      expect((await revealOver(server.url, revealed!)).status).toBe(200)
      await aof.kill('SIGKILL')
      await aof.restart()
      await until(async () => (await fetch(`${server.url}/readyz`)).status === 200, 5000, 'server ready again')

      expect(await revealOver(server.url, revealed!)).toMatchObject({ status: 410, body: { state: 'viewed' } })
      expect(await revealOver(server.url, multi!)).toMatchObject({ status: 200, body: { viewsLeft: 0 } })
      expect(await revealOver(server.url, multi!)).toMatchObject({ status: 410, body: { state: 'viewed' } })
      const racing = await Promise.all(Array.from({ length: 20 }, () => revealOver(server.url, live!)))
      expect(racing.map((r) => r.status).sort()).toEqual([200, ...Array(19).fill(410)])
    })
  })

  describe('the WAITAOF path, forced onto this Redis', () => {
    let aof: RedisServer
    let plain: RedisStore
    let forced: RedisStore
    let monitor: Redis
    let admin: Redis
    const seen: Array<{ source: string; args: string[] }> = []
    beforeAll(async () => {
      aof = await durableRedis()
      plain = new RedisStore(createRedisClient(aof.url, silentLogger), OPTIONS)
      const client = createRedisClient(aof.url, silentLogger)
      await waitForReady(client)
      forced = new RedisStore(client, OPTIONS, new DurableWriter(client, 'waitaof', silentLogger))
      admin = new Redis(aof.url)
      monitor = await admin.monitor()
      monitor.on('monitor', (_time: string, args: string[], source: string) => seen.push({ source, args }))
    })
    /** WAITAOF is an unknown command on 7.0: sending it costs an error reply, which Redis counts. */
    const errorReplies = async () => Number(/^total_error_replies:(\d+)/m.exec(await admin.info('stats'))?.[1])
    afterAll(async () => {
      monitor?.disconnect()
      admin?.disconnect()
      await Promise.all([plain, forced].map((s) => s?.close()))
    })

    it('sends the script and WAITAOF together on a dedicated connection, and withholds the ciphertext unacknowledged', async () => {
      // The first write opens the pool, whose connections' greetings 7.0 answers with errors too.
      const first = await createdIn(plain)
      await expect(forced.reveal(first.sid, first.av, first.rv)).rejects.toBeInstanceOf(StoreUnavailableError)
      const s = await createdIn(plain)
      const errorsBefore = await errorReplies()
      const err = await forced.reveal(s.sid, s.av, s.rv).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(StoreUnavailableError)
      expect(await errorReplies()).toBe(errorsBefore + 1)
      // Redis 7.0 refuses WAITAOF before MONITOR could show it; its refusal names what arrived.
      expect((err as Error).cause).toMatchObject({
        message: expect.stringMatching(/unknown command 'WAITAOF', with args beginning with: '1' '0' '2000'/),
      })
      expect(await forced.meta(s.sid, s.av)).toEqual({ kind: 'gone', state: 'viewed' })
      // By arity: EVAL(SHA), body or sha, numkeys, three keys (:c, :m and the timeline's
      // :e), then 6 arguments for reveal (av, rv, attempts, claim or '', retry window,
      // download window), 1 for meta. The create before them declares two keys.
      const calls = (arity: number) =>
        seen.filter((c) => c.args.length === arity && c.args[2] === '3' && c.args[3] === `bl:{${s.sid}}:c`)
      await until(async () => calls(12).length + calls(7).length === 2, 1000, 'the scripts in MONITOR')
      const [reveal, meta] = [calls(12)[0], calls(7)[0]]
      // EVAL with the source, never EVALSHA: see DurableWriter.run.
      expect(reveal?.args[0]).toBe('EVAL')
      expect(reveal?.args.slice(2, 6)).toEqual(['3', `bl:{${s.sid}}:c`, `bl:{${s.sid}}:m`, `bl:{${s.sid}}:e`])
      expect(reveal?.source).not.toBe(meta?.source)
      // The view was spent inside Redis but never handed out: forfeited, not served later.
      expect(await plain.reveal(s.sid, s.av, s.rv)).toEqual({ kind: 'gone', state: 'viewed' })
    })

    it('sends no WAITAOF on the appendfsync always path', async () => {
      const { store } = await openStore(durableConfig(aof.url), silentLogger)
      try {
        const s = await createdIn(store)
        const errorsBefore = await errorReplies()
        expect(await store.reveal(s.sid, s.av, s.rv)).toMatchObject({ kind: 'ok' })
        expect(await errorReplies()).toBe(errorsBefore)
      } finally {
        await store.close()
      }
    })
  })

  it('stops changing state when Redis comes back unable to fsync, without consuming anything', async () => {
    const aof = await durableRedis()
    const admin = new Redis(aof.url)
    const { store } = await openStore(durableConfig(aof.url), silentLogger)
    const plain: Store = new RedisStore(createRedisClient(aof.url, silentLogger), OPTIONS)
    const reconnect = async (appendfsync: string) => {
      await admin.config('SET', 'appendfsync', appendfsync)
      await admin.client('KILL', 'TYPE', 'normal')
      await until(async () => (await Promise.all([store.ping(), plain.ping()]), true), 3000, 'reconnected')
    }
    try {
      const s = await createdIn(plain)
      await reconnect('everysec')
      const err = await store.reveal(s.sid, s.av, s.rv).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(StoreUnavailableError)
      expect((err as Error).cause).toBeInstanceOf(DurabilityError)
      expect(await plain.meta(s.sid, s.av)).toMatchObject({ kind: 'ok', viewsLeft: 1 })
      await reconnect('always')
      expect(await store.reveal(s.sid, s.av, s.rv)).toMatchObject({ kind: 'ok', viewsLeft: 0 })
    } finally {
      await Promise.all([store.close(), plain.close()])
      admin.disconnect()
    }
  })
})
