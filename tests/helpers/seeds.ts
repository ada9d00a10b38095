/**
 * Secrets created through the real API before a reliability run, and the check that they
 * survived it: each one reveals exactly `maxViews` times, decrypts to its text, then is gone.
 */
import { expect } from 'vitest'
import {
  PayloadType,
  createClient,
  decryptSecret,
  openSecretLink,
  parseSecretLink,
  prepareSecret,
  unlockSecret,
  type MetaRequest,
  type PreparedSecret,
} from '@burnlink/shared'

/** The lowest Argon2id cost clients accept: passphrase seeds stay quick. */
export const LOW_KDF = { m: 19456, t: 2 } as const

export interface SeedOptions {
  text: string
  maxViews: number
  passphrase?: string
  ttl?: number
  /** Where the links point; only tests that open them care. */
  origin?: string
}

export interface Seed extends SeedOptions {
  prepared: PreparedSecret
  k: Uint8Array
  access: MetaRequest
}

export async function newSeed(o: SeedOptions): Promise<Seed> {
  const prepared = await prepareSecret({
    type: PayloadType.text,
    text: o.text,
    passphrase: o.passphrase,
    ttl: o.ttl ?? 3600,
    maxViews: o.maxViews,
    origin: o.origin ?? 'http://localhost',
    kdf: LOW_KDF,
  })
  const { k } = parseSecretLink(prepared.link)
  return { ...o, prepared, k, access: await openSecretLink(k) }
}

export async function createSeed(baseUrl: string, o: SeedOptions): Promise<Seed> {
  const seed = await newSeed(o)
  await createClient({ baseUrl }).create(seed.prepared.request)
  return seed
}

/** Reveals `seed` until it is gone: exactly `maxViews` releases, untouched by anything before. */
export async function expectRevealsExactly(baseUrl: string, seed: Seed): Promise<void> {
  const client = createClient({ baseUrl })
  const meta = await client.meta(seed.access)
  expect(meta.viewsLeft).toBe(seed.maxViews)
  const unlocked = await unlockSecret({ k: seed.k, passphrase: seed.passphrase, hdr: meta.hdr })
  for (let left = seed.maxViews - 1; left >= 0; left--) {
    const { ct, viewsLeft } = await client.reveal({ ...seed.access, rev: unlocked.rev })
    expect(viewsLeft).toBe(left)
    expect((await decryptSecret(unlocked, ct)).text).toBe(seed.text)
  }
  await expect(client.reveal({ ...seed.access, rev: unlocked.rev })).rejects.toMatchObject({
    status: 410,
    state: 'viewed',
  })
  const status = await client.status({ sid: seed.prepared.sid, mt: seed.prepared.mt })
  expect(status).toMatchObject({ state: 'viewed', views: seed.maxViews, failedAttempts: 0 })
}
