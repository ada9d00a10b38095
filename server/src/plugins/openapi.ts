/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests,
 * served at /api/v1/openapi.json. Registered before the routes so it sees all of them.
 */
import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import { jsonSchemaTransform } from '@fastify/type-provider-zod'

export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'burnlink API',
          version: '1.0.0',
          description:
            'Zero-knowledge one-time secrets (wire protocol v1, docs/protocol.md). Clients derive every id ' +
            'and token from the link key; ids and tokens travel only in JSON bodies, never in URLs. ' +
            'Errors are always {error, message}.',
        },
      },
      transform: jsonSchemaTransform,
    })
    app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  },
  { name: 'openapi' },
)
