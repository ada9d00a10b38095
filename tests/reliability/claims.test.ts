/**
 * Issue 11 §1 against the built server process and a Redis this test stops with SIGSTOP:
 * a reveal whose answer a stall swallowed is delivered afterwards to the same claimant and
 * to nobody else, and a request that meets a stalled Redis answers 503 within about a second.
 */
import { request as httpRequest } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decryptSecret, encodeB64u, randomBytes, unlockSecret } from '@burnlink/shared'
import { NO_RATE_LIMITS, parseJson, postJson, waitFor, type Outcome } from '../helpers/load.ts'
import { startRedisServer, type RedisServer } from '../helpers/redis.ts'
import { createSeed, newSeed, type Seed } from '../helpers/seeds.ts'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts'

const SECRETS = '/api/v1/secrets'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * A POST whose headers and first half go now and whose rest goes on `finish()`: the rate
 * limiter runs on the headers, the handler (and its store call) only on the whole body.
 */
function heldPost(baseUrl: string, path: string, body: unknown) {
  const text = JSON.stringify(body)
  const req = httpRequest(`${baseUrl}${path}`, {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
  })
  let finishedAt = 0
  const response = new Promise<Outcome>((resolve) => {
    req.on('error', (err) => resolve({ status: 0, body: undefined, error: err.message, start: finishedAt, end: 0 }))
    req.on('response', (res) => {
      let answer = ''
      res
        .setEncoding('utf8')
        .on('data', (d: string) => (answer += d))
        .on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: parseJson(answer), start: finishedAt, end: performance.now() }),
        )
    })
  })
  const half = Math.floor(text.length / 2)
  const flushed = new Promise<void>((resolve) => req.write(text.slice(0, half), () => resolve()))
  return {
    flushed,
    response,
    finish: () => {
      finishedAt = performance.now()
      req.end(text.slice(half))
    },
  }
}

describe('Redis stalled with SIGSTOP', () => {
  let redis: RedisServer
  let server: ServerProcess
  const stall = () => redis.stall()
  const resume = () => redis.resume()

  beforeAll(async () => {
    redis = await startRedisServer()
    server = await startServerProcess({ REDIS_URL: redis.url, ...NO_RATE_LIMITS })
  })
  afterAll(async () => {
    await server?.stop()
    await redis?.stop()
  })

  const revealOf = async (seed: Seed) => ({
    ...seed.access,
    rev: (await unlockSecret({ k: seed.k, hdr: seed.prepared.request.hdr })).rev,
  })

  it('delivers a reveal that a stall swallowed to the same claimant afterwards, and to nobody else', async () => {
    const seed = await createSeed(server.url, { text: 'the one copy', maxViews: 1 })
    const body = await revealOf(seed)
    const claim = encodeB64u(randomBytes(16))

    // The stall begins while the request is on its way: past the rate limiter, before the store.
    const held = heldPost(server.url, `${SECRETS}/reveal`, { ...body, claim })
    await held.flushed
    await sleep(200)
    stall()
    held.finish()
    const during = await held.response
    const retriedDuring = await postJson(server.url, `${SECRETS}/reveal`, { ...body, claim })
    resume()
    console.log(
      `claimed reveal during a stall: ${during.status} after ${(during.end - during.start).toFixed(0)} ms, ` +
        `its retry in the stall ${retriedDuring.status} after ${(retriedDuring.end - retriedDuring.start).toFixed(0)} ms`,
    )
    expect(during.status).toBe(503)
    expect(retriedDuring.status).toBe(503)

    // Redis ran the queued reveal when it woke: the view is used, and only the claim gets it.
    const otherClaimant = async () =>
      postJson(server.url, `${SECRETS}/reveal`, { ...body, claim: encodeB64u(randomBytes(16)) })
    await waitFor(async () => (await otherClaimant()).status !== 503, 5000)
    expect(await otherClaimant()).toMatchObject({ status: 410, body: { error: 'gone', state: 'viewed' } })
    expect(await postJson(server.url, `${SECRETS}/reveal`, body)).toMatchObject({ status: 410 })
    const retried = await postJson(server.url, `${SECRETS}/reveal`, { ...body, claim })
    expect(retried).toMatchObject({ status: 200, body: { viewsLeft: 0 } })
    const unlocked = await unlockSecret({ k: seed.k, hdr: seed.prepared.request.hdr })
    expect((await decryptSecret(unlocked, (retried.body as { ct: string }).ct)).text).toBe('the one copy')

    expect((await postJson(server.url, `${SECRETS}/ack`, { ...seed.access, claim })).status).toBe(204)
    expect(await postJson(server.url, `${SECRETS}/reveal`, { ...body, claim })).toMatchObject({ status: 410 })
  })

  it('answers 503 within about a second, whatever the request, and serves again once Redis wakes', async () => {
    const live = await createSeed(server.url, { text: 'still here', maxViews: 2 })
    const body = await revealOf(live)
    const requests: Array<[string, () => Promise<unknown>]> = [
      ['create', async () => (await newSeed({ text: 'new', maxViews: 1 })).prepared.request],
      ['meta', async () => live.access],
      ['reveal', async () => ({ ...body, claim: encodeB64u(randomBytes(16)) })],
      ['status', async () => ({ sid: live.prepared.sid, mt: live.prepared.mt })],
    ]
    const paths: Record<string, string> = { create: '', meta: '/meta', reveal: '/reveal', status: '/status' }
    stall()
    const timings: Record<string, number[]> = {}
    try {
      // One at a time and four at once, twice: the first requests of a stall and later ones.
      for (let round = 0; round < 2; round++) {
        for (const [name, make] of requests) {
          const o = await postJson(server.url, `${SECRETS}${paths[name]}`, await make())
          expect(o.status).toBe(503)
          ;(timings[name] ??= []).push(o.end - o.start)
        }
        const together = await Promise.all(
          requests.map(async ([name, make]) => postJson(server.url, `${SECRETS}${paths[name]}`, await make())),
        )
        for (const o of together) expect(o.status).toBe(503)
        ;(timings.concurrent ??= []).push(...together.map((o) => o.end - o.start))
      }
    } finally {
      resume()
    }
    console.log(
      `503 while Redis is stopped (ms): ${Object.entries(timings)
        .map(([name, ms]) => `${name} ${ms.map((t) => t.toFixed(0)).join('/')}`)
        .join(', ')}`,
    )
    // About one second: the rate limiter's one timeout, then an immediate refusal.
    for (const ms of Object.values(timings).flat()) expect(ms).toBeLessThan(1500)
    const recovered = await waitFor(
      async () => (await postJson(server.url, `${SECRETS}/meta`, live.access)).status === 200,
      3000,
    )
    expect(recovered).toBeGreaterThan(0)
    expect(await postJson(server.url, `${SECRETS}/reveal`, body)).toMatchObject({ status: 200, body: { viewsLeft: 1 } })
  })
})
