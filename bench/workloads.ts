/**
 * Request bodies for the load runs, made before the clock starts and with whatever they read
 * already in Redis, so the load generator spends its time sending, not doing crypto.
 *
 * Every secret carries the header and ciphertext of one real sealed 1000-byte text (frame
 * 1024 bytes, ct 1052 bytes). Its sid and tokens are fresh random values with the verifiers
 * the protocol prescribes (SHA-256 of each token): the server cannot tell them from a
 * browser's, and making 100,000 real ones would take the key schedule ~50 s.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import { ATTEMPTS, PayloadType, SID_BYTES, TOKEN_BYTES, decodeB64u, prepareSecret } from '@burnlink/shared'
import type { RedisStore } from '../server/src/store/redis-store.ts'

export const SECRET_TEXT_BYTES = 1000
export const TTL_SECONDS = 3600
export const STORE_OPTIONS = { maxFailedAttempts: ATTEMPTS.default, statusRetentionSeconds: 7 * 24 * 3600 }

export type Op = 'create' | 'meta' | 'reveal'
export const OPS: readonly Op[] = ['create', 'meta', 'reveal']

/** Reads that do not consume can cycle over this many stored records. */
const READ_ONLY_RECORDS = 1000
/** In-flight store calls or SETs while filling Redis: enough to pipeline, little memory. */
const FILL_BATCH = 500

export interface Envelope {
  hdr: string
  ct: string
}

export async function sealedEnvelope(): Promise<Envelope> {
  const { request } = await prepareSecret({
    type: PayloadType.text,
    text: 'x'.repeat(SECRET_TEXT_BYTES),
    ttl: TTL_SECONDS,
    maxViews: 1,
    origin: 'http://127.0.0.1',
  })
  return { hdr: request.hdr, ct: request.ct }
}

export interface Ids {
  sid: string
  acc: string
  rev: string
  av: Buffer
  rv: Buffer
  mv: Buffer
}

const sha256 = (token: Buffer) => createHash('sha256').update(token).digest()

export function freshIds(): Ids {
  const [acc, rev, mt] = [randomBytes(TOKEN_BYTES), randomBytes(TOKEN_BYTES), randomBytes(TOKEN_BYTES)]
  return {
    sid: randomBytes(SID_BYTES).toString('base64url'),
    acc: acc.toString('base64url'),
    rev: rev.toString('base64url'),
    av: sha256(acc),
    rv: sha256(rev),
    mv: sha256(mt),
  }
}

async function inBatches<T>(items: T[], each: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += FILL_BATCH) await Promise.all(items.slice(i, i + FILL_BATCH).map(each))
}

export interface Workload {
  path: string
  /** Buffers, not strings: their bytes live outside the JS heap, so the pools do not slow the load generator's GC. */
  bodies: Buffer[]
  /** False when each body may be sent once (create, reveal): running out then spoils the run. */
  reusable: boolean
}

/** Makes a workload of `count` requests of one operation against one server. */
export type Prepare = (op: Op, count: number) => Promise<Workload>

const json = (value: unknown) => Buffer.from(JSON.stringify(value))

const recordsFor = (op: Op, count: number) =>
  Array.from({ length: op === 'meta' ? Math.min(count, READ_ONLY_RECORDS) : count }, freshIds)

/** Stores `count` secrets through the real store (the same Lua script the server runs). */
export async function storeSecrets(store: RedisStore, envelope: Envelope, ids: Ids[]): Promise<void> {
  const hdr = decodeB64u(envelope.hdr)
  const ct = decodeB64u(envelope.ct)
  await inBatches(ids, async (s) => {
    const result = await store.create({
      sid: s.sid,
      hdr,
      ct,
      av: s.av,
      rv: s.rv,
      mv: s.mv,
      ttlSeconds: TTL_SECONDS,
      maxViews: 1,
    })
    if (result.kind !== 'created') throw new Error(`could not store a bench secret: ${result.kind}`)
  })
}

export function burnlinkWorkloads(store: RedisStore, envelope: Envelope): Prepare {
  const b64u = (b: Buffer) => b.toString('base64url')
  return async (op, count) => {
    const ids = recordsFor(op, count)
    if (op === 'create') {
      const bodies = ids.map((s) =>
        json({
          v: 1,
          sid: s.sid,
          hdr: envelope.hdr,
          ct: envelope.ct,
          av: b64u(s.av),
          rv: b64u(s.rv),
          mv: b64u(s.mv),
          ttl: TTL_SECONDS,
          maxViews: 1,
        }),
      )
      return { path: '/api/v1/secrets', bodies, reusable: false }
    }
    await storeSecrets(store, envelope, ids)
    if (op === 'meta')
      return { path: '/api/v1/secrets/meta', bodies: ids.map((s) => json({ sid: s.sid, acc: s.acc })), reusable: true }
    return {
      path: '/api/v1/secrets/reveal',
      bodies: ids.map((s) => json({ sid: s.sid, acc: s.acc, rev: s.rev })),
      reusable: false,
    }
  }
}

export function baselineKeys(key: string): { value: string; meta: string } {
  return { value: `base:{${key}}:c`, meta: `base:{${key}}:m` }
}

export function baselineWorkloads(redis: Redis, envelope: Envelope): Prepare {
  const ct = decodeB64u(envelope.ct)
  const meta = JSON.stringify({
    hdr: envelope.hdr,
    viewsLeft: 1,
    expiresAt: new Date(Date.now() + TTL_SECONDS * 1000).toISOString(),
  })
  return async (op, count) => {
    const ids = recordsFor(op, count)
    if (op === 'create') {
      return {
        path: '/create',
        bodies: ids.map((s) => json({ key: s.sid, value: envelope.ct, ttl: TTL_SECONDS })),
        reusable: false,
      }
    }
    const keys = ids.map((s) => baselineKeys(s.sid))
    await inBatches(keys, (k) =>
      op === 'meta'
        ? redis.set(k.meta, meta, 'EX', TTL_SECONDS)
        : redis.set(k.value, Buffer.from(ct), 'EX', TTL_SECONDS),
    )
    const bodies = ids.map((s) => json({ key: s.sid, token: s.acc }))
    return { path: op === 'meta' ? '/meta' : '/reveal', bodies, reusable: op === 'meta' }
  }
}
