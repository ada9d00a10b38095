/**
 * Liveness and readiness for orchestrators: /healthz says the process answers, /readyz
 * says the store answers too and the process is not shutting down, so a load balancer
 * stops sending traffic while Redis is down or while this instance drains.
 */
import type { FastifyPluginAsync } from 'fastify'
import { apiError } from '../errors.ts'
import type { Store } from '../store/store.ts'

const healthRoutes: FastifyPluginAsync<{ store: Store }> = async (app, { store }) => {
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async () => {
    if (app.draining) throw apiError('draining')
    await store.ping()
    return { status: 'ready' }
  })
}

export default healthRoutes
