/**
 * The creator's half of a file secret without a server: the limits a client checks before
 * it reads anything, and that what prepareFileSecret makes is what a recipient derives.
 */
import { randomFillSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  ARGON2,
  CHUNK_BYTES,
  DEFAULT_SERVER_LIMITS,
  PayloadType,
  decodeB64u,
  decryptFile,
  decryptSecret,
  deriveUploadToken,
  encodeB64u,
  encryptFile,
  fileLayout,
  fileLimitProblem,
  parseManifest,
  parseSecretLink,
  prepareFileSecret,
  sha256,
  unlockSecret,
} from '@burnlink/shared'

const MiB = CHUNK_BYTES
const limits = { ...DEFAULT_SERVER_LIMITS, maxFileBytes: 25 * MiB, maxFiles: 3 }

describe('fileLimitProblem', () => {
  it('takes a file of exactly the limit, since the limit counts padded bytes', () => {
    expect(fileLayout(25 * MiB).padded).toBe(25 * MiB)
    expect(fileLimitProblem([25 * MiB], limits)).toBeUndefined()
    expect(fileLimitProblem([0, 1, 2], limits)).toBeUndefined()
  })

  it('names the limit when the padded total is over it', () => {
    expect(fileLimitProblem([25 * MiB + 1], limits)).toMatch(/at most 25 MiB \(26214400 bytes\) after padding/)
    // Two files that fit alone but not together.
    expect(fileLimitProblem([13 * MiB, 13 * MiB], limits)).toMatch(/too large/)
  })

  it('names the limit on the number of files', () => {
    expect(fileLimitProblem([1, 1, 1, 1], limits)).toBe('too many files: this server takes at most 3 per secret')
  })
})

async function* pieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
}

describe('prepareFileSecret', () => {
  it.each([
    ['without a passphrase', undefined],
    ['with a passphrase', 'correct horse'],
  ])('makes a create and chunks that a recipient of the link opens, %s', async (_, passphrase) => {
    const data = new Uint8Array(randomFillSync(Buffer.alloc(MiB + 5)))
    const files = [
      { name: 'a.bin', type: 'application/octet-stream', size: data.length },
      { name: 'empty', type: '', size: 0 },
    ]
    const prepared = await prepareFileSecret({
      files,
      note: 'the note',
      passphrase,
      kdf: { m: ARGON2.minM, t: ARGON2.minT },
      ttl: 3600,
      maxViews: 1,
      origin: 'https://burnlink.example',
    })
    const { request } = prepared
    expect(request.files).toEqual([fileLayout(MiB + 5).stored, fileLayout(0).stored])
    expect(request.uv).toBe(encodeB64u(await sha256(decodeB64u(prepared.ut))))
    const { k } = parseSecretLink(prepared.link)
    expect(prepared.ut).toBe(encodeB64u(await deriveUploadToken(k)))

    const unlocked = await unlockSecret({ k, hdr: request.hdr, passphrase })
    const opened = await decryptSecret(unlocked, request.ct)
    expect(opened.type).toBe(PayloadType.attachment)
    expect(parseManifest(opened.text)).toEqual({ files, note: 'the note' })

    const stored: Uint8Array[] = []
    for await (const chunk of encryptFile(prepared.ctx, 0, pieces(data, 70_000))) stored.push(chunk)
    expect(stored.map((c) => c.length)).toEqual([MiB + 16, fileLayout(MiB + 5).padded - MiB + 16])
    // The recipient's chunk key, made in its unlock step, opens what the creator's made.
    const ctx = { fk: unlocked.fk, sid: unlocked.sidBytes, hdr: unlocked.hdrBytes, sizes: [data.length, 0] }
    const out: Uint8Array[] = []
    for await (const piece of decryptFile(ctx, 0, stored)) out.push(piece)
    expect(Buffer.concat(out).equals(data)).toBe(true)
  })

  it('makes a new link key each time, so no chunk position is ever encrypted twice under one', async () => {
    const o = { files: [{ name: 'x', type: '', size: 1 }], ttl: 3600, maxViews: 1, origin: 'https://b.example' }
    const [a, b] = await Promise.all([prepareFileSecret(o), prepareFileSecret(o)])
    expect(a.link).not.toBe(b.link)
    expect(a.ut).not.toBe(b.ut)
  })

  it('refuses a manifest that breaks §10.1 before anything is made', async () => {
    const o = { ttl: 3600, maxViews: 1, origin: 'https://b.example' }
    await expect(prepareFileSecret({ ...o, files: [] })).rejects.toMatchObject({ reason: 'payload' })
    await expect(prepareFileSecret({ ...o, files: [{ name: '', type: '', size: 1 }] })).rejects.toMatchObject({
      reason: 'payload',
    })
  })
})
