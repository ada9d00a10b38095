/**
 * The secret API (protocol.md §7). Every endpoint is a POST with the ids and tokens in the
 * JSON body, never in the URL, so access logs, proxies and Referer headers carry nothing.
 *
 * The server never sees a token's preimage relationship to the key: it hashes each token
 * it receives and lets the store compare digests. Shape checks here (lengths, canonical
 * base64url, ct size buckets) are input hygiene, not a security boundary: only the
 * recipient's browser can tell whether a ciphertext is genuine.
 */
import type { FastifySchema } from 'fastify'
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod'
import {
  AckRequest,
  AckResponse,
  BurnRequest,
  BurnResponse,
  CreateSecretRequest,
  CreateSecretResponse,
  CreateUploadResponse,
  MetaRequest,
  MetaResponse,
  RevealRequest,
  RevealResponse,
  StatusRequest,
  StatusResponse,
  type SecretStatus as SecretStatusBody,
} from '@burnlink/shared'
import { fromB64u, toB64u } from '../bytes.ts'
import type { Config } from '../config.ts'
import * as z from 'zod/mini'
import { apiError, errorResponses } from '../errors.ts'
import { createdBytes } from '../plugins/budgets.ts'
import type { StatusRecord, Store } from '../store/store.ts'
import { COMMON_ERRORS, claimDigest, iso, perMinute, verifier, type Reply, type Request } from './common.ts'
import type { FileKeeper } from './files.ts'

export interface SecretRoutesOptions {
  store: Store
  config: Config
  files: FileKeeper
}

// Each endpoint's schema: what it accepts and every answer it can give, which is also what
// the OpenAPI document lists.
const CREATE = {
  body: CreateSecretRequest,
  response: {
    201: z.union([CreateSecretResponse, CreateUploadResponse]),
    ...errorResponses(...COMMON_ERRORS, 'conflict', 'byteBudgetSpent', 'storageBudgetReached'),
  },
} satisfies FastifySchema

const META = {
  body: MetaRequest,
  response: { 200: MetaResponse, ...errorResponses(...COMMON_ERRORS, 'notFound', 'gone') },
} satisfies FastifySchema

const REVEAL = {
  body: RevealRequest,
  response: { 200: RevealResponse, ...errorResponses(...COMMON_ERRORS, 'wrongPassphrase', 'notFound', 'gone') },
} satisfies FastifySchema

const ACK = {
  body: AckRequest,
  response: { 204: AckResponse, ...errorResponses(...COMMON_ERRORS, 'notFound') },
} satisfies FastifySchema

const STATUS = {
  body: StatusRequest,
  response: { 200: StatusResponse, ...errorResponses(...COMMON_ERRORS, 'notFound') },
} satisfies FastifySchema

const BURN = {
  body: BurnRequest,
  response: { 200: BurnResponse, ...errorResponses(...COMMON_ERRORS, 'notFound', 'gone') },
} satisfies FastifySchema

const secretRoutes: FastifyPluginAsyncZod<SecretRoutesOptions> = async (app, { store, config, files }) => {
  // Creating costs storage, so it is budgeted in bytes too; everything else is a lookup.
  const creating = { ...perMinute(config.rateLimit.createPerMinute), storedBytes: createdBytes }
  const reading = perMinute(config.rateLimit.readPerMinute)

  // '' rather than '/': the protocol's path has no trailing slash.
  app.post('', { schema: CREATE, config: creating }, create)
  app.post('/meta', { schema: META, config: reading }, meta)
  app.post('/reveal', { schema: REVEAL, config: reading }, reveal)
  app.post('/ack', { schema: ACK, config: reading }, ack)
  app.post('/status', { schema: STATUS, config: reading }, status)
  app.post('/burn', { schema: BURN, config: reading }, burn)

  async function create(req: Request<typeof CREATE>, reply: Reply<typeof CREATE>) {
    const b = req.body
    if (b.ttl > config.maxTtlSeconds)
      throw apiError('invalidRequest', `ttl must be at most ${config.maxTtlSeconds} seconds on this server`)
    if (b.maxViews > config.maxViews)
      throw apiError('invalidRequest', `maxViews must be at most ${config.maxViews} on this server`)
    if (b.uv !== undefined && b.files !== undefined) {
      return reply.code(201).send(await files.createUpload({ ...b, uv: b.uv, files: b.files }))
    }
    const result = await store.create({
      sid: b.sid,
      hdr: fromB64u(b.hdr),
      ct: fromB64u(b.ct),
      av: fromB64u(b.av),
      rv: fromB64u(b.rv),
      mv: fromB64u(b.mv),
      ttlSeconds: b.ttl,
      maxViews: b.maxViews,
    })
    if (result.kind === 'exists') throw apiError('conflict')
    return reply.code(201).send({ sid: b.sid, expiresAt: iso(result.expiresAt) })
  }

  async function meta(req: Request<typeof META>) {
    const r = await store.meta(req.body.sid, verifier(req.body.acc))
    if (r.kind === 'not_found') throw apiError('notFound')
    if (r.kind === 'gone') throw apiError('gone', r.state)
    return {
      hdr: toB64u(r.hdr),
      viewsLeft: r.viewsLeft,
      expiresAt: iso(r.expiresAt),
      ...(r.files && { files: r.files }),
    }
  }

  /** With a claim, a repeat after a lost answer gets the same ciphertext (protocol.md §7, claims). */
  async function reveal(req: Request<typeof REVEAL>) {
    const { sid, acc, rev, claim } = req.body
    const r = await store.reveal(
      sid,
      verifier(acc),
      verifier(rev),
      claim === undefined ? undefined : claimDigest(claim),
    )
    if (r.kind === 'not_found') throw apiError('notFound')
    if (r.kind === 'gone') throw apiError('gone', r.state)
    if (r.kind === 'claim_required') throw apiError('invalidRequest', 'a secret with files is revealed with a claim')
    if (r.kind === 'wrong') {
      if (r.files) await files.ended(sid, r.files)
      throw apiError('wrongPassphrase', r.attemptsLeft)
    }
    if (!r.files) return { ct: toB64u(r.ct), viewsLeft: r.viewsLeft }
    await files.opened(sid, r.files)
    const { downloadExpiresAt, fsig } = r.files
    return {
      ct: toB64u(r.ct),
      viewsLeft: r.viewsLeft,
      downloadExpiresAt: iso(downloadExpiresAt),
      ...(fsig && { fsig: toB64u(fsig) }),
    }
  }

  /** The claimant has decrypted: its claim can no longer fetch. No body, whatever there was to forget. */
  async function ack(req: Request<typeof ACK>, reply: Reply<typeof ACK>) {
    const { sid, acc, claim } = req.body
    const r = await store.ack(sid, verifier(acc), claimDigest(claim))
    if (r.kind === 'not_found') throw apiError('notFound')
    if (r.unneeded) await files.ended(sid, r.unneeded)
    return reply.code(204).send(null)
  }

  /** One secret, or a batch of them (My links), where an unknown one is null, not an error. */
  async function status(req: Request<typeof STATUS>) {
    const body = req.body
    const items = 'items' in body ? body.items : [body]
    const records = await store.status(items.map((i) => ({ sid: i.sid, mv: verifier(i.mt) })))
    if ('items' in body) return { items: records.map((r) => (r ? statusBody(r) : null)) }
    const [record] = records
    if (!record) throw apiError('notFound')
    return statusBody(record)
  }

  /** By the sender (manage token) or by a recipient who chose not to read (access token). */
  async function burn(req: Request<typeof BURN>) {
    const body = req.body
    const auth = 'mt' in body ? { mv: verifier(body.mt) } : { av: verifier(body.acc) }
    const r = await store.burn(body.sid, auth)
    if (r.kind === 'not_found') throw apiError('notFound')
    if (r.kind === 'gone') throw apiError('gone', r.state)
    if (r.files) await files.ended(body.sid, r.files)
    return { state: 'burned' as const }
  }
}

export default secretRoutes

function statusBody(r: StatusRecord): SecretStatusBody {
  return {
    state: r.state,
    ...(r.burnReason && { burnReason: r.burnReason }),
    views: r.views,
    maxViews: r.maxViews,
    failedAttempts: r.failedAttempts,
    createdAt: iso(r.createdAt),
    expiresAt: iso(r.expiresAt),
    ...(r.endedAt !== undefined && { endedAt: iso(r.endedAt) }),
    events: r.events.map((e) => ({ type: e.type, at: iso(e.at) })),
  }
}
