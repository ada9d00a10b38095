/**
 * The server's limits, so clients can bound their forms and options instead of learning
 * them from a 400. Public, cacheable information; no secret state. The web pages carry the
 * same object (plugins/web.ts), so the app has them without a request of its own.
 */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod'
import { ServerLimits } from '@burnlink/shared'
import type { Config } from '../config.ts'

export function serverLimits(config: Config): ServerLimits {
  return {
    maxTtlSeconds: config.maxTtlSeconds,
    maxViews: config.maxViews,
    maxFailedAttempts: config.maxFailedAttempts,
    allowHttpRedirects: config.allowHttpRedirects,
    claimRetrySeconds: config.claimRetrySeconds,
    maxFileBytes: config.files.maxBytes,
    maxFiles: config.files.maxFiles,
    downloadWindowSeconds: config.files.downloadWindowSeconds,
  }
}

const limitsRoutes: FastifyPluginAsyncZod<{ config: Config }> = async (app, { config }) => {
  const body = serverLimits(config)
  app.get('/config', { schema: { response: { 200: ServerLimits } } }, async () => body)
}

export default limitsRoutes
