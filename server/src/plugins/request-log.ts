/**
 * One log line per response with method, route template, status and latency, and nothing
 * else: no URL (it could carry whatever a client put there), no headers, no body.
 */
import fp from 'fastify-plugin'

export default fp(
  async (app) => {
    app.addHook('onResponse', async (req, reply) => {
      req.log.info(
        { method: req.method, route: req.routeOptions.url ?? '(unmatched)', status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
        'request',
      )
    })
  },
  { name: 'request-log' },
)
