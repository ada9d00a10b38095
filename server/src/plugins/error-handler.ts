/**
 * The one path from a thrown error to a response: `{ error, message }` JSON with a 4xx for
 * anything the client can fix, 503 when the store is unavailable, and a bare 500 for bugs
 * (logged, never echoed). Nothing from the request body reaches a log line.
 */
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from '@fastify/type-provider-zod'
import { AppError, apiError, frameworkError } from '../errors.ts'
import { StoreUnavailableError } from '../store/store.ts'
import { SECURITY_HEADERS } from './security.ts'

const send = (reply: FastifyReply, { statusCode, body }: AppError) =>
  reply.code(statusCode).type('application/json').send(body)

export interface ErrorHandlerOptions {
  notFoundPerMinute: number
  /** Answers the unknown addresses a browser visits with a page (web.ts); undefined for the JSON 404. */
  notFoundPage?: (req: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined
}

export default fp<ErrorHandlerOptions>(
  async (app, { notFoundPerMinute, notFoundPage }) => {
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
      (req, reply) => notFoundPage?.(req, reply) ?? send(reply, apiError('noSuchPath')),
    )
  },
  { name: 'error-handler', dependencies: ['rate-limit'] },
)

/** The whole answer to a request Node's HTTP server rejects, built once per kind. */
function rawResponse(kind: 'malformedHttp' | 'headersTooLarge' | 'requestTimeout'): string {
  const { statusCode, body } = apiError(kind)
  const json = JSON.stringify(body)
  const headers = {
    connection: 'close',
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...SECURITY_HEADERS,
    'content-length': String(Buffer.byteLength(json)),
  }
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`)
  return `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\n${lines.join('')}\r\n${json}`
}

const RAW_RESPONSES: Partial<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: rawResponse('headersTooLarge'),
  // Node's headersTimeout and requestTimeout: the client was too slow.
  ERR_HTTP_REQUEST_TIMEOUT: rawResponse('requestTimeout'),
}
const MALFORMED = rawResponse('malformedHttp')

/**
 * Requests Node's HTTP server rejects (bad framing, oversized headers, too slow) never
 * reach Fastify's routing, so they get the protocol's error body and headers here, written
 * to the socket directly. A socket already carrying a response (to an earlier pipelined
 * request) is only closed: writing into it would corrupt that response.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent: boolean } })._httpMessage
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy()
    return
  }
  // Closed once written, not just half-closed: the client has no more turns on this socket.
  socket.end(RAW_RESPONSES[err.code ?? ''] ?? MALFORMED, () => socket.destroy())
}
