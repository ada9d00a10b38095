/**
 * Graceful shutdown in two steps. `drain()` first: /readyz turns 503 so load balancers
 * stop sending traffic, every response asks its client to close the connection (an idle
 * keep-alive socket would otherwise hold the close open), and the listener keeps accepting
 * what is already on its way. Then `app.close()` stops listening and waits for in-flight
 * requests.
 */
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    drain(): void
    readonly draining: boolean
  }
}

export default fp(
  async (app) => {
    let draining = false
    app.decorate('drain', () => {
      draining = true
    })
    app.decorate('draining', { getter: () => draining })
    app.addHook('preClose', async () => {
      draining = true
    })
    // A callback hook: it runs on every response, and an async one costs a promise each time.
    app.addHook('onSend', (_req, reply, payload, done) => {
      if (draining) reply.header('connection', 'close')
      done(null, payload)
    })
  },
  { name: 'shutdown' },
)
