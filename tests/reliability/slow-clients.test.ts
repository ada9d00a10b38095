/**
 * Issue 11 §3: nobody can hold the server. The built server process, with short timeouts,
 * under 200 sockets that never finish their request (silent, stuck in the headers, silent
 * after the headers, or trickling the body): every one is closed on time, the header and
 * request timeouts answer the protocol's 408 with the security headers, and ordinary
 * requests keep being served throughout.
 */
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorBody } from '@burnlink/shared'
import { SECURITY_HEADERS } from '../../server/src/plugins/security.ts'
import { NO_RATE_LIMITS, loop, postJson, waitFor, type Outcome } from '../helpers/load.ts'
import { newSeed } from '../helpers/seeds.ts'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts'

const HEADERS_S = 1
const IDLE_S = 2
const REQUEST_S = 4
/** Two busy cores: how late a close may come after its timeout. */
const SLACK_MS = 1500
const SOCKETS = 200
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** How each kind of socket misbehaves, and the timeout that must close it. */
const KINDS = {
  silent: { sends: '', closedBy: HEADERS_S, answers408: true },
  stuckInHeaders: { sends: 'POST /api/v1/secrets HTTP/1.1\r\nhost: x\r\n', closedBy: HEADERS_S, answers408: true },
  silentAfterHeaders: {
    sends: 'POST /api/v1/secrets HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{',
    closedBy: IDLE_S,
    answers408: false,
  },
  // One body byte a second: never idle, so only the request timeout can end it.
  trickling: {
    sends: 'POST /api/v1/secrets HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{',
    closedBy: REQUEST_S,
    answers408: true,
  },
} as const
type Kind = keyof typeof KINDS

interface Attacker {
  kind: Kind
  socket: Socket
  openedAt: number
  closedAt?: number
  answer: string
}

function attack(port: number, kind: Kind): Promise<Attacker> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const a: Attacker = { kind, socket, openedAt: 0, answer: '' }
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (a.answer += chunk))
    // Resets are a way of being closed too; what counts is when.
    socket.on('error', () => {})
    socket.on('close', () => (a.closedAt = performance.now()))
    socket.once('connect', () => {
      a.openedAt = performance.now()
      if (KINDS[kind].sends) socket.write(KINDS[kind].sends)
      resolve(a)
    })
    socket.once('error', reject)
  })
}

function parseAnswer(answer: string) {
  const [head = '', body = ''] = answer.split('\r\n\r\n')
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers = Object.fromEntries(
    lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  )
  return { status: Number(statusLine.split(' ')[1]), headers, body }
}

describe('slow and silent clients', () => {
  let server: ServerProcess

  beforeAll(async () => {
    server = await startServerProcess({
      ...NO_RATE_LIMITS,
      HTTP_HEADERS_TIMEOUT_SECONDS: String(HEADERS_S),
      HTTP_IDLE_TIMEOUT_SECONDS: String(IDLE_S),
      HTTP_REQUEST_TIMEOUT_SECONDS: String(REQUEST_S),
    })
  })
  afterAll(async () => {
    await server?.stop()
  })

  it(`closes ${SOCKETS} of them on time while serving everyone else`, async () => {
    const port = Number(new URL(server.url).port)
    const kinds = Object.keys(KINDS) as Kind[]

    // Ordinary clients, on fresh connections, all through the attack.
    let stop = false
    const served: Outcome[] = []
    const ordinary = loop(
      2,
      () => stop,
      async () => {
        const seed = await newSeed({ text: 'ordinary', maxViews: 1 })
        served.push(await postJson(server.url, '/api/v1/secrets', seed.prepared.request, 5000))
        const start = performance.now()
        const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined)
        served.push({ status: res?.status ?? 0, body: await res?.text(), start, end: performance.now() })
      },
    )

    const attackers = await Promise.all(
      Array.from({ length: SOCKETS }, (_, i) => attack(port, kinds[i % kinds.length]!)),
    )
    const deadline = performance.now() + REQUEST_S * 1000 + SLACK_MS + 2000
    while (attackers.some((a) => a.closedAt === undefined) && performance.now() < deadline) {
      for (const a of attackers) if (a.kind === 'trickling' && a.socket.writable) a.socket.write(' ')
      await sleep(1000)
    }
    stop = true
    await ordinary
    for (const a of attackers) a.socket.destroy()

    const late = attackers.filter(
      (a) => a.closedAt === undefined || a.closedAt - a.openedAt > KINDS[a.kind].closedBy * 1000 + SLACK_MS,
    )
    expect(
      late.map((a) => `${a.kind} ${a.closedAt === undefined ? 'still open' : Math.round(a.closedAt - a.openedAt)}`),
    ).toEqual([])
    // Closed by the timeout meant for it, not by something earlier.
    for (const a of attackers)
      expect(a.closedAt! - a.openedAt, a.kind).toBeGreaterThanOrEqual(KINDS[a.kind].closedBy * 1000 - 100)

    for (const a of attackers) {
      if (!KINDS[a.kind].answers408) {
        expect(a.answer, a.kind).toBe('')
        continue
      }
      const { status, headers, body } = parseAnswer(a.answer)
      expect(status, a.kind).toBe(408)
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(headers[name], name).toBe(value)
      expect(headers['cache-control']).toBe('no-store')
      expect(headers['content-type']).toBe('application/json; charset=utf-8')
      expect(ErrorBody.parse(JSON.parse(body)).error).toBe('invalid_request')
    }

    expect(served.length).toBeGreaterThan(10)
    expect(served.filter((o) => o.status !== 200 && o.status !== 201)).toEqual([])
    expect(Math.max(...served.map((o) => o.end - o.start))).toBeLessThan(2000)
    expect(server.logs.filter((l) => Number(l.level) >= 50)).toEqual([])
  })
})

describe('HTTP_MAX_CONNECTIONS', () => {
  const CAP = 20
  let server: ServerProcess

  beforeAll(async () => {
    server = await startServerProcess({ HTTP_MAX_CONNECTIONS: String(CAP) })
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('closes connections past the cap at once, and takes new ones when a place frees up', async () => {
    const port = Number(new URL(server.url).port)
    const holders = await Promise.all(Array.from({ length: CAP }, () => attack(port, 'stuckInHeaders')))
    // The server counts a connection once it has accepted it; give it the moment to.
    await sleep(200)
    const refused = await attack(port, 'silent')
    await waitFor(() => refused.closedAt !== undefined, 2000)
    expect(refused.answer).toBe('')

    for (const h of holders) h.socket.destroy()
    await sleep(200)
    const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) })
    expect(res.status).toBe(200)
  })
})
