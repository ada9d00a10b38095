/**
 * The file-transfer baseline (issue 12): a bare Fastify app moving chunks to and from the
 * same blob store burnlink would use (server/src/blobs/, chosen by BLOB_STORE as the server
 * chooses it), with no secret, token, claim, limit, log or header work. Bodies stream
 * through as they do in burnlink's chunk routes. Runs as its own process; files-transfer.ts
 * starts it.
 */
import type { Readable } from 'node:stream'
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import { newBlobRef, type BlobStore } from '../server/src/blobs/blob-store.ts'
import { MemoryBlobStore } from '../server/src/blobs/memory-blobs.ts'
import { RedisBlobStore } from '../server/src/blobs/redis-blobs.ts'
import { S3BlobStore } from '../server/src/blobs/s3-blobs.ts'

const env = process.env
function openBlobs(): BlobStore {
  if (env.BLOB_STORE === 'redis') return new RedisBlobStore(new Redis(env.REDIS_URL!))
  if (env.BLOB_STORE === 's3') {
    return new S3BlobStore(
      {
        endpoint: env.S3_ENDPOINT!,
        bucket: env.S3_BUCKET!,
        region: env.S3_REGION!,
        forcePathStyle: true,
        credentials: { accessKeyId: env.S3_ACCESS_KEY_ID!, secretAccessKey: env.S3_SECRET_ACCESS_KEY! },
      },
      { debug: () => {} },
    )
  }
  return new MemoryBlobStore()
}

const blobs = openBlobs()
const ref = newBlobRef('files-baseline')
const HOUR_MS = 3_600_000

const app = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024 })
app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload))

app.get('/healthz', async () => ({ status: 'ok' }))

app.post<{ Body: Readable }>('/chunk', async (req, reply) => {
  const [file, chunk] = [Number(req.headers['x-file']), Number(req.headers['x-chunk'])]
  const size = Number(req.headers['content-length'])
  await blobs.put(ref, file, chunk, req.body, { size, expiresAt: Date.now() + HOUR_MS })
  return reply.code(204).send()
})

app.post<{ Body: { file: number; chunk: number } }>('/chunk/read', async (req, reply) => {
  const stream = await blobs.get(ref, req.body.file, req.body.chunk)
  if (!stream) return reply.code(404).send({ error: 'not_found', message: 'no such chunk' })
  return reply.type('application/octet-stream').send(stream)
})

app.post<{ Body: { layout: number[] } }>('/reset', async (req, reply) => {
  await blobs.deleteAll(ref, req.body.layout)
  return reply.code(204).send()
})

await app.listen({ port: Number(env.PORT ?? 0), host: '127.0.0.1' })
// A Redis blob store's client would keep the process alive after close: exit once closed.
process.once('SIGTERM', () => void app.close().then(() => blobs.close().finally(() => process.exit(0))))
