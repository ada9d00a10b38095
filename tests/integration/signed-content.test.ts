/**
 * Format 2 (protocol.md §5.1) against a real server on Redis: a secret whose record is gone
 * (here a Redis restart, which loses everything without durable mode) can be created again
 * under the same link by anyone who held it, and the recipient must refuse what its creator
 * did not make. Format 1 links, already in people's mailboxes, keep opening.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ApiError,
  CHUNK_BYTES,
  PayloadType,
  createClient,
  createRecipient,
  decodeB64u,
  deriveAccess,
  deriveReveal,
  deriveUploadToken,
  downloadFile,
  encodeB64u,
  encryptFile,
  fileDigest,
  fileLayout,
  newSigningKey,
  parseSecretLink,
  prepareFileSecret,
  prepareSecret,
  randomBytes,
  secretLink,
  sha256,
  signFiles,
  storeSecret,
  unlockSecret,
  uploadFileSecret,
  withRetries,
  KEY_BYTES,
  type ChunkContext,
  type Client,
  type CreateSecretRequest,
} from '@burnlink/shared'
import { createRequestUnder } from '../helpers/forge.ts'
import { startRedisServer, type RedisServer } from '../helpers/redis.ts'
import { startTestServer } from '../helpers/server.ts'
import { rejection } from '../../shared/test/vectors-runner.ts'

let redis: RedisServer
let server: Awaited<ReturnType<typeof startTestServer>>
let api: Client

beforeAll(async () => {
  redis = await startRedisServer()
  server = await startTestServer({ redisUrl: redis.url, config: { webRoot: undefined } })
  api = createClient({ baseUrl: server.url })
}, 30_000)
afterAll(async () => {
  await server?.close()
  await redis?.stop()
})

// A restarted Redis takes the client a moment to reach again: creates and reads retry as the apps do.
const RETRY = { firstDelayMs: 100, budgetMs: 10_000 }
const recreate = (request: CreateSecretRequest) => storeSecret(api, request, RETRY)

async function open(link: string) {
  const recipient = await createRecipient(parseSecretLink(link).k, { api, retry: RETRY })
  await recipient.meta()
  await recipient.unlock()
  const { type, text } = await recipient.reveal()
  return { type, text }
}

async function send(type: PayloadType, text: string, maxViews = 1) {
  const prepared = await prepareSecret({ type, text, ttl: 3600, maxViews, origin: server.url })
  await api.create(prepared.request)
  return prepared
}

describe('signed content (format 2)', () => {
  it('a new text or redirect link is format 2 and opens', async () => {
    const text = await send(PayloadType.text, 'the secret')
    expect(text.link).toMatch(/\/s#2\.[\w-]{43}\.[\w-]{22}$/)
    expect(await open(text.link)).toEqual({ type: PayloadType.text, text: 'the secret' })
    const redirect = await send(PayloadType.redirect, 'https://bank.example/login')
    expect(await open(redirect.link)).toEqual({ type: PayloadType.redirect, text: 'https://bank.example/login' })
  })

  it('a format 1 link, made before format 2, still opens', async () => {
    const k = randomBytes(KEY_BYTES)
    await api.create(await createRequestUnder(k, { type: PayloadType.text, text: 'an old link' }))
    const link = secretLink(server.url, k)
    expect(link).toMatch(/\/s#1\.[\w-]{43}$/)
    expect(await open(link)).toEqual({ type: PayloadType.text, text: 'an old link' })
  })

  it('after a Redis restart, another link holder cannot put content of their own under the link', async () => {
    const creator = await send(PayloadType.redirect, 'https://bank.example/login', 2)
    const { k } = parseSecretLink(creator.link)
    // An earlier recipient opens it and keeps what the server gave them.
    const { sid, acc } = await deriveAccess(k)
    const access = { sid: encodeB64u(sid), acc: encodeB64u(acc) }
    const shown = await api.meta(access)
    const rev = encodeB64u((await deriveReveal(k, new Uint8Array(0), sid)).rev)
    const { ct: originalCt } = await api.reveal({ ...access, rev })

    await redis.restart()
    const phishing = { type: PayloadType.redirect, text: 'https://phish.example/login' }

    // Signed with a key of their own: its hash is not the link's, refused at meta, before any view is used.
    await recreate(await createRequestUnder(k, phishing, await newSigningKey()))
    const early = await createRecipient(k, { api, retry: RETRY })
    expect(await rejection(() => early.meta())).toBe('signature')
    expect((await api.meta(access)).viewsLeft).toBe(1)

    // The creator's header (its key and signature) with their own ct: refused before decrypting.
    await redis.restart()
    const forged = await createRequestUnder(k, phishing, { hdr: decodeB64u(shown.hdr) })
    expect(forged.hdr).toBe(shown.hdr)
    await recreate(forged)
    const late = await createRecipient(k, { api, retry: RETRY })
    await late.meta()
    await late.unlock()
    const refused = await late.reveal().catch((e: unknown) => e)
    expect(refused).toMatchObject({ name: 'ProtocolError', reason: 'signature' })
    expect(String(refused)).toContain("this secret's content was not made by the link's creator")

    // Unsigned, as format 1 would allow: refused too.
    await redis.restart()
    await recreate(await createRequestUnder(k, phishing))
    expect(await rejection(() => open(creator.link))).toBe('signature')

    // What a holder can do: store the creator's own bytes again. They open to the creator's content.
    await redis.restart()
    await recreate({ ...forged, ct: originalCt })
    expect(await open(creator.link)).toEqual({ type: PayloadType.redirect, text: 'https://bank.example/login' })
  }, 60_000)

  it('the server takes both header formats and refuses other sizes', async () => {
    const bad = await createRequestUnder(randomBytes(KEY_BYTES), { type: PayloadType.text, text: 'x' })
    const error = await api.create({ ...bad, hdr: encodeB64u(new Uint8Array(130)) }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 400, code: 'invalid_request' })
  })
})

/**
 * Files (protocol.md §10.7): an earlier recipient kept the creator's manifest (hdr, ct), the
 * fsig and the chunks; once the record is gone they re-create the secret with the creator's
 * file names and chunks of their own, which open under fk as any link holder's would. The
 * creator's signature over each file's digest is what refuses them.
 */
describe('signed files (format 2)', () => {
  const filled = (size: number, seed: number) => Uint8Array.from({ length: size }, (_, i) => (i * 7 + seed) % 251)
  // Two chunks, so that a refused file has already given out its first chunk's bytes.
  const files = [filled(CHUNK_BYTES + 1000, 1), filled(50, 2)]

  async function storedChunks(ctx: ChunkContext, contents: Uint8Array[]): Promise<Uint8Array<ArrayBuffer>[][]> {
    const out: Uint8Array<ArrayBuffer>[][] = []
    for (const [f, bytes] of contents.entries()) {
      const chunks: Uint8Array<ArrayBuffer>[] = []
      for await (const c of encryptFile(ctx, f, [bytes])) chunks.push(c)
      out.push(chunks)
    }
    return out
  }

  const fsigOf = async (sk: CryptoKey, ctx: ChunkContext, chunks: Uint8Array[][]) => {
    const digests = await Promise.all(chunks.map(async (cs) => fileDigest(await Promise.all(cs.map(sha256)))))
    return encodeB64u(await signFiles(sk, ctx.sid, ctx.hdr, digests))
  }

  /** Reveals as the apps do, then reads every file piece by piece: the bytes each gave out, and the refusal. */
  async function openFiles(k: Uint8Array) {
    const recipient = await createRecipient(k, { api, retry: RETRY })
    await recipient.meta()
    await recipient.unlock()
    const received: Uint8Array[][] = []
    try {
      const revealed = await recipient.reveal()
      for (const f of files.keys()) {
        received.push([])
        for await (const piece of downloadFile(api, revealed.files!, f, { retry: RETRY })) received[f]!.push(piece)
      }
    } catch (error) {
      return { received, error }
    }
    return { received, error: undefined }
  }

  it("after a Redis restart, a link holder cannot put bytes of their own under the creator's file names", async () => {
    const entries = files.map((b, i) => ({ name: `f${i}.bin`, type: '', size: b.length }))
    const prepared = await prepareFileSecret({ files: entries, ttl: 3600, maxViews: 2, origin: server.url })
    await uploadFileSecret(api, prepared, (f) => [files[f]!], { retry: RETRY })
    const { k } = parseSecretLink(prepared.link)

    // An earlier recipient opens it and keeps everything the server gave them.
    const { sid, acc } = await deriveAccess(k)
    const access = { sid: encodeB64u(sid), acc: encodeB64u(acc) }
    const { hdr } = await api.meta(access)
    const unlocked = await unlockSecret({ k, hdr })
    const claim = encodeB64u(randomBytes(16))
    const released = await api.reveal({ ...access, rev: unlocked.rev, claim })
    expect(released.fsig).toBeDefined()
    const theirs = await Promise.all(
      files.map((b, file) =>
        Promise.all(
          Array.from({ length: fileLayout(b.length).chunks }, (_, chunk) =>
            api.readChunk({ ...access, claim, file, chunk }),
          ),
        ),
      ),
    )
    const ctx: ChunkContext = { fk: unlocked.fk, sid, hdr: decodeB64u(hdr), sizes: files.map((b) => b.length) }
    const own = await storedChunks(ctx, [filled(CHUNK_BYTES + 1000, 9), filled(50, 8)])
    const hash = async (b: Uint8Array) => encodeB64u(await sha256(b))

    /** The record is gone; the link holder stores the creator's hdr and ct with these chunks and fsig. */
    async function recreate(chunks: Uint8Array<ArrayBuffer>[][], fsig: string | undefined) {
      await redis.restart()
      const ut = await deriveUploadToken(k)
      const request: CreateSecretRequest = {
        v: 1,
        sid: access.sid,
        hdr,
        ct: released.ct,
        av: await hash(acc),
        rv: await hash(decodeB64u(unlocked.rev)),
        mv: await hash(randomBytes(32)),
        ttl: 3600,
        maxViews: 1,
        uv: await hash(ut),
        files: files.map((b) => fileLayout(b.length).stored),
      }
      const upload = { sid: access.sid, ut: encodeB64u(ut) }
      await withRetries(() => api.createUpload(request), RETRY)
      for (const [file, cs] of chunks.entries()) {
        for (const [chunk, body] of cs.entries()) await api.uploadChunk({ ...upload, file, chunk, body })
      }
      await api.commit({ ...upload, ...(fsig !== undefined && { fsig }) })
    }

    // (a) Their chunks with the creator's fsig: the reveal passes, the file never becomes whole.
    await recreate(own, released.fsig)
    const a = await openFiles(k)
    expect(a.error).toMatchObject({ name: 'ProtocolError', reason: 'files_digest' })
    expect(String(a.error)).toContain("this secret's content was not made by the link's creator")
    const gaveOut = a.received[0]!.reduce((n, p) => n + p.length, 0)
    expect(gaveOut).toBe(CHUNK_BYTES)
    expect(gaveOut).toBeLessThan(files[0]!.length)

    // (b) Their chunks with an fsig of their own key: refused right after the reveal, before any chunk.
    await recreate(own, await fsigOf((await newSigningKey()).sk, ctx, own))
    const b = await openFiles(k)
    expect(b.error).toMatchObject({ name: 'ProtocolError', reason: 'signature' })
    expect(b.received).toEqual([])

    // (c) No fsig at all under a format 2 link: refused the same way.
    await recreate(own, undefined)
    expect(await openFiles(k)).toMatchObject({ received: [], error: { reason: 'signature' } })

    // (d) What a holder can do: replay the creator's own chunks and fsig. They open to the creator's files.
    await recreate(theirs, released.fsig)
    const d = await openFiles(k)
    expect(d.error).toBeUndefined()
    expect(d.received.map((pieces) => Buffer.concat(pieces))).toEqual(files.map((b) => Buffer.from(b)))
  }, 120_000)
})
