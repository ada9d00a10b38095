/**
 * A recording front for the test server, so every engine is checked the same way, at the
 * place that matters: what reached the server. Browsers talk to the recorder; it keeps each
 * request's URL, headers and body, forwards it unchanged, and files it under the person
 * whose cookie it carries (requests from Node, such as seeding or the CLI, carry none).
 *
 * WebKit's driver has no console or network API, so page errors come from a small agent
 * script the recorder puts first in every page it serves: it hooks `console.error`, `error`,
 * `unhandledrejection` and CSP violations before any app script runs and posts them back.
 * It is loaded from the page's own origin, so the production CSP allows it unchanged.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { RecordedRequest } from './browser.ts'

const PREFIX = '/__recorder'
const COOKIE = 'recorder-person'

export interface PageReports {
  console: string[]
  page: string[]
  csp: string[]
}

export interface RequestRecorder {
  /** The origin browsers are given, e.g. http://127.0.0.1:41234 */
  readonly url: string
  /** Visiting this makes every later request of the browser context count as the person's. */
  enrollUrl(person: string): string
  /** The requests that reached the server from the person's browser, in arrival order. */
  requests(person: string): RecordedRequest[]
  reports(person: string): PageReports
  close(): Promise<void>
}

/** Runs in the page before the app: reports what a console or error listener would see. */
function agent(): void {
  const pending = new Set<Promise<unknown>>()
  const report = (kind: keyof PageReports, text: string) => {
    const sent = fetch('/__recorder/report', { method: 'POST', keepalive: true, body: JSON.stringify({ kind, text }) })
      .catch(() => undefined)
      .finally(() => pending.delete(sent))
    pending.add(sent)
  }
  const show = (value: unknown): string => {
    if (value instanceof Error) {
      // Chromium's stack starts with "Name: message"; Firefox's and WebKit's lack it.
      const head = String(value)
      return value.stack?.startsWith(head) ? value.stack : `${head}\n${value.stack ?? ''}`
    }
    if (typeof value === 'string') return value
    try {
      return JSON.stringify(value)
    } catch {
      return String(value)
    }
  }
  const original = console.error
  console.error = (...args: unknown[]) => {
    report('console', args.map(show).join(' '))
    original.apply(console, args)
  }
  // Capturing, to see failed loads of scripts, styles and images too: those do not bubble.
  addEventListener(
    'error',
    (e) => {
      if (e.target instanceof Element) {
        const el = e.target as Element & { src?: string; href?: string }
        report('console', `failed to load ${el.src || el.href || el.tagName}`)
      } else report('page', show((e as ErrorEvent).error ?? (e as ErrorEvent).message))
    },
    true,
  )
  addEventListener('unhandledrejection', (e) => report('page', `unhandled rejection: ${show(e.reason)}`))
  document.addEventListener('securitypolicyviolation', (e) =>
    report(
      'csp',
      `${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`,
    ),
  )
  Object.defineProperty(window, '__recorderSettle', { value: () => Promise.all(pending) })
}

/**
 * Page-side: waits until every report of the current page has reached the recorder. Says
 * 'no agent' on a page of the recorder's origin that runs without it, whose reports would be
 * empty for the wrong reason.
 */
export function settleReports(origin: string): string {
  return `if (location.origin !== ${JSON.stringify(origin)} || location.pathname.startsWith('${PREFIX}/')) return 'elsewhere'
    if (!window.__recorderSettle) return 'no agent'
    return window.__recorderSettle().then(() => 'settled')`
}

const AGENT_SOURCE = `(${agent.toString()})()`
const AGENT_TAG = `<script src="${PREFIX}/agent.js"></script>`

function personOf(headers: IncomingHttpHeaders): string {
  const match = new RegExp(`(?:^|;\\s*)${COOKIE}=([^;]*)`).exec(headers.cookie ?? '')
  return match?.[1] ?? ''
}

/** The headers as the browser sent them, less the recorder's own cookie. */
function browserHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    out[name] = Array.isArray(value) ? value.join(', ') : value
  }
  const cookie = (out.cookie ?? '')
    .split(/;\s*/)
    .filter((c) => c && !c.startsWith(`${COOKIE}=`))
    .join('; ')
  if (cookie) out.cookie = cookie
  else delete out.cookie
  return out
}

export async function startRecorder(upstream: string): Promise<RequestRecorder> {
  const target = new URL(upstream)
  const requests: { person: string; request: RecordedRequest }[] = []
  const reports = new Map<string, PageReports>()
  const reportsOf = (person: string) => {
    if (!reports.has(person)) reports.set(person, { console: [], page: [], csp: [] })
    return reports.get(person)!
  }
  let origin = ''

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const path = req.url ?? '/'
      const person = personOf(req.headers)
      if (path.startsWith(`${PREFIX}/enroll/`)) {
        const id = path.slice(`${PREFIX}/enroll/`.length)
        res.writeHead(200, {
          'content-type': 'text/html',
          'set-cookie': `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`,
        })
        // An icon of its own, so the browser does not ask the app for /favicon.ico.
        res.end('<!doctype html><title>enrolled</title><link rel="icon" href="data:,">')
        return
      }
      if (path === `${PREFIX}/agent.js`) {
        res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' }).end(AGENT_SOURCE)
        return
      }
      if (path === `${PREFIX}/report`) {
        const { kind, text } = JSON.parse(body.toString('utf8')) as { kind: keyof PageReports; text: string }
        reportsOf(person)[kind].push(text)
        res.writeHead(204).end()
        return
      }

      const headers = browserHeaders(req.headers)
      requests.push({
        person,
        request: { url: `${origin}${path}`, method: req.method ?? 'GET', headers, body: body.toString('utf8') },
      })
      // Plain bodies, so the agent can go into a page without decoding it.
      delete headers['accept-encoding']
      const forward = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path, headers },
        (upstreamRes) => {
          const isPage = (upstreamRes.headers['content-type'] ?? '').startsWith('text/html')
          if (!isPage) {
            res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers)
            upstreamRes.pipe(res)
            return
          }
          const page: Buffer[] = []
          upstreamRes.on('data', (chunk: Buffer) => page.push(chunk))
          upstreamRes.on('end', () => {
            const html = Buffer.concat(page).toString('utf8')
            const withAgent = /<head[^>]*>/i.test(html)
              ? html.replace(/<head[^>]*>/i, (open) => open + AGENT_TAG)
              : AGENT_TAG + html
            const { 'content-length': _length, ...rest } = upstreamRes.headers
            res.writeHead(upstreamRes.statusCode ?? 502, rest)
            res.end(req.method === 'HEAD' ? undefined : withAgent)
          })
        },
      )
      forward.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
        res.end(`recorder: upstream failed: ${error.message}`)
      })
      forward.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url: origin,
    enrollUrl: (person) => {
      if (!/^[\w-]+$/.test(person)) throw new Error(`not a cookie-safe person id: ${person}`)
      return `${origin}${PREFIX}/enroll/${person}`
    },
    requests: (person) => requests.filter((r) => r.person === person).map((r) => r.request),
    reports: reportsOf,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
