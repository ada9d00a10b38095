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
    app.addHook('onSend', async (_req, reply) => {
      if (draining) reply.header('connection', 'close')
    })
  },
  { name: 'shutdown' },
)
