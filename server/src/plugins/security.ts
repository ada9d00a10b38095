/**
 * HTTP hardening of protocol.md §11 on every response, pages, assets, API and errors alike.
 *
 * One table, computed once: the hook below sets it on every reply, and the error handler
 * writes the same bytes on the raw socket for requests Node's parser rejects before Fastify
 * sees them. The set is §11's headers plus what helmet sends by default (X-Frame-Options,
 * Origin-Agent-Cluster and four legacy ones); the integration tests pin every value.
 */
import fp from 'fastify-plugin'

const CONTENT_SECURITY_POLICY = {
  'default-src': ["'none'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'manifest-src': ["'self'"],
  'worker-src': ["'self'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
  'object-src': ["'none'"],
}

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': Object.entries(CONTENT_SECURITY_POLICY)
    .map(([directive, sources]) => `${directive} ${sources.join(' ')}`)
    .join(';'),
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-robots-tag': 'noindex, nofollow',
  // frame-ancestors 'none' for browsers that only know the older header.
  'x-frame-options': 'DENY',
  'origin-agent-cluster': '?1',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-permitted-cross-domain-policies': 'none',
  // The old XSS auditors could be abused to blank parts of a page; '0' turns them off.
  'x-xss-protection': '0',
})

/** The table with the no-store that every answer but a hashed asset gets: one call instead of two. */
const NOT_CACHED: Readonly<Record<string, string>> = Object.freeze({ ...SECURITY_HEADERS, 'cache-control': 'no-store' })

export default fp(
  async (app) => {
    // A callback hook, not an async one: it runs on every response, and an async hook costs a
    // promise and its resolution each time.
    app.addHook('onSend', (req, reply, payload, done) => {
      // Hashed assets set their own long cache; everything else (pages, API, errors) must
      // never be cached, so a consumed secret cannot come back from a cache.
      reply.headers(reply.hasHeader('cache-control') ? SECURITY_HEADERS : NOT_CACHED)
      // Only over TLS: HSTS on plain http would pin nothing and confuse operators.
      if (req.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains')
      done(null, payload)
    })
  },
  { name: 'security' },
)
