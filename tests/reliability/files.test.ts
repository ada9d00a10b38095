/**
 * Storage stopped in the middle of an upload (protocol.md §10.5): the chunk being sent gets
 * a 503 and nothing of it counts, and once the storage is back the same upload goes on and
 * its file comes out whole. Redis (secrets and chunks) and S3 (chunks) each stop in turn, as
 * processes this test owns. Through all of it, the logs name no id, token or blob name.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError, createClient, withRetries, type Client } from '@burnlink/shared'
import { buildApp, type App } from '../../server/src/app.ts'
import { openBlobStorage, type BlobStorage } from '../../server/src/blobs/open-blobs.ts'
import { loadConfig } from '../../server/src/config.ts'
import { createRedisClient } from '../../server/src/store/redis-client.ts'
import { RedisStore } from '../../server/src/store/redis-store.ts'
import { downloadAll, newFileSecret, recipient, sha256, type FileSecret } from '../helpers/file-secrets.ts'
import { assertNoSecretsInLogs, requestLogProblems } from '../helpers/log-hygiene.ts'
import { startRedisServer, type RedisServer } from '../helpers/redis.ts'
import { startS3Server, type S3Server } from '../helpers/s3-server.ts'

const MiB = 1024 * 1024

describe.each(['redis', 's3'] as const)('%s stopped mid-upload', (kind) => {
  let redis: RedisServer
  let s3: S3Server | undefined
  let app: App
  let storage: BlobStorage
  let store: RedisStore
  let client: Client
  const lines: string[] = []
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(line: Buffer, _encoding, done) {
        lines.push(line.toString())
        done()
      },
    }),
  )
  /** Everything the test handled that a log line must never carry. */
  const secrets: Record<string, string> = {}

  beforeAll(async () => {
    redis = await startRedisServer()
    s3 = kind === 's3' ? await startS3Server() : undefined
    const config = loadConfig({
      REDIS_URL: redis.url,
      ...s3?.env,
      RATE_LIMIT_CREATE_PER_MINUTE: '100000',
      RATE_LIMIT_READ_PER_MINUTE: '100000',
    })
    const client_ = createRedisClient(redis.url, logger)
    store = new RedisStore(client_, {
      maxFailedAttempts: config.maxFailedAttempts,
      statusRetentionSeconds: config.statusRetentionSeconds,
      downloadWindowSeconds: config.files.downloadWindowSeconds,
    })
    storage = openBlobStorage(config, client_, logger, { intervalMs: 3_600_000 })
    app = await buildApp({ config, store, logger, redis: client_, blobStorage: storage })
    await app.listen({ port: 0, host: '127.0.0.1' })
    client = createClient({ baseUrl: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` })
  }, 60_000)
  afterAll(async () => {
    await app?.close()
    await storage?.close()
    await store?.close()
    await s3?.stop()
    await redis?.stop()
  })

  const upload = (s: FileSecret, chunk: number) =>
    client.uploadChunk({ sid: s.sid, ut: s.ut, file: 0, chunk, body: s.chunks[0]![chunk]! })

  it('answers 503 while the storage is down, counts nothing, and the upload goes on once it is back', async () => {
    const s = await newFileSecret([new Uint8Array(nodeRandomBytes(2 * MiB + 100))])
    await client.createUpload(s.request)
    await upload(s, 0)
    const bid = (await store.uploadSession(s.sid, sha256(Buffer.from(s.ut, 'base64url')))) as { bid?: string }
    Object.assign(secrets, { sid: s.sid, ut: s.ut, uv: s.request.uv!, mt: s.mt, bid: bid.bid! })

    if (s3) await s3.kill()
    else redis.stall()
    const failed = await upload(s, 1).catch((e: unknown) => e)
    expect(failed).toBeInstanceOf(ApiError)
    expect(failed).toMatchObject({ status: 503, code: 'unavailable' })

    const readyz = () => app.inject({ method: 'GET', url: '/readyz' }).then((res) => res.statusCode)
    if (s3) {
      // Redis still answers: the chunk the bucket refused is not recorded.
      await expect(client.commit({ sid: s.sid, ut: s.ut })).rejects.toMatchObject({ status: 409, missing: 2 })
    } else {
      await expect(client.commit({ sid: s.sid, ut: s.ut })).rejects.toMatchObject({ status: 503 })
    }
    // A load balancer stops sending uploads here while the storage is away.
    expect(await readyz()).toBe(503)
    if (s3) await s3.restart()
    else redis.resume()

    await expect.poll(readyz, { timeout: 15_000, interval: 200 }).toBe(200)
    // Clients send a chunk that met 503 again, as it was.
    await withRetries(() => upload(s, 1), { firstDelayMs: 200, budgetMs: 15_000 })
    await withRetries(() => upload(s, 2), { firstDelayMs: 200, budgetMs: 15_000 })
    await withRetries(() => client.commit({ sid: s.sid, ut: s.ut }), { firstDelayMs: 200, budgetMs: 15_000 })
    const r = await recipient(s)
    Object.assign(secrets, { acc: r.access.acc, rev: r.rev, claim: r.claim })
    await client.reveal({ ...r.access, rev: r.rev, claim: r.claim })
    expect((await downloadAll(client, s, r)).map(sha256)).toEqual(s.files.map(sha256))
  }, 60_000)

  it('logged requests and failures without an id, a token or a blob name', () => {
    expect(secrets.bid).toBeDefined()
    expect(lines.some((l) => l.includes('"msg":"request"'))).toBe(true)
    assertNoSecretsInLogs(lines, secrets)
    expect(requestLogProblems(lines.map((l) => JSON.parse(l) as Record<string, unknown>))).toEqual([])
  })
})
