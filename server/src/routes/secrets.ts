/**
 * The secret API (protocol.md §7). Every endpoint is a POST with the ids and tokens in the
 * JSON body, never in the URL, so access logs, proxies and Referer headers carry nothing.
 *
 * The server never sees a token's preimage relationship to the key: it hashes each token
 * it receives and lets the store compare digests. Shape checks here (lengths, canonical
 * base64url, ct size buckets) are input hygiene, not a security boundary: only the
 * recipient's browser can tell whether a ciphertext is genuine.
 */
import { createHash } from 'node:crypto'
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod'
import {
  BurnRequest,
  BurnResponse,
  CreateSecretRequest,
  CreateSecretResponse,
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
import { apiError, errorResponses, type ApiErrorKind } from '../errors.ts'
import type { StatusRecord, Store } from '../store/store.ts'

export interface SecretRoutesOptions {
  store: Store
  config: Config
}

/** SHA-256 of a base64url token: the verifier the store compares against. */
function verifier(token: string): Uint8Array {
  return createHash('sha256').update(fromB64u(token)).digest()
}

const iso = (ms: number) => new Date(ms).toISOString()

const COMMON_ERRORS = [
  'invalidRequest',
  'payloadTooLarge',
  'unsupportedMediaType',
  'rateLimited',
  'storageUnreachable',
  'storageFull',
] as const satisfies ApiErrorKind[]

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
  }
}

const secretRoutes: FastifyPluginAsyncZod<SecretRoutesOptions> = async (app, { store, config }) => {
  const perMinute = (max: number) => ({ rateLimit: { max, timeWindow: 60_000 } })
  const create = perMinute(config.rateLimit.createPerMinute)
  const read = perMinute(config.rateLimit.readPerMinute)

  // '' rather than '/': the protocol's path has no trailing slash.
  app.post(
    '',
    {
      config: create,
      schema: {
        body: CreateSecretRequest,
        response: { 201: CreateSecretResponse, ...errorResponses(...COMMON_ERRORS, 'conflict') },
      },
    },
    async (req, reply) => {
      const b = req.body
      if (b.ttl > config.maxTtlSeconds)
        throw apiError('invalidRequest', `ttl must be at most ${config.maxTtlSeconds} seconds on this server`)
      if (b.maxViews > config.maxViews)
        throw apiError('invalidRequest', `maxViews must be at most ${config.maxViews} on this server`)
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
    },
  )

  app.post(
    '/meta',
    {
      config: read,
      schema: {
        body: MetaRequest,
        response: { 200: MetaResponse, ...errorResponses(...COMMON_ERRORS, 'notFound', 'gone') },
      },
    },
    async (req) => {
      const r = await store.meta(req.body.sid, verifier(req.body.acc))
      if (r.kind === 'not_found') throw apiError('notFound')
      if (r.kind === 'gone') throw apiError('gone', r.state)
      return { hdr: toB64u(r.hdr), viewsLeft: r.viewsLeft, expiresAt: iso(r.expiresAt) }
    },
  )

  app.post(
    '/reveal',
    {
      config: read,
      schema: {
        body: RevealRequest,
        response: { 200: RevealResponse, ...errorResponses(...COMMON_ERRORS, 'wrongPassphrase', 'notFound', 'gone') },
      },
    },
    async (req) => {
      const r = await store.reveal(req.body.sid, verifier(req.body.acc), verifier(req.body.rev))
      if (r.kind === 'not_found') throw apiError('notFound')
      if (r.kind === 'gone') throw apiError('gone', r.state)
      if (r.kind === 'wrong') throw apiError('wrongPassphrase', r.attemptsLeft)
      return { ct: toB64u(r.ct), viewsLeft: r.viewsLeft }
    },
  )

  app.post(
    '/status',
    {
      config: read,
      schema: {
        body: StatusRequest,
        response: { 200: StatusResponse, ...errorResponses(...COMMON_ERRORS, 'notFound') },
      },
    },
    async (req) => {
      const body = req.body
      const items = 'items' in body ? body.items : [body]
      const records = await store.status(items.map((i) => ({ sid: i.sid, mv: verifier(i.mt) })))
      if ('items' in body) return { items: records.map((r) => (r ? statusBody(r) : null)) }
      const [record] = records
      if (!record) throw apiError('notFound')
      return statusBody(record)
    },
  )

  app.post(
    '/burn',
    {
      config: read,
      schema: {
        body: BurnRequest,
        response: { 200: BurnResponse, ...errorResponses(...COMMON_ERRORS, 'notFound', 'gone') },
      },
    },
    async (req) => {
      const body = req.body
      const auth = 'mt' in body ? { mv: verifier(body.mt) } : { av: verifier(body.acc) }
      const r = await store.burn(body.sid, auth)
      if (r.kind === 'not_found') throw apiError('notFound')
      if (r.kind === 'gone') throw apiError('gone', r.state)
      return { state: 'burned' as const }
    },
  )
}

export default secretRoutes
