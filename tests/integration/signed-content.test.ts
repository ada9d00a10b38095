/**
 * Format 2 (protocol.md §5.1) against a real server on Redis: a secret whose record is gone
 * (here a Redis restart, which loses everything without durable mode) can be created again
 * under the same link by anyone who held it, and the recipient must refuse what its creator
 * did not make. Format 1 links, already in people's mailboxes, keep opening.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ApiError,
  PayloadType,
  createClient,
  createRecipient,
  decodeB64u,
  deriveAccess,
  deriveReveal,
  encodeB64u,
  newSigningKey,
  parseSecretLink,
  prepareSecret,
  randomBytes,
  secretLink,
  storeSecret,
  KEY_BYTES,
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
