/**
 * Every error the API answers (protocol.md §7), in one table: HTTP status, protocol code,
 * the message a client may show, and what the response means in the OpenAPI document.
 * Handlers and plugins throw what `apiError` builds; the error-handler plugin is the only
 * place that turns an error into a response.
 */
import * as z from 'zod/mini'
import { ErrorBody, type ErrorCode } from '@burnlink/shared'
import type { EndedState } from './store/store.ts'

interface ErrorKind<Args extends unknown[]> {
  status: number
  code: ErrorCode
  /** When a client gets it: the response's description in the OpenAPI document. */
  meaning: string
  message: (...args: Args) => string
  /** Fields the body carries beside the message. */
  fields?: (...args: Args) => Pick<ErrorBody, 'state' | 'attemptsLeft' | 'missing'>
}

/** Ties `fields` to the same arguments as `message`, entry by entry. */
const kind = <Args extends unknown[] = []>(k: ErrorKind<Args>) => k

const GONE_MESSAGES: Record<EndedState, string> = {
  viewed: 'This secret has already been viewed and no longer exists.',
  expired: 'This secret has expired and no longer exists.',
  burned: 'This secret was burned and no longer exists.',
}

export const API_ERRORS = {
  invalidRequest: kind({
    status: 400,
    code: 'invalid_request',
    meaning: 'malformed JSON, unknown fields, wrong lengths, non-canonical base64url, limits',
    message: (problem: string) => problem,
  }),
  wrongPassphrase: kind({
    status: 401,
    code: 'wrong_passphrase',
    meaning: 'the reveal token did not match; carries attemptsLeft',
    message: (attemptsLeft: number) =>
      attemptsLeft > 0
        ? `Wrong passphrase: ${attemptsLeft} attempt${attemptsLeft === 1 ? '' : 's'} left before the secret is burned.`
        : 'Wrong passphrase: too many attempts, the secret has been burned.',
    fields: (attemptsLeft: number) => ({ attemptsLeft }),
  }),
  // One message for "no such secret" and "wrong access token", so a response can never
  // tell a guesser that an id exists (the tests compare the bytes).
  notFound: kind({
    status: 404,
    code: 'not_found',
    meaning: 'unknown sid or wrong token (identical bytes for both)',
    message: () => 'No secret matches this link: it never existed, or its record has been deleted.',
  }),
  noSuchPath: kind({
    status: 404,
    code: 'not_found',
    meaning: 'nothing is served at this path',
    message: () => 'There is nothing at this address.',
  }),
  conflict: kind({
    status: 409,
    code: 'conflict',
    meaning: 'a secret with this sid exists',
    message: () => 'A secret with this id already exists; create a new link key.',
  }),
  uploadCommitted: kind({
    status: 409,
    code: 'conflict',
    meaning: 'the upload is committed: no more chunks, no abort',
    message: () => 'This upload is committed: it takes no more chunks and cannot be aborted; burn the secret instead.',
  }),
  uploadIncomplete: kind({
    status: 409,
    code: 'conflict',
    meaning: 'a commit before every declared chunk is stored; carries missing',
    message: (missing: number) =>
      `The upload is incomplete: ${missing} chunk${missing === 1 ? ' is' : 's are'} not stored yet.`,
    fields: (missing: number) => ({ missing }),
  }),
  alreadyAnswered: kind({
    status: 409,
    code: 'already_answered',
    meaning: 'a secret request already has its one answer',
    message: () => 'This request has already been answered; it takes no other answer.',
  }),
  notAnswered: kind({
    status: 409,
    code: 'not_answered',
    meaning: 'nobody has answered this secret request yet; nothing was used up',
    message: () => 'Nobody has answered this request yet; try again later.',
  }),
  windowClosed: kind({
    status: 410,
    code: 'window_closed',
    meaning: "this claim's download window has passed",
    message: () => 'The download window of this reveal has closed; the files can no longer be read with it.',
  }),
  gone: kind({
    status: 410,
    code: 'gone',
    meaning: 'the secret ended; carries state',
    message: (state: EndedState) => GONE_MESSAGES[state],
    fields: (state: EndedState) => ({ state }),
  }),
  // Fastify's own messages: they describe the request's shape and never quote its content.
  payloadTooLarge: kind({
    status: 413,
    code: 'payload_too_large',
    meaning: 'the body is larger than the largest valid request',
    message: (problem: string) => problem,
  }),
  unsupportedMediaType: kind({
    status: 415,
    code: 'unsupported_media_type',
    meaning: 'send application/json',
    message: (problem: string) => problem,
  }),
  rateLimited: kind({
    status: 429,
    code: 'rate_limited',
    meaning: 'too many requests from this client; see Retry-After',
    message: (seconds: number) => `Too many requests; try again in ${seconds} seconds.`,
  }),
  byteBudgetSpent: kind({
    status: 429,
    code: 'rate_limited',
    meaning: 'this client stored its hourly allowance of bytes (CREATE_BYTES_PER_HOUR); see Retry-After',
    message: (seconds: number) =>
      `This address has stored as much as it may in an hour; try again in ${
        seconds < 120 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`
      }.`,
  }),
  storageUnreachable: kind({
    status: 503,
    code: 'unavailable',
    meaning: 'storage unreachable; retry in a moment',
    message: () => 'The server cannot reach its storage right now; try again in a moment.',
  }),
  storageFull: kind({
    status: 503,
    code: 'unavailable',
    meaning: 'storage full; retry later',
    message: () => 'The server is out of storage space; try again later.',
  }),
  storageBudgetReached: kind({
    status: 503,
    code: 'unavailable',
    meaning: 'the server stores as much as it may (MAX_STORED_BYTES): no new secrets for now; existing ones still work',
    message: () =>
      'Storage is full, so this server takes no new secrets for now; try later. Existing links still work.',
  }),
  draining: kind({
    status: 503,
    code: 'unavailable',
    meaning: 'this instance is shutting down',
    message: () => 'This instance is shutting down.',
  }),
  internal: kind({
    status: 500,
    code: 'internal',
    meaning: 'a bug on the server; logged there, never described to the client',
    message: () => 'Something went wrong on the server.',
  }),
  // Requests Node's HTTP parser rejects, answered on the raw socket (error-handler.ts).
  malformedHttp: kind({
    status: 400,
    code: 'invalid_request',
    meaning: 'the HTTP framing is invalid',
    message: () => 'The HTTP request is malformed.',
  }),
  headersTooLarge: kind({
    status: 431,
    code: 'invalid_request',
    meaning: 'the request headers are too large',
    message: () => 'The HTTP request is malformed.',
  }),
  requestTimeout: kind({
    status: 408,
    code: 'invalid_request',
    meaning: 'the headers or the whole request did not arrive in time',
    message: () => 'The request took too long to arrive; send it again in one go.',
  }),
}

export type ApiErrorKind = keyof typeof API_ERRORS
type ArgsOf<K extends ApiErrorKind> = (typeof API_ERRORS)[K] extends ErrorKind<infer Args> ? Args : never

export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: ErrorBody,
  ) {
    super(body.message)
  }
}

export function apiError<K extends ApiErrorKind>(kind: K, ...args: ArgsOf<K>): AppError {
  // The table's entries take different arguments; ArgsOf ties each call to its entry.
  const { status, code, message, fields } = API_ERRORS[kind] as ErrorKind<ArgsOf<K>>
  return new AppError(status, { error: code, message: message(...args), ...fields?.(...args) })
}

/** The kinds Fastify's own 4xx errors (body parsing, content types, limits) map to. */
const FRAMEWORK_KINDS: Partial<Record<number, 'payloadTooLarge' | 'unsupportedMediaType'>> = {
  413: 'payloadTooLarge',
  415: 'unsupportedMediaType',
}

/**
 * A 4xx that Fastify or a plugin raised. Its status is kept (static files answer 416 to a
 * bad range, for one); anything without its own code is an invalid request.
 */
export function frameworkError(status: number, message: string): AppError {
  const { code } = API_ERRORS[FRAMEWORK_KINDS[status] ?? 'invalidRequest']
  return new AppError(status, { error: code, message })
}

/**
 * OpenAPI response schemas for the errors a route can answer, described from the table;
 * kinds that share a status share one response.
 */
export function errorResponses(...kinds: ApiErrorKind[]) {
  const meanings = new Map<number, string[]>()
  for (const { status, code, meaning } of kinds.map((k) => API_ERRORS[k]))
    meanings.set(status, [...(meanings.get(status) ?? []), `${code}: ${meaning}`])
  return Object.fromEntries(
    [...meanings].map(([status, described]) => [status, ErrorBody.check(z.describe(described.join(' | ')))]),
  )
}
