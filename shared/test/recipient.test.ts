/**
 * The recipient's flow against a real server (memory store): what it sends, in which order,
 * and what it refuses to send again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ARGON2,
  ApiError,
  PayloadType,
  RevealInDoubtError,
  createClient,
  createRecipient,
  decodeB64u,
  encodeB64u,
  parseSecretLink,
  prepareSecret,
  storeSecret,
  unlockKeys,
} from '@burnlink/shared'
import type { PrepareSecretOptions, RecipientOptions, UnlockInput } from '@burnlink/shared'
import { startTestServer } from '../../tests/helpers/server.ts'
import { rejection } from './vectors-runner.ts'

const PASSPHRASE = 'correct horse'
const FAST_KDF = { m: ARGON2.minM, t: ARGON2.minT }

let server: Awaited<ReturnType<typeof startTestServer>>
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server?.close())

/** The real client, with the path of every request it makes written down. */
function recordingClient() {
  const paths: string[] = []
  const api = createClient({
    baseUrl: server.url,
    fetch: (input, init) => {
      paths.push(new URL(String(input)).pathname)
      return fetch(input, init)
    },
  })
  return { api, paths }
}

async function send(o: Partial<PrepareSecretOptions> = {}) {
  const prepared = await prepareSecret({
    type: PayloadType.text,
    text: 'the secret',
    ttl: 3600,
    maxViews: 1,
    origin: server.url,
    kdf: FAST_KDF,
    ...o,
  })
  await createClient({ baseUrl: server.url }).create(prepared.request)
  return { ...prepared, k: parseSecretLink(prepared.link).k }
}

/**
 * The real client behind a network that loses answers: a request to `path` reaches the
 * server, but while `lose()` says so the client sees a network failure or `instead` (a 503).
 */
function lossyClient(path: string, lose: (nth: number) => boolean, instead?: () => Response) {
  const bodies: unknown[] = []
  const api = createClient({
    baseUrl: server.url,
    fetch: async (input, init) => {
      const res = await fetch(input, init)
      if (new URL(String(input)).pathname !== path) return res
      bodies.push(JSON.parse(String(init?.body)))
      if (!lose(bodies.length)) return res
      await res.arrayBuffer()
      if (instead) return instead()
      throw new TypeError('fetch failed')
    },
  })
  return { api, bodies }
}

const FAST_RETRY = { firstDelayMs: 5, budgetMs: 300 }

const statusOf = ({ sid, mt }: { sid: string; mt: string }) => createClient({ baseUrl: server.url }).status({ sid, mt })

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  return run().then(
    () => 'accepted',
    (e: unknown) => e,
  )
}

describe('createRecipient', () => {
  it('goes from link key to plaintext with one meta and one reveal', async () => {
    const secret = await send()
    const { api, paths } = recordingClient()
    const recipient = await createRecipient(secret.k, { api })
    expect(await recipient.meta()).toMatchObject({ viewsLeft: 1, needsPassphrase: false })
    await recipient.unlock()
    expect(paths).toEqual(['/api/v1/secrets/meta'])
    const revealed = await recipient.reveal()
    expect(revealed).toMatchObject({ type: PayloadType.text, text: 'the secret', viewsLeft: 0 })
    expect(await revealed.acked).toBe(true)
    expect(paths).toEqual(['/api/v1/secrets/meta', '/api/v1/secrets/reveal', '/api/v1/secrets/ack'])
  })

  it('runs the unlock step where it is told, across a structured clone as to a worker', async () => {
    const secret = await send({ passphrase: PASSPHRASE })
    const inputs: UnlockInput[] = []
    const inWorker: RecipientOptions['unlockKeys'] = async (input) => {
      inputs.push(input)
      return structuredClone(await unlockKeys(structuredClone(input)))
    }
    const recipient = await createRecipient(secret.k, { api: recordingClient().api, unlockKeys: inWorker })
    expect((await recipient.meta()).needsPassphrase).toBe(true)
    await recipient.unlock(PASSPHRASE)
    expect(inputs).toHaveLength(1)
    expect(inputs[0]).toMatchObject({ passphrase: PASSPHRASE, header: { kdf: 'argon2id', m: FAST_KDF.m } })
    expect(encodeB64u(inputs[0]!.sid)).toBe(secret.sid)
    expect((await recipient.reveal()).text).toBe('the secret')
  })

  it('drops the keys on a wrong passphrase, so a retry cannot spend another attempt on them', async () => {
    const secret = await send({ passphrase: PASSPHRASE })
    const recipient = await createRecipient(secret.k, { api: recordingClient().api })
    await recipient.meta()
    await recipient.unlock('not it')
    const wrong = await failure(() => recipient.reveal())
    expect(wrong).toBeInstanceOf(ApiError)
    expect(wrong).toMatchObject({ code: 'wrong_passphrase', attemptsLeft: 4 })
    expect(await failure(() => recipient.reveal())).toBeInstanceOf(TypeError)
    expect(await statusOf(secret)).toMatchObject({ state: 'active', failedAttempts: 1 })
    await recipient.unlock(PASSPHRASE)
    expect((await recipient.reveal()).text).toBe('the secret')
  })

  it('asks for meta before unlock and unlock before reveal, and forgets the key once released', async () => {
    const secret = await send({ maxViews: 2 })
    const recipient = await createRecipient(secret.k, { api: recordingClient().api })
    expect(await failure(() => recipient.unlock())).toBeInstanceOf(TypeError)
    await recipient.meta()
    expect(await failure(() => recipient.reveal())).toBeInstanceOf(TypeError)
    await recipient.unlock()
    expect(await recipient.reveal()).toMatchObject({ text: 'the secret', viewsLeft: 1 })
    expect(await failure(() => recipient.unlock())).toBeInstanceOf(TypeError)
    expect(await failure(() => recipient.reveal())).toBeInstanceOf(TypeError)
    expect(await statusOf(secret)).toMatchObject({ views: 1 })
  })

  it('will not unlock a passphrase secret without one, and sends nothing', async () => {
    const secret = await send({ passphrase: PASSPHRASE })
    const { api, paths } = recordingClient()
    const recipient = await createRecipient(secret.k, { api })
    await recipient.meta()
    expect(await failure(() => recipient.unlock())).toBeInstanceOf(TypeError)
    expect(paths).toEqual(['/api/v1/secrets/meta'])
    expect(await statusOf(secret)).toMatchObject({ views: 0, failedAttempts: 0 })
  })

  it('refuses a header outside the Argon2id bounds at meta, before any work', async () => {
    const secret = await prepareSecret({
      type: PayloadType.text,
      text: 'x',
      ttl: 3600,
      maxViews: 1,
      origin: server.url,
      passphrase: PASSPHRASE,
      kdf: FAST_KDF,
    })
    // A server may hand back any header of the right shape: here one asking for 4 GiB.
    const hdr = decodeB64u(secret.request.hdr)
    new DataView(hdr.buffer).setUint32(2, 0x400000)
    await createClient({ baseUrl: server.url }).create({ ...secret.request, hdr: encodeB64u(hdr) })
    const recipient = await createRecipient(parseSecretLink(secret.link).k, { api: recordingClient().api })
    expect(await rejection(() => recipient.meta())).toBe('header')
    expect(await failure(() => recipient.unlock(PASSPHRASE))).toBeInstanceOf(TypeError)
  })

  it('re-checks a redirect target with the policy it is given', async () => {
    const secret = await send({
      type: PayloadType.redirect,
      text: 'http://intranet.example/',
      allowHttp: true,
      maxViews: 2,
    })
    const strict = await createRecipient(secret.k, { api: recordingClient().api })
    await strict.meta()
    await strict.unlock()
    expect(await rejection(() => strict.reveal())).toBe('payload')
    const lenient = await createRecipient(secret.k, { api: recordingClient().api })
    await lenient.meta()
    await lenient.unlock()
    expect(await lenient.reveal({ allowHttp: true })).toMatchObject({ type: PayloadType.redirect, viewsLeft: 0 })
  })

  it('retries a reveal whose answer was lost with the same claim, gets the view once, and acknowledges it', async () => {
    const secret = await send()
    const unavailable = () => Response.json({ error: 'unavailable', message: 'try again' }, { status: 503 })
    const { api, bodies } = lossyClient('/api/v1/secrets/reveal', (n) => n <= 2, unavailable)
    const recipient = await createRecipient(secret.k, { api, retry: FAST_RETRY })
    await recipient.meta()
    await recipient.unlock()
    const revealed = await recipient.reveal()
    expect(revealed).toMatchObject({ text: 'the secret', viewsLeft: 0 })
    expect(bodies).toHaveLength(3)
    const claims = new Set(bodies.map((b) => (b as { claim: string }).claim))
    expect(claims.size).toBe(1)
    expect(await statusOf(secret)).toMatchObject({ state: 'viewed', views: 1 })
    // Acknowledged: the claim fetches nothing more.
    expect(await revealed.acked).toBe(true)
    const again = await failure(() =>
      createClient({ baseUrl: server.url }).reveal({ ...(bodies[0] as { sid: string; acc: string; rev: string }) }),
    )
    expect(again).toMatchObject({ code: 'gone', state: 'viewed' })
  })

  it('says when it gives up that the view may be used, and reveals on the next call with the same claim', async () => {
    const secret = await send()
    let down = true
    const { api, bodies } = lossyClient('/api/v1/secrets/reveal', () => down)
    const recipient = await createRecipient(secret.k, { api, retry: FAST_RETRY, claimRetrySeconds: 600 })
    await recipient.meta()
    await recipient.unlock()
    const doubt = await failure(() => recipient.reveal())
    expect(doubt).toBeInstanceOf(RevealInDoubtError)
    expect((doubt as RevealInDoubtError).minutesLeft()).toBe(9)
    expect((doubt as Error).message).toMatch(
      /may have been used up by this attempt; retrying is still possible for 9 minutes/,
    )
    expect((doubt as Error).cause).toMatchObject({ code: 'network' })
    expect(await statusOf(secret)).toMatchObject({ state: 'viewed', views: 1 })
    down = false
    expect(await recipient.reveal()).toMatchObject({ text: 'the secret', viewsLeft: 0 })
    expect(new Set(bodies.map((b) => (b as { claim: string }).claim)).size).toBe(1)
    expect(await statusOf(secret)).toMatchObject({ views: 1 })
  })

  it('stores a secret whose create answer was lost, once, with the same answer', async () => {
    const prepared = await prepareSecret({
      type: PayloadType.text,
      text: 'sent once',
      ttl: 3600,
      maxViews: 1,
      origin: server.url,
    })
    const { api, bodies } = lossyClient('/api/v1/secrets', (n) => n === 1)
    const answer = await storeSecret(api, prepared.request, FAST_RETRY)
    expect(answer.sid).toBe(prepared.sid)
    expect(bodies).toEqual([prepared.request, prepared.request])
    expect(await statusOf(prepared)).toMatchObject({ state: 'active', views: 0 })
  })

  it('burns for everyone, and counts a secret already gone as burned', async () => {
    const secret = await send({ maxViews: 3 })
    const recipient = await createRecipient(secret.k, { api: recordingClient().api })
    await recipient.meta()
    await recipient.burn()
    expect(await statusOf(secret)).toMatchObject({ state: 'burned', burnReason: 'recipient' })
    await recipient.burn()
    const other = await createRecipient(secret.k, { api: recordingClient().api })
    expect(await failure(() => other.meta())).toMatchObject({ code: 'gone', state: 'burned' })
  })
})
