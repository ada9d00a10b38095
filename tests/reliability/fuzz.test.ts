/**
 * Issue 7 §2: twelve thousand generated bad requests against the built server process and
 * real Redis. Every answer is a 4xx `{error, message}` JSON body (never a 5xx, a hang or a
 * dropped connection), the process stays up, and the secrets created before the storm are
 * untouched: each still reveals exactly `maxViews` times, with no attempt spent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fuzzCases, refusalProblem, sendCase, sendRaw, type FuzzCase, type FuzzResult } from '../helpers/fuzz.ts'
import { captureOutput } from '../helpers/log-hygiene.ts'
import { NO_RATE_LIMITS, parseJson, runPool, tally } from '../helpers/load.ts'
import { createSeed, expectRevealsExactly, type Seed } from '../helpers/seeds.ts'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

const CASES = 12_000
const SEED = 0x7e57_b1
const IN_FLIGHT = 32

describe('API fuzzing against a server process with real Redis', () => {
  let server: ServerProcess
  let seeds: Seed[] = []

  beforeAll(async () => {
    server = await startServerProcess({ REDIS_URL: workerRedisUrl(), ...NO_RATE_LIMITS })
    seeds = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        createSeed(server.url, {
          text: `fuzz survivor ${i} ✓`,
          maxViews: [1, 2, 3, 5][i % 4]!,
          passphrase: i % 5 === 0 ? `pass phrase ${i}` : undefined,
        }),
      ),
    )
  })
  afterAll(async () => {
    expect(await server.stop()).toBe(0)
  })

  it(`refuses ${CASES} bad requests with 4xx JSON errors and keeps every earlier secret intact`, async () => {
    const targets = seeds.map((s) => ({ request: s.prepared.request, acc: s.access.acc }))
    const cases = fuzzCases(targets, CASES, SEED)
    const logsBefore = server.logs.length
    const output = captureOutput(server.child)
    const results: Array<{ c: FuzzCase; r: FuzzResult }> = []
    const started = performance.now()
    await runPool(cases, IN_FLIGHT, async (c) => {
      results.push({ c, r: await sendCase(server.url, c) })
    })
    const seconds = (performance.now() - started) / 1000

    const byStatus = tally(results, ({ r }) => r.status)
    const byCode = tally(results, ({ r }) =>
      r.status ? String((parseJson(r.text) as { error?: unknown } | undefined)?.error) : (r.error ?? ''),
    )
    const byKind = tally(results, ({ c }) =>
      c.kind.replace(/ (sid|hdr|ct|av|rv|mv|acc|rev|mt|claim|v|ttl|maxViews)$/, ' <field>'),
    )
    console.log(`fuzz: ${results.length} requests in ${seconds.toFixed(1)} s`)
    console.log(
      `fuzz: by status ${JSON.stringify(byStatus)}\nfuzz: by error ${JSON.stringify(byCode)}\nfuzz: by kind ${JSON.stringify(byKind)}`,
    )

    // If the process went down mid-run, say why before listing thousands of refused connections.
    const { exitCode, signalCode } = server.child
    const lastWords =
      exitCode === null && signalCode === null
        ? []
        : output.lines.filter((l) => !l.includes('"msg":"request"')).slice(-20)
    expect({ exitCode, signalCode, lastWords }, 'the server process exited during the run').toEqual({
      exitCode: null,
      signalCode: null,
      lastWords: [],
    })
    // Some mutations leave a target's create as it was (v: 1, a BOM, a default spelled out):
    // an identical repeat, which answers 201 and changes nothing (protocol §7); the reveals
    // below check that nothing changed.
    const targetSids = new Set(targets.map((t) => t.request.sid))
    const repeats = results.filter(
      ({ c, r }) =>
        c.path === '/api/v1/secrets' &&
        r.status === 201 &&
        targetSids.has(String((parseJson(r.text) as { sid?: unknown } | undefined)?.sid)),
    )
    console.log(`fuzz: ${repeats.length} identical repeats of a create answered 201`)
    const problems = results.flatMap(({ c, r }) => {
      if (repeats.some((x) => x.r === r)) return []
      const problem = refusalProblem(r)
      return problem ? [`${c.method} ${c.path} [${c.kind}]: ${problem}`] : []
    })
    expect(problems.slice(0, 10)).toEqual([])
    expect(results).toHaveLength(CASES)
    // Every kind of input was exercised, not just the JSON mutations.
    expect(Object.keys(byStatus)).toEqual(expect.arrayContaining(['400', '404', '409', '413', '415']))

    expect((await fetch(`${server.url}/readyz`)).status).toBe(200)
    expect(server.logs.slice(logsBefore).filter((l) => Number(l.level) >= 50)).toEqual([])

    for (const seed of seeds) await expectRevealsExactly(server.url, seed)
  })

  // Broken HTTP never reaches Fastify's routing; Node's parser refuses it and Fastify's
  // default clientErrorHandler answers with its own vocabulary.
  it('answers broken HTTP framing with the protocol error body too', async () => {
    const start = 'POST /api/v1/secrets/meta HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n'
    const framings = {
      'non-numeric content-length': `${start}content-length: abc\r\n\r\n{}`,
      'content-length with chunked': `${start}content-length: 2\r\ntransfer-encoding: chunked\r\n\r\n{}`,
      'bad chunk size': `${start}transfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      'header line without a colon': `${start}no colon here\r\ncontent-length: 2\r\n\r\n{}`,
      'headers over 16 KiB': `${start}x-big: ${'a'.repeat(20_000)}\r\ncontent-length: 2\r\n\r\n{}`,
      'not a request line': 'HELLO WORLD\r\n\r\n',
    }
    const problems: string[] = []
    for (const [kind, raw] of Object.entries(framings)) {
      const problem = refusalProblem(await sendRaw(server.url, [raw]))
      if (problem) problems.push(`${kind}: ${problem}`)
    }
    expect(server.child.exitCode).toBeNull()
    expect(problems).toEqual([])
  })
})
