/**
 * The per-minute summary at `info` (server/src/plugins/request-log.ts): responses counted by
 * method, route template and status, requests no route matched under `(unmatched)`, and
 * no line per request unless the level is `debug`.
 */
import { Writable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../../server/src/app.ts'
import { defaultConfig } from '../../server/src/config.ts'
import { MemoryStore } from '../../server/src/store/memory-store.ts'

async function logLines(level: 'info' | 'debug') {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>)
      done()
    },
  })
  const store = new MemoryStore({ maxFailedAttempts: 5, statusRetentionSeconds: 60 })
  const app = await buildApp({ config: defaultConfig(), store, logger: pino({ level }, sink) })
  const meta = (body: Record<string, string>) =>
    app.inject({ method: 'POST', url: '/api/v1/secrets/meta', payload: body })
  await meta({ sid: 'not a sid' })
  await meta({ sid: 'not a sid' })
  await app.inject({ method: 'GET', url: '/api/v1/config' })
  await app.inject({ method: 'GET', url: '/no/such/path?secret=1' })
  await app.close()
  return lines
}

describe('request log', () => {
  it('sums the responses by route and status when the app closes, with no line per request at info', async () => {
    const lines = await logLines('info')
    const summaries = lines.filter((l) => l.msg === 'requests')
    expect(summaries).toHaveLength(1)
    expect(summaries[0]?.responses).toEqual({
      'POST /api/v1/secrets/meta': { 400: 2 },
      'GET /api/v1/config': { 200: 1 },
      'GET (unmatched)': { 404: 1 },
    })
    expect(lines.filter((l) => l.msg === 'request')).toEqual([])
    expect(JSON.stringify(lines)).not.toContain('secret=1')
  })

  it('writes one line per request at debug, with its route template and no path', async () => {
    const lines = await logLines('debug')
    const perRequest = lines.filter((l) => l.msg === 'request')
    expect(perRequest.map((l) => [l.method, l.route, l.status])).toEqual([
      ['POST', '/api/v1/secrets/meta', 400],
      ['POST', '/api/v1/secrets/meta', 400],
      ['GET', '/api/v1/config', 200],
      ['GET', '(unmatched)', 404],
    ])
    expect(new Set(perRequest.map((l) => l.reqId)).size).toBe(4)
    expect(JSON.stringify(lines)).not.toContain('secret=1')
  })
})
