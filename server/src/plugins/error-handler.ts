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
import { AppError, apiError, frameworkError, type ApiErrorKind } from '../errors.ts'
import { StoreUnavailableError } from '../store/store.ts'
import { CONTENT_SECURITY_POLICY } from './security.ts'

const send = (reply: FastifyReply, { statusCode, body }: AppError) =>
  reply.code(statusCode).type('application/json').send(body)

export default fp<{ notFoundPerMinute: number }>(
  async (app, { notFoundPerMinute }) => {
    app.setErrorHandler((err: FastifyError | Error, req, reply) => {
      if (err instanceof AppError) return send(reply, err)
      if (hasZodFastifySchemaValidationErrors(err)) {
        const issue = err.validation[0]
        const where = issue?.instancePath ? `${issue.instancePath.slice(1).replaceAll('/', '.')}: ` : ''
        return send(
          reply,
          apiError('invalidRequest', `Invalid request body: ${where}${issue?.message ?? 'does not match the schema'}`),
        )
      }
      if (err instanceof StoreUnavailableError) {
        req.log.warn({ reason: err.reason }, 'store unavailable')
        return send(reply, apiError(err.reason === 'full' ? 'storageFull' : 'storageUnreachable'))
      }
      const status = 'statusCode' in err && typeof err.statusCode === 'number' ? err.statusCode : 500
      if (status >= 400 && status < 500) return send(reply, frameworkError(status, err.message))
      req.log.error({ err: { type: err.name, message: err.message, stack: err.stack } }, 'unhandled error')
      return send(reply, apiError('internal'))
    })

    // Limited like the API: a miss costs the client a request, so probing for paths is slow.
    app.setNotFoundHandler(
      { preHandler: app.rateLimit({ max: notFoundPerMinute, timeWindow: 60_000 }) },
      (_req, reply) => send(reply, apiError('noSuchPath')),
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
  const kind: ApiErrorKind = err.code === 'HPE_HEADER_OVERFLOW' ? 'headersTooLarge' : 'malformedHttp'
  const { statusCode, body } = apiError(kind)
  const json = JSON.stringify(body)
  socket.end(
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\n${RAW_HEADERS}\r\ncontent-length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
  )
}
