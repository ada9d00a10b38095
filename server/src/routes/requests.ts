/**
 * The secret request API (protocol.md §12.5). As for secrets, every id and token is in the
 * JSON body and the server compares only digests; the request store decides each step
 * atomically.
 */
import type { FastifySchema } from 'fastify'
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod'
import {
  AckResponse,
  AnswerRequest,
  AnswerResponse,
  BurnResponse,
  CollectAckRequest,
  CollectRef,
  CollectRequest,
  CollectResponse,
  CreateRequestRequest,
  CreateRequestResponse,
  OpenRequestResponse,
  RequestAccess,
  RequestStatus,
} from '@burnlink/shared'
import type { FastifyRequest } from 'fastify'
import { fromB64u, toB64u } from '../bytes.ts'
import type { Config } from '../config.ts'
import { apiError, errorResponses } from '../errors.ts'
import type { RequestEnded, RequestStore } from '../requests/request-store.ts'
import { COMMON_ERRORS, claimDigest, iso, perMinute, verifier, type Reply, type Request } from './common.ts'

export interface RequestRoutesOptions {
  requests: RequestStore
  config: Config
}

const CREATE = {
  body: CreateRequestRequest,
  response: {
    201: CreateRequestResponse,
    ...errorResponses(...COMMON_ERRORS, 'conflict', 'byteBudgetSpent', 'storageBudgetReached'),
  },
} satisfies FastifySchema

const OPEN = {
  body: RequestAccess,
  response: { 200: OpenRequestResponse, ...errorResponses(...COMMON_ERRORS, 'notFound', 'alreadyAnswered', 'gone') },
} satisfies FastifySchema

const ANSWER = {
  body: AnswerRequest,
  response: {
    201: AnswerResponse,
    ...errorResponses(
      ...COMMON_ERRORS,
      'notFound',
      'alreadyAnswered',
      'gone',
      'byteBudgetSpent',
      'storageBudgetReached',
    ),
  },
} satisfies FastifySchema

const COLLECT = {
  body: CollectRequest,
  response: { 200: CollectResponse, ...errorResponses(...COMMON_ERRORS, 'notFound', 'notAnswered', 'gone') },
} satisfies FastifySchema

const ACK = {
  body: CollectAckRequest,
  response: { 204: AckResponse, ...errorResponses(...COMMON_ERRORS, 'notFound') },
} satisfies FastifySchema

const STATUS = {
  body: CollectRef,
  response: { 200: RequestStatus, ...errorResponses(...COMMON_ERRORS, 'notFound') },
} satisfies FastifySchema

const BURN = {
  body: CollectRef,
  response: { 200: BurnResponse, ...errorResponses(...COMMON_ERRORS, 'notFound', 'gone') },
} satisfies FastifySchema

const decodedLength = (b64u: string) => Math.floor((b64u.length * 3) / 4)

/** A request stores its key and note; an answer its key and ciphertext. */
function requestBytes(req: FastifyRequest): number {
  const { pub, note } = req.body as { pub: string; note?: string }
  return decodedLength(pub) + (note === undefined ? 0 : decodedLength(note))
}

function answerBytes(req: FastifyRequest): number {
  const { epk, ans } = req.body as { epk: string; ans: string }
  return decodedLength(epk) + decodedLength(ans)
}

/** A 410 in §7's words: a collected answer reads as a viewed secret. */
const goneError = (state: RequestEnded) => apiError('gone', state === 'collected' ? 'viewed' : state)

const requestRoutes: FastifyPluginAsyncZod<RequestRoutesOptions> = async (app, { requests, config }) => {
  const storing = perMinute(config.rateLimit.createPerMinute)
  const reading = perMinute(config.rateLimit.readPerMinute)

  app.post('', { schema: CREATE, config: { ...storing, storedBytes: requestBytes } }, create)
  app.post('/open', { schema: OPEN, config: reading }, open)
  app.post('/answer', { schema: ANSWER, config: { ...storing, storedBytes: answerBytes } }, answer)
  app.post('/collect', { schema: COLLECT, config: reading }, collect)
  app.post('/ack', { schema: ACK, config: reading }, ack)
  app.post('/status', { schema: STATUS, config: reading }, status)
  app.post('/burn', { schema: BURN, config: reading }, burn)

  async function create(req: Request<typeof CREATE>, reply: Reply<typeof CREATE>) {
    const b = req.body
    if (b.ttl > config.maxTtlSeconds)
      throw apiError('invalidRequest', `ttl must be at most ${config.maxTtlSeconds} seconds on this server`)
    const r = await requests.create({
      rid: b.rid,
      pub: fromB64u(b.pub),
      ...(b.note !== undefined && { note: fromB64u(b.note) }),
      qv: fromB64u(b.qv),
      cv: fromB64u(b.cv),
      ttlSeconds: b.ttl,
    })
    if (r.kind === 'exists') throw apiError('conflict')
    return reply.code(201).send({ rid: b.rid, expiresAt: iso(r.expiresAt) })
  }

  async function open(req: Request<typeof OPEN>) {
    const r = await requests.open(req.body.rid, verifier(req.body.acc))
    if (r.kind === 'not_found') throw apiError('notFound')
    if (r.kind === 'already_answered') throw apiError('alreadyAnswered')
    if (r.kind === 'gone') throw goneError(r.state)
    return { pub: toB64u(r.pub), ...(r.note && { note: toB64u(r.note) }), expiresAt: iso(r.expiresAt) }
  }

  async function answer(req: Request<typeof ANSWER>, reply: Reply<typeof ANSWER>) {
    const { rid, acc, epk, ans } = req.body
    const r = await requests.answer(rid, verifier(acc), fromB64u(epk), fromB64u(ans))
    if (r.kind === 'not_found') throw apiError('notFound')
    if (r.kind === 'already_answered') throw apiError('alreadyAnswered')
    if (r.kind === 'gone') throw goneError(r.state)
    return reply.code(201).send({ state: 'answered' as const })
  }

  async function collect(req: Request<typeof COLLECT>) {
    const { rid, col, claim } = req.body
    const r = await requests.collect(rid, verifier(col), claim === undefined ? undefined : claimDigest(claim))
    if (r.kind === 'not_found') throw apiError('notFound')
    if (r.kind === 'not_answered') throw apiError('notAnswered')
    if (r.kind === 'gone') throw goneError(r.state)
    return { epk: toB64u(r.epk), ans: toB64u(r.ans) }
  }

  async function ack(req: Request<typeof ACK>, reply: Reply<typeof ACK>) {
    const { rid, col, claim } = req.body
    const r = await requests.ack(rid, verifier(col), claimDigest(claim))
    if (r.kind === 'not_found') throw apiError('notFound')
    return reply.code(204).send(null)
  }

  async function status(req: Request<typeof STATUS>) {
    const r = await requests.status(req.body.rid, verifier(req.body.col))
    if (!r) throw apiError('notFound')
    return {
      state: r.state,
      createdAt: iso(r.createdAt),
      expiresAt: iso(r.expiresAt),
      ...(r.answeredAt !== undefined && { answeredAt: iso(r.answeredAt) }),
      ...(r.endedAt !== undefined && { endedAt: iso(r.endedAt) }),
    }
  }

  async function burn(req: Request<typeof BURN>) {
    const r = await requests.burn(req.body.rid, verifier(req.body.col))
    if (r.kind === 'not_found') throw apiError('notFound')
    if (r.kind === 'gone') throw goneError(r.state)
    return { state: 'burned' as const }
  }
}

export default requestRoutes
