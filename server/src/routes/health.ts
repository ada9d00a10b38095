/**
 * Liveness and readiness for orchestrators: /healthz says the process answers, /readyz
 * says the store and the blob store answer too and the process is not shutting down, so a
 * load balancer stops sending traffic while Redis or the bucket is down or while this
 * instance drains.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { BlobStore } from '../blobs/blob-store.ts'
import { apiError } from '../errors.ts'
import type { Store } from '../store/store.ts'

const healthRoutes: FastifyPluginAsync<{ store: Store; blobs: BlobStore }> = async (app, { store, blobs }) => {
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async () => {
    if (app.draining) throw apiError('draining')
    await Promise.all([store.ping(), blobs.ping()])
    return { status: 'ready' }
  })
}

export default healthRoutes
