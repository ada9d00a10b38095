/**
 * Liveness and readiness for orchestrators: /healthz says the process answers, /readyz
 * says the store answers too, so a load balancer stops sending traffic while Redis is down.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { Store } from '../store/store.ts'

const healthRoutes: FastifyPluginAsync<{ store: Store }> = async (app, { store }) => {
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async () => {
    await store.ping()
    return { status: 'ready' }
  })
}

export default healthRoutes
