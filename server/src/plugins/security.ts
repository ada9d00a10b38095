/**
 * HTTP hardening of protocol.md §11 on every response, pages, assets, API and errors alike.
 * The CSP is the exact policy of the protocol; helmet's defaults are replaced, not merged,
 * so nothing looser slips in.
 */
import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'

export const CONTENT_SECURITY_POLICY = {
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

export default fp(
  async (app) => {
    await app.register(helmet, {
      contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
      referrerPolicy: { policy: 'no-referrer' },
      crossOriginOpenerPolicy: { policy: 'same-origin' },
      crossOriginResourcePolicy: { policy: 'same-origin' },
      // Matches frame-ancestors 'none' for browsers that only know the older header.
      frameguard: { action: 'deny' },
      // Sent below, only over TLS: HSTS on plain http would pin nothing and confuse operators.
      strictTransportSecurity: false,
    })
    app.addHook('onSend', async (req, reply) => {
      reply.header('x-robots-tag', 'noindex, nofollow')
      // Hashed assets set their own long cache; everything else (pages, API, errors) must
      // never be cached, so a consumed secret cannot come back from a cache.
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
      if (req.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains')
    })
  },
  { name: 'security' },
)
