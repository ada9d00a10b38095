/**
 * The baseline the bench compares burnlink against: a bare Fastify app, no logging, no
 * validation, one Redis command per request, with request and response bodies of the same
 * shape and size as burnlink's. The ratio burnlink/baseline is then what burnlink's own
 * work costs (schemas, hashing, Lua, logging, headers), not what HTTP, JSON or Redis cost.
 * Runs as its own process, like the burnlink server; `main.ts` starts it.
 */
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import { baselineKeys } from './workloads.ts'

interface CreateBody {
  key: string
  value: string
  ttl: number
}
interface ReadBody {
  key: string
  token: string
}

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
const app = Fastify({ logger: false })

app.get('/healthz', async () => ({ status: 'ok' }))

app.post<{ Body: CreateBody }>('/create', async (req, reply) => {
  const { key, value, ttl } = req.body
  await redis.set(baselineKeys(key).value, Buffer.from(value, 'base64url'), 'EX', ttl)
  return reply.code(201).send({ sid: key, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() })
})

// burnlink's meta reads a small record without consuming anything: one GET of a small value.
app.post<{ Body: ReadBody }>('/meta', async (req, reply) => {
  const record = await redis.get(baselineKeys(req.body.key).meta)
  if (record === null) return reply.code(404).send({ error: 'not_found', message: 'no such key' })
  return reply.type('application/json').send(record)
})

app.post<{ Body: ReadBody }>('/reveal', async (req, reply) => {
  const value = await redis.getdelBuffer(baselineKeys(req.body.key).value)
  if (value === null) return reply.code(404).send({ error: 'not_found', message: 'no such key' })
  return { ct: value.toString('base64url'), viewsLeft: 0 }
})

await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' })
process.once('SIGTERM', () => void app.close().then(() => redis.quit()))
