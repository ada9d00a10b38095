/**
 * The one path from a thrown error to a response: `{ error, message }` JSON with a 4xx for
 * anything the client can fix, 503 when the store is unavailable, and a bare 500 for bugs
 * (logged, never echoed). Nothing from the request body reaches a log line.
 */
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from '@fastify/type-provider-zod'
import type { ErrorBody, ErrorCode } from '@burnlink/shared'
import { AppError } from '../errors.ts'
import { StoreUnavailableError } from '../store/store.ts'
import { CONTENT_SECURITY_POLICY } from './security.ts'

const send = (reply: FastifyReply, status: number, body: ErrorBody) =>
  reply.code(status).type('application/json').send(body)

/** Fastify's own 4xx errors (body parsing, content types, limits) mapped to protocol codes. */
const FASTIFY_CODES: Record<number, ErrorCode> = {
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
}

export default fp<{ notFoundPerMinute: number }>(
  async (app, { notFoundPerMinute }) => {
    app.setErrorHandler((err: FastifyError | Error, req, reply) => {
      if (err instanceof AppError) return send(reply, err.statusCode, err.toBody())
      if (hasZodFastifySchemaValidationErrors(err)) {
        const issue = err.validation[0]
        const where = issue?.instancePath ? `${issue.instancePath.slice(1).replaceAll('/', '.')}: ` : ''
        return send(reply, 400, {
          error: 'invalid_request',
          message: `Invalid request body: ${where}${issue?.message ?? 'does not match the schema'}`,
        })
      }
      if (err instanceof StoreUnavailableError) {
        req.log.warn({ reason: err.reason }, 'store unavailable')
        const message =
          err.reason === 'full'
            ? 'The server is out of storage space; try again later.'
            : 'The server cannot reach its storage right now; try again in a moment.'
        return send(reply, 503, { error: 'unavailable', message })
      }
      const status = 'statusCode' in err && typeof err.statusCode === 'number' ? err.statusCode : 500
      if (status >= 400 && status < 500) {
        // Fastify's messages for these (bad JSON, wrong content type, body too large) are
        // about the request's shape and never quote its content.
        return send(reply, status, { error: FASTIFY_CODES[status] ?? 'invalid_request', message: err.message })
      }
      req.log.error({ err: { type: err.name, message: err.message, stack: err.stack } }, 'unhandled error')
      return send(reply, 500, { error: 'internal', message: 'Something went wrong on the server.' })
    })

    // Limited like the API: a miss costs the client a request, so probing for paths is slow.
    app.setNotFoundHandler(
      { preHandler: app.rateLimit({ max: notFoundPerMinute, timeWindow: 60_000 }) },
      (_req, reply) => send(reply, 404, { error: 'not_found', message: 'There is nothing at this address.' }),
    )
  },
  { name: 'error-handler', dependencies: ['rate-limit'] },
)

const RAW_HEADERS = [
  'connection: close',
  'content-type: application/json; charset=utf-8',
  'cache-control: no-store',
  'x-content-type-options: nosniff',
  'referrer-policy: no-referrer',
  `content-security-policy: ${Object.entries(CONTENT_SECURITY_POLICY)
    .map(([k, v]) => `${k} ${v.join(' ')}`)
    .join(';')}`,
].join('\r\n')

/**
 * Requests Node's HTTP parser rejects (bad framing, oversized headers) never reach Fastify's
 * routing, so they get the protocol's error body here, written to the socket directly.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400
  const body = JSON.stringify({
    error: 'invalid_request',
    message: 'The HTTP request is malformed.',
  } satisfies ErrorBody)
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${RAW_HEADERS}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}
