import { describe, expect, it } from 'vitest'
import { ApiError, createClient, encodeB64u, randomBytes, withRetries } from '@burnlink/shared'

const sid = encodeB64u(randomBytes(16))
const acc = encodeB64u(randomBytes(32))
const mt = encodeB64u(randomBytes(32))

type Call = { url: string; init: RequestInit }

/** A fetch that records each call and answers with one canned response. */
function stub(respond: () => Response | Promise<Response>) {
  const calls: Call[] = []
  const fetch = async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} })
    return respond()
  }
  return { calls, client: createClient({ baseUrl: 'https://burn.example/', fetch }) }
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

async function apiError(call: Promise<unknown>): Promise<ApiError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(err instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(err)}`)
  return err
}

describe('client requests', () => {
  it('POSTs JSON without credentials or caching, and no id in the URL', async () => {
    const { calls, client } = stub(() => json(200, { hdr: 'AQA', viewsLeft: 1, expiresAt: '2030-01-01T00:00:00.000Z' }))
    expect(await client.meta({ sid, acc })).toEqual({ hdr: 'AQA', viewsLeft: 1, expiresAt: '2030-01-01T00:00:00.000Z' })
    const [call] = calls
    expect(call!.url).toBe('https://burn.example/api/v1/secrets/meta')
    expect(call!.init).toMatchObject({ method: 'POST', cache: 'no-store', credentials: 'same-origin' })
    expect(new Headers(call!.init.headers).get('content-type')).toBe('application/json')
    expect(JSON.parse(String(call!.init.body))).toEqual({ sid, acc })
  })

  it.each([
    ['create', '/api/v1/secrets'],
    ['reveal', '/api/v1/secrets/reveal'],
    ['ack', '/api/v1/secrets/ack'],
    ['status', '/api/v1/secrets/status'],
    ['burn', '/api/v1/secrets/burn'],
  ] as const)('%s goes to %s', async (method, path) => {
    const { calls, client } = stub(() => json(500, {}))
    await apiError((client[method] as (body: unknown) => Promise<unknown>)({ sid, mt }))
    expect(new URL(calls[0]!.url).pathname).toBe(path)
  })

  it('takes a 204 without a body as the answer to an ack', async () => {
    const claim = encodeB64u(randomBytes(16))
    const { calls, client } = stub(() => new Response(null, { status: 204 }))
    expect(await client.ack({ sid, acc, claim })).toBeNull()
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ sid, acc, claim })
  })

  it('sends a status batch as items and returns the items', async () => {
    const status = {
      state: 'active',
      views: 0,
      maxViews: 1,
      failedAttempts: 0,
      createdAt: 'a',
      expiresAt: 'b',
      events: [{ type: 'opened', at: 'c' }],
    }
    const { calls, client } = stub(() => json(200, { items: [status, null] }))
    expect(
      await client.statusBatch([
        { sid, mt },
        { sid, mt },
      ]),
    ).toEqual([status, null])
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({
      items: [
        { sid, mt },
        { sid, mt },
      ],
    })
  })
})

// A client in the field meets servers newer and older than itself (protocol.md §7).
describe('answers from other server versions', () => {
  it('ignores a field a newer server adds, and keeps the fields it knows', async () => {
    const meta = { hdr: 'AQA', viewsLeft: 1, expiresAt: '2030-01-01T00:00:00.000Z' }
    const { client } = stub(() => json(200, { ...meta, addedLater: { any: 'thing' } }))
    expect(await client.meta({ sid, acc })).toEqual(meta)
  })

  it("reads an older server's status, from before receipts, as one without events", async () => {
    const status = { state: 'active', views: 0, maxViews: 1, failedAttempts: 0 }
    const times = { createdAt: '2030-01-01T00:00:00.000Z', expiresAt: '2030-01-02T00:00:00.000Z' }
    const { client } = stub(() => json(200, { ...status, ...times }))
    expect(await client.status({ sid, mt })).toEqual({ ...status, ...times, events: [] })
  })
})

describe('client errors', () => {
  it('carries code, message and attemptsLeft from a 401', async () => {
    const { client } = stub(() =>
      json(401, { error: 'wrong_passphrase', message: 'Wrong passphrase.', attemptsLeft: 2 }),
    )
    const err = await apiError(client.reveal({ sid, acc, rev: acc }))
    expect(err).toMatchObject({ status: 401, code: 'wrong_passphrase', message: 'Wrong passphrase.', attemptsLeft: 2 })
  })

  it('carries the state from a 410', async () => {
    const { client } = stub(() => json(410, { error: 'gone', message: 'Already viewed.', state: 'viewed' }))
    expect(await apiError(client.meta({ sid, acc }))).toMatchObject({ status: 410, code: 'gone', state: 'viewed' })
  })

  it.each([
    [503, 'unavailable'],
    [502, 'unavailable'],
    [500, 'internal'],
    [429, 'rate_limited'],
    [413, 'payload_too_large'],
    [418, 'internal'],
  ])('maps a bare %i from a proxy to %s', async (status, code) => {
    const { client } = stub(() => new Response('<html>oops</html>', { status }))
    expect(await apiError(client.meta({ sid, acc }))).toMatchObject({ status, code })
  })

  it('reports an unreachable server as a network error', async () => {
    const { client } = stub(() => Promise.reject(new TypeError('fetch failed')))
    expect(await apiError(client.meta({ sid, acc }))).toMatchObject({ status: 0, code: 'network' })
  })

  it('refuses a success body that does not match the schema', async () => {
    const { client } = stub(() => json(200, { ct: 'short', viewsLeft: 0 }))
    expect(await apiError(client.reveal({ sid, acc, rev: acc }))).toMatchObject({ status: 200, code: 'internal' })
  })
})

describe('withRetries', () => {
  const fast = { firstDelayMs: 5, budgetMs: 500 }
  /** A call failing with each of `errors` in turn, then answering 'done'. */
  function flaky(...errors: ApiError[]) {
    let calls = 0
    const call = async () => {
      const e = errors[calls++]
      if (e) throw e
      return 'done'
    }
    return { call, calls: () => calls }
  }
  const unavailable = new ApiError(503, 'unavailable', 'down')
  const network = new ApiError(0, 'network', 'no answer')

  it('tries again after 503s and network errors until an answer comes', async () => {
    const { call, calls } = flaky(unavailable, network, unavailable)
    const told: unknown[] = []
    expect(await withRetries(call, { ...fast, onRetry: (e) => told.push(e) })).toBe('done')
    expect(calls()).toBe(4)
    expect(told).toEqual([unavailable, network, unavailable])
  })

  it.each([
    ['a 400', new ApiError(400, 'invalid_request', 'bad')],
    ['a 410', new ApiError(410, 'gone', 'gone', 'viewed')],
    ['a 429', new ApiError(429, 'rate_limited', 'slow down')],
    ['a bug', new TypeError('bug')],
  ])('gives %s back at once', async (_name, error) => {
    const { call, calls } = flaky(error as ApiError)
    expect(await withRetries(call, fast).catch((e: unknown) => e)).toBe(error)
    expect(calls()).toBe(1)
  })

  it('gives the last error back once the next try would start past the budget', async () => {
    const started = Date.now()
    const { call, calls } = flaky(...Array.from({ length: 50 }, () => unavailable))
    expect(await withRetries(call, { firstDelayMs: 20, budgetMs: 200 }).catch((e: unknown) => e)).toBe(unavailable)
    // Waits of about 20, 40, 80 ms fit in 200 ms; the next one (about 160) does not.
    expect(calls()).toBeGreaterThanOrEqual(3)
    expect(calls()).toBeLessThanOrEqual(5)
    expect(Date.now() - started).toBeLessThan(300)
  })
})
