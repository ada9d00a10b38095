/**
 * The hardening headers of protocol.md §11, pinned exactly, on every kind of response:
 * pages, hashed assets, API successes, API errors, health checks and unknown paths.
 */
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorBody } from '@burnlink/shared'
import { buildApp, BODY_LIMIT, type App } from '../../server/src/app.ts'
import { defaultConfig } from '../../server/src/config.ts'
import { MemoryStore } from '../../server/src/store/memory-store.ts'
import { WEB_DIST } from '../helpers/server.ts'

const CSP =
  "default-src 'none';script-src 'self' 'wasm-unsafe-eval';style-src 'self';img-src 'self' data: blob:;" +
  "connect-src 'self';font-src 'self';manifest-src 'self';worker-src 'self';base-uri 'none';" +
  "form-action 'none';frame-ancestors 'none';object-src 'none'"

const SECURITY_HEADERS = {
  'content-security-policy': CSP,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-robots-tag': 'noindex, nofollow',
  'x-frame-options': 'DENY',
  'origin-agent-cluster': '?1',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
}

describe('security headers', () => {
  let app: App
  let trusting: App
  const store = new MemoryStore({ maxFailedAttempts: 5, statusRetentionSeconds: 60 })
  let asset: string

  beforeAll(async () => {
    asset = /src="(\/assets\/[^"]+\.js)"/.exec(readFileSync(join(WEB_DIST, 'index.html'), 'utf8'))![1]!
    app = await buildApp({ config: defaultConfig({ webRoot: WEB_DIST }), store })
    trusting = await buildApp({ config: defaultConfig({ trustProxy: true }), store })
  })
  afterAll(async () => {
    await app.close()
    await trusting.close()
    await store.close()
  })

  const json = { 'content-type': 'application/json' }
  const cases: Array<
    [string, () => Promise<{ statusCode: number; headers: Record<string, unknown> }>, number, string]
  > = [
    ['the create page', () => app.inject({ url: '/' }), 200, 'no-store'],
    ['the reveal page', () => app.inject({ url: '/s' }), 200, 'no-store'],
    ['the manage page', () => app.inject({ url: '/r' }), 200, 'no-store'],
    ['My links', () => app.inject({ url: '/links' }), 200, 'no-store'],
    ['a hashed asset', () => app.inject({ url: asset }), 200, 'public, max-age=31536000, immutable'],
    ['the limits', () => app.inject({ url: '/api/v1/config' }), 200, 'no-store'],
    ['the OpenAPI document', () => app.inject({ url: '/api/v1/openapi.json' }), 200, 'no-store'],
    ['healthz', () => app.inject({ url: '/healthz' }), 200, 'no-store'],
    [
      'a 400',
      () => app.inject({ method: 'POST', url: '/api/v1/secrets/meta', headers: json, payload: '{}' }),
      400,
      'no-store',
    ],
    [
      'a 404 secret',
      () =>
        app.inject({
          method: 'POST',
          url: '/api/v1/secrets/meta',
          headers: json,
          payload: { sid: 'A'.repeat(22), acc: 'A'.repeat(43) },
        }),
      404,
      'no-store',
    ],
    ['a 404 path', () => app.inject({ url: '/nothing/here' }), 404, 'no-store'],
    [
      'a 413',
      () => app.inject({ method: 'POST', url: '/api/v1/secrets', headers: json, payload: 'x'.repeat(BODY_LIMIT + 1) }),
      413,
      'no-store',
    ],
    [
      'a 415',
      () =>
        app.inject({ method: 'POST', url: '/api/v1/secrets', headers: { 'content-type': 'text/plain' }, payload: 'x' }),
      415,
      'no-store',
    ],
  ]

  it.each(cases)('on %s', async (_name, request, status, cacheControl) => {
    const res = await request()
    expect(res.statusCode).toBe(status)
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers[name], name).toBe(value)
    expect(res.headers['cache-control']).toBe(cacheControl)
    expect(res.headers['strict-transport-security']).toBeUndefined()
    expect(res.headers['x-powered-by']).toBeUndefined()
  })

  // Node's parser rejects these before Fastify sees them; the raw socket must still carry
  // the whole set.
  describe('on requests rejected before routing', () => {
    let port: number
    beforeAll(async () => {
      await app.listen({ port: 0, host: '127.0.0.1' })
      port = (app.server.address() as { port: number }).port
    })

    /** Sends raw bytes and reads the answer up to the server closing the socket. */
    function exchange(request: string): Promise<string> {
      return new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(request))
        let answer = ''
        socket.setEncoding('latin1')
        socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')))
        socket.on('data', (chunk: string) => (answer += chunk))
        socket.on('error', reject)
        socket.on('close', () => resolve(answer))
      })
    }

    it.each([
      ['a malformed request line', 'NOT HTTP AT ALL\r\n\r\n', 400],
      ['oversized headers', `GET / HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ])('on %s', async (_name, request, status) => {
      const answer = await exchange(request)
      const [head = '', body = ''] = answer.split('\r\n\r\n')
      const [statusLine, ...lines] = head.split('\r\n')
      expect(statusLine).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `))
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      )
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(headers[name], name).toBe(value)
      expect(headers['cache-control']).toBe('no-store')
      expect(headers['content-type']).toBe('application/json; charset=utf-8')
      expect(Number(headers['content-length'])).toBe(Buffer.byteLength(body))
      expect(ErrorBody.parse(JSON.parse(body)).error).toBe('invalid_request')
    })
  })

  it('adds HSTS only when the request came over TLS', async () => {
    const viaTls = await trusting.inject({ url: '/healthz', headers: { 'x-forwarded-proto': 'https' } })
    expect(viaTls.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains')
    const plain = await trusting.inject({ url: '/healthz' })
    expect(plain.headers['strict-transport-security']).toBeUndefined()
  })
})
