/**
 * The Prometheus metrics (issue 18): served on their own listener only, counting a whole
 * session exactly, and never carrying anything a client sent: after creates, reveals, wrong
 * passphrases, burns, 404s, 400s and unknown paths full of random ids, every label value of
 * the scrape is checked against a fixed set, and none of the session's ids, tokens, paths,
 * user agent or address appears anywhere in it.
 */
import { existsSync } from 'node:fs'
import { getHeapSpaceStatistics } from 'node:v8'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { BurnReason, SID_BYTES, TOKEN_BYTES, decodeB64u, encodeB64u, randomBytes, unlockSecret } from '@burnlink/shared'
import { buildApp, type App } from '../../server/src/app.ts'
import { ConfigError, defaultConfig, loadConfig } from '../../server/src/config.ts'
import { listenMetrics } from '../../server/src/metrics/listener.ts'
import { Metrics } from '../../server/src/metrics/metrics.ts'
import { MEMORY_STORE_BUDGET } from '../../server/src/plugins/budgets.ts'
import { MemoryStore } from '../../server/src/store/memory-store.ts'
import { createRedisClient } from '../../server/src/store/redis-client.ts'
import { RedisStore } from '../../server/src/store/redis-store.ts'
import type { Store } from '../../server/src/store/store.ts'
import { waitFor } from '../helpers/load.ts'
import { silentLogger } from '../helpers/logger.ts'
import { startRedisServer } from '../helpers/redis.ts'
import { newSeed } from '../helpers/seeds.ts'
import { WEB_DIST } from '../helpers/server.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

const config = defaultConfig({
  maxFailedAttempts: 3,
  rateLimit: { createPerMinute: 10_000, readPerMinute: 10_000, ipv6Prefix: 64 },
  webRoot: existsSync(WEB_DIST) ? WEB_DIST : undefined,
})
const OPTIONS = { maxFailedAttempts: config.maxFailedAttempts, statusRetentionSeconds: 600 }

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** The Prometheus text format, as far as a scrape of prom-client needs. */
function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
      if (!m) throw new Error(`not a sample line: ${line}`)
      const labels: Record<string, string> = {}
      for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!
      return { name: m[1]!, labels, value: Number(m[3]) }
    })
}

/** The one sample of `name` whose labels include `labels`; 0 when there is none (a counter never moved). */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`)
  return found[0]?.value ?? 0
}

async function instance(store: Store, withWeb = true) {
  const metrics = new Metrics()
  const app = await buildApp({ config: withWeb ? config : { ...config, webRoot: undefined }, store, metrics })
  await app.ready()
  const listener = await listenMetrics(metrics, { host: '127.0.0.1', port: 0 }, silentLogger)
  const scrapeUrl = `http://127.0.0.1:${listener.port}/metrics`
  return {
    app,
    listener,
    scrapeUrl,
    async scrape() {
      const res = await fetch(scrapeUrl)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
      const text = await res.text()
      return { text, samples: parse(text) }
    },
    async close() {
      await listener.close()
      await app.close()
      await store.close()
    },
  }
}
type Instance = Awaited<ReturnType<typeof instance>>

/** A secret ready to create, with everything its holders send. */
async function newSecret() {
  const { prepared, k, access } = await newSeed({ text: 'hunter2', maxViews: 1, ttl: 600 })
  const { rev } = await unlockSecret({ k, hdr: prepared.request.hdr })
  return { ...prepared, access, rev }
}

const randomId = () => encodeB64u(randomBytes(SID_BYTES))
const randomToken = () => encodeB64u(randomBytes(TOKEN_BYTES))

describe('metrics after a whole session, on the Redis store', () => {
  let server: Instance
  let app: App
  let afterSession: Awaited<ReturnType<Instance['scrape']>>
  let storedBytes = 0
  /** Everything of the session that must never reach a scrape. */
  const sent: string[] = []
  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: `/api/v1/secrets${url}`, payload: payload as object, headers })
  const userAgent = `curl/8.0 agent-${randomId()}`
  const address = `203.0.113.${1 + Math.floor(Math.random() * 254)}`

  beforeAll(async () => {
    const store = new RedisStore(createRedisClient(workerRedisUrl(), silentLogger), OPTIONS)
    server = await instance(store)
    app = server.app
    sent.push(userAgent, address)

    const [a, b, c, d] = await Promise.all([newSecret(), newSecret(), newSecret(), newSecret()])
    for (const s of [a, b, c, d]) {
      storedBytes += decodeB64u(s.request.hdr).length + decodeB64u(s.request.ct).length
      sent.push(s.sid, s.access.acc, s.rev, s.mt, s.request.ct.slice(0, 40))
      expect((await post('', s.request, { 'user-agent': userAgent, 'x-forwarded-for': address })).statusCode).toBe(201)
    }
    const expectStatus = async (status: number, reply: Promise<{ statusCode: number }>) =>
      expect((await reply).statusCode).toBe(status)

    await expectStatus(200, post('/meta', a!.access))
    await expectStatus(200, post('/reveal', { ...a!.access, rev: a!.rev }))
    await expectStatus(410, post('/reveal', { ...a!.access, rev: a!.rev }))
    await expectStatus(409, post('', a!.request))
    // Three wrong passphrases: the third burns b.
    for (let i = 0; i < 3; i++) await expectStatus(401, post('/reveal', { ...b!.access, rev: randomToken() }))
    await expectStatus(410, post('/reveal', { ...b!.access, rev: b!.rev }))
    await expectStatus(200, post('/burn', { sid: c!.sid, mt: c!.mt }))
    await expectStatus(200, post('/burn', d!.access))
    await expectStatus(410, post('/burn', d!.access))
    await expectStatus(200, post('/status', { sid: a!.sid, mt: a!.mt }))

    const unknownSid = randomId()
    sent.push(unknownSid)
    await expectStatus(404, post('/meta', { sid: unknownSid, acc: randomToken() }))
    await expectStatus(404, post('/status', { sid: unknownSid, mt: randomToken() }))
    await expectStatus(400, post('/reveal', { sid: unknownSid, acc: 'not base64url!' }))
    await expectStatus(400, post('', { sid: unknownSid }))
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/v1/secrets/reveal',
          payload: unknownSid,
          headers: { 'content-type': 'text/plain' },
        })
      ).statusCode,
    ).toBe(415)

    // Paths nothing serves, full of ids and tokens: none may become a label.
    for (const id of [randomId(), randomId(), randomId()]) {
      sent.push(id)
      for (const url of [
        `/api/v1/secrets/${id}`,
        `/s/${id}`,
        `/${id}?token=${id}`,
        `/assets/${id}.js`,
        `/api/v1/${id}/reveal`,
      ]) {
        await expectStatus(404, app.inject({ method: 'GET', url, headers: { 'user-agent': userAgent } }))
      }
      await expectStatus(404, app.inject({ method: 'DELETE', url: `/api/v1/secrets/${id}` }))
      const odd = await app.inject({ method: 'PROPFIND', url: `/${id}` })
      expect(odd.statusCode).toBeGreaterThanOrEqual(400)
    }
    const pages = config.webRoot ? ['/'] : []
    for (const url of ['/healthz', '/readyz', '/api/v1/config', ...pages]) {
      expect((await app.inject(url)).statusCode).toBe(200)
    }
    await expectStatus(200, app.inject({ method: 'HEAD', url: '/healthz' }))
    afterSession = await server.scrape()
  })
  afterAll(() => server?.close())

  it('is never served on the public port', async () => {
    for (const url of ['/metrics', '/metrics/', '/api/metrics', '/api/v1/metrics']) {
      const res = await app.inject(url)
      expect(res.statusCode, url).toBe(404)
      expect(res.body).not.toMatch(/burnlink_|# HELP/)
    }
  })

  it('answers only GET /metrics on its own listener', async () => {
    const base = server.scrapeUrl.replace(/\/metrics$/, '')
    expect((await fetch(`${base}/`)).status).toBe(404)
    expect((await fetch(`${base}/api/v1/secrets`, { method: 'POST' })).status).toBe(404)
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(404)
    expect((await fetch(`${base}/metrics?name[]=burnlink_store_up`)).status).toBe(200)
  })

  it('counts the lifecycle, the store calls and the HTTP answers exactly', () => {
    const { samples } = afterSession
    expect(valueOf(samples, 'burnlink_secrets_created_total')).toBe(4)
    expect(valueOf(samples, 'burnlink_secrets_revealed_total')).toBe(1)
    expect(valueOf(samples, 'burnlink_wrong_passphrases_total')).toBe(3)
    expect(valueOf(samples, 'burnlink_secrets_burned_total', { reason: 'creator' })).toBe(1)
    expect(valueOf(samples, 'burnlink_secrets_burned_total', { reason: 'recipient' })).toBe(1)
    expect(valueOf(samples, 'burnlink_secrets_burned_total', { reason: 'attempts' })).toBe(1)
    expect(valueOf(samples, 'burnlink_secrets_created_bytes_total')).toBe(storedBytes)

    // Four creates and the refused repeat reach the store; the malformed ones never do.
    expect(valueOf(samples, 'burnlink_store_operation_duration_seconds_count', { operation: 'create' })).toBe(5)
    expect(valueOf(samples, 'burnlink_store_operation_duration_seconds_count', { operation: 'reveal' })).toBe(6)
    expect(samples.filter((s) => s.name === 'burnlink_store_errors_total')).toEqual([])
    expect(valueOf(samples, 'burnlink_store_up')).toBe(1)
    expect(valueOf(samples, 'burnlink_blob_store_up')).toBe(1)

    const requests = (labels: Record<string, string>) => valueOf(samples, 'burnlink_http_requests_total', labels)
    expect(requests({ method: 'POST', route: '/api/v1/secrets', status_class: '2xx' })).toBe(4)
    expect(requests({ method: 'POST', route: '/api/v1/secrets', status_class: '4xx' })).toBe(2)
    expect(requests({ method: 'POST', route: '/api/v1/secrets/reveal', status_class: '4xx' })).toBe(7)
    expect(requests({ method: 'POST', route: '/api/v1/secrets/burn', status_class: '2xx' })).toBe(2)
    expect(requests({ method: 'HEAD', route: '/healthz', status_class: '2xx' })).toBe(1)
    expect(valueOf(samples, 'burnlink_http_request_duration_seconds_count', { method: 'GET', route: '/readyz' })).toBe(
      1,
    )
    // The unknown paths are all there, each as unmatched or under the static files' template.
    const unmatched = valueOf(samples, 'burnlink_http_requests_total', {
      method: 'GET',
      route: 'unmatched',
      status_class: '4xx',
    })
    const staticMisses = valueOf(samples, 'burnlink_http_requests_total', {
      method: 'GET',
      route: '/*',
      status_class: '4xx',
    })
    expect(unmatched + staticMisses).toBe(15)
  })

  it('has label values from fixed sets only, and nothing the clients sent', async () => {
    const { text, samples } = await server.scrape()
    for (const value of sent) expect(text, 'a scrape quotes what a client sent').not.toContain(value)

    const heapSpaces = getHeapSpaceStatistics().map((s) => s.space_name)
    const [major, minor, patch] = process.version.slice(1).split('.')
    const oneOf =
      (...values: string[]) =>
      (v: string) =>
        values.includes(v)
    const allowed: Record<string, (value: string, sample: Sample) => boolean> = {
      method: oneOf('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'other'),
      route: (v, s) => v === 'unmatched' || app.hasRoute({ method: s.labels.method as 'GET', url: v }),
      status_class: oneOf('1xx', '2xx', '3xx', '4xx', '5xx'),
      operation: oneOf('create', 'meta', 'reveal', 'ack', 'status', 'burn', 'ping'),
      reason: (v, s) =>
        s.name === 'burnlink_secrets_burned_total'
          ? BurnReason.options.includes(v as BurnReason)
          : oneOf('unreachable', 'full', 'error')(v),
      measure: oneOf('used', 'budget'),
      le: (v) => v === '+Inf' || Number.isFinite(Number(v)),
      // Node's own process metrics.
      version: oneOf(process.version),
      major: oneOf(major!),
      minor: oneOf(minor!),
      patch: oneOf(patch!),
      space: (v) => heapSpaces.includes(`${v}_space`) || heapSpaces.includes(v),
      kind: oneOf('major', 'minor', 'incremental', 'weakcb'),
      type: (v) => /^[A-Z][A-Za-z]*$/.test(v),
    }
    expect(samples.length).toBeGreaterThan(50)
    for (const sample of samples) {
      expect(sample.name).toMatch(/^(burnlink|nodejs|process)_/)
      for (const [label, value] of Object.entries(sample.labels)) {
        expect(allowed[label], `label ${label} of ${sample.name} has no fixed set`).toBeDefined()
        expect(allowed[label]!(value, sample), `${sample.name}{${label}="${value}"}`).toBe(true)
      }
    }
  })
})

describe('metrics of the store', () => {
  let server: Instance | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  it('show Redis going down (up 0, errors by reason, 5xx) and coming back', async () => {
    const redis = await startRedisServer()
    try {
      server = await instance(new RedisStore(createRedisClient(redis.url, silentLogger), OPTIONS), false)
      const create = async () =>
        (await server!.app.inject({ method: 'POST', url: '/api/v1/secrets', payload: (await newSecret()).request }))
          .statusCode
      expect(await create()).toBe(201)
      expect(valueOf((await server.scrape()).samples, 'burnlink_store_up')).toBe(1)

      await redis.kill()
      expect(await create()).toBe(503)
      const { samples } = await server.scrape()
      expect(valueOf(samples, 'burnlink_store_up')).toBe(0)
      expect(valueOf(samples, 'burnlink_store_errors_total', { operation: 'create', reason: 'unreachable' })).toBe(1)
      expect(
        valueOf(samples, 'burnlink_http_requests_total', {
          method: 'POST',
          route: '/api/v1/secrets',
          status_class: '5xx',
        }),
      ).toBe(1)

      await redis.restart()
      await waitFor(async () => valueOf((await server!.scrape()).samples, 'burnlink_store_up') === 1, 10_000, 200)
    } finally {
      await redis.stop()
    }
  })

  it('show the stored bytes against the storage budget', async () => {
    const store = new MemoryStore(OPTIONS)
    server = await instance(store, false)
    for (let i = 0; i < 3; i++) {
      const res = await server.app.inject({
        method: 'POST',
        url: '/api/v1/secrets',
        payload: (await newSecret()).request,
      })
      expect(res.statusCode).toBe(201)
    }
    // The budget is sampled every second, never per request.
    await waitFor(
      async () => valueOf((await server!.scrape()).samples, 'burnlink_storage_bytes', { measure: 'used' }) > 0,
      5_000,
      100,
    )
    const { samples } = await server.scrape()
    expect(valueOf(samples, 'burnlink_storage_bytes', { measure: 'used' })).toBe(store.storedBytes())
    expect(valueOf(samples, 'burnlink_storage_bytes', { measure: 'budget' })).toBe(MEMORY_STORE_BUDGET)
  })
})

describe('metrics settings', () => {
  it('are off unless METRICS_PORT is set, on loopback by default', () => {
    expect(loadConfig({}).metrics).toBeUndefined()
    expect(loadConfig({ METRICS_PORT: '9464' }).metrics).toEqual({ port: 9464, host: '127.0.0.1' })
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '10.0.0.5' }).metrics).toEqual({
      port: 9464,
      host: '10.0.0.5',
    })
  })

  it('never share the public port', () => {
    expect(() => loadConfig({ PORT: '3000', METRICS_PORT: '3000' })).toThrow(ConfigError)
    expect(() => loadConfig({ METRICS_PORT: '3000' })).toThrow(/METRICS_PORT="3000": must differ from PORT/)
  })
})
