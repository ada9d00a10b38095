/**
 * What the secret and file routes share: typed requests, the digests the store compares,
 * and the errors every endpoint can answer.
 */
import { hash } from 'node:crypto'
import type {
  ContextConfigDefault,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
} from 'fastify'
import type { ZodTypeProvider } from '@fastify/type-provider-zod'
import { fromB64u } from '../bytes.ts'
import type { ApiErrorKind } from '../errors.ts'
import { CLAIM_DIGEST_BYTES } from '../store/store.ts'

/** What any endpoint can answer besides its own errors. */
export const COMMON_ERRORS = [
  'invalidRequest',
  'payloadTooLarge',
  'unsupportedMediaType',
  'rateLimited',
  'storageUnreachable',
  'storageFull',
] as const satisfies ApiErrorKind[]

export const perMinute = (max: number) => ({ rateLimit: { max, timeWindow: 60_000 } })

/** A request or reply typed by its route's zod schema, for handlers named outside the route call. */
export type Request<S extends FastifySchema> = FastifyRequest<
  RouteGenericInterface,
  RawServerDefault,
  RawRequestDefaultExpression,
  S,
  ZodTypeProvider
>
export type Reply<S extends FastifySchema> = FastifyReply<
  RouteGenericInterface,
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  ContextConfigDefault,
  S,
  ZodTypeProvider
>

/**
 * SHA-256 of a base64url token: the verifier the store compares against. One-shot `hash`
 * rather than a `Hash` object: two or three of these run on every request.
 */
export function verifier(token: string): Uint8Array {
  return hash('sha256', fromB64u(token), 'buffer')
}

/** What the store keeps of a claim: a copy of the store cannot be replayed as claims. */
export function claimDigest(claim: string): Uint8Array {
  return verifier(claim).subarray(0, CLAIM_DIGEST_BYTES)
}

export const iso = (ms: number) => new Date(ms).toISOString()
