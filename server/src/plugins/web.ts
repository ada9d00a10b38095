/**
 * Serves the built SPA. Page routes return the same index.html and never touch the store:
 * opening a link must not consume it (link previewers and mail scanners fetch pages).
 * Vite fingerprints everything under assets/, so those files can be cached for a year.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyPluginAsync } from 'fastify'
import fastifyStatic from '@fastify/static'
import { PAGE_PATHS } from '@burnlink/shared'

const webPlugin: FastifyPluginAsync<{ root: string }> = async (app, { root }) => {
  const index = await readFile(join(root, 'index.html'))
  await app.register(fastifyStatic, {
    root,
    index: false,
    cacheControl: false,
    setHeaders(res, filePath) {
      if (filePath.includes(`${join(root, 'assets')}`))
        res.setHeader('cache-control', 'public, max-age=31536000, immutable')
    },
  })
  for (const url of Object.values(PAGE_PATHS))
    app.get(url, (_req, reply) => reply.type('text/html; charset=utf-8').send(index))
}

export default webPlugin
