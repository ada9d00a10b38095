/**
 * Request logging with method, route template, status and latency, and nothing else: no
 * URL (it could carry whatever a client put there), no headers, no body.
 *
 * One line per request is written at `debug`. At `info` a summary line per minute counts
 * responses by route and status: logging every request at info halved throughput in the
 * benchmark, and operators need the rates, not each line. The summary is written by the
 * first response after its minute ends (no timer) and when the app closes.
 *
 * Each route's name is built once, when the route is added, and its hook counts into that
 * route's own tally: `req.routeOptions` builds a new object on every read, and this runs on
 * every response. Requests no route matched are counted by one app-wide hook.
 */
import fp from 'fastify-plugin'
import type {
  FastifyBaseLogger,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  onResponseHookHandler,
} from 'fastify'

const WINDOW_MS = 60_000

/** Whether a logger writes the line per request: only at `debug` (or `trace`). */
export const logsEachRequest = (log: FastifyBaseLogger) => log.level === 'debug' || log.level === 'trace'
const UNMATCHED = '(unmatched)'

/** One route and method's responses in the current window, by status. */
type Tally = Map<number, number>

export default fp(
  async (app) => {
    let windowStart = Date.now()
    const tallies = new Map<string, Tally>()
    let slowestMs = 0
    const eachRequest = logsEachRequest(app.log)

    const flush = (now: number) => {
      const responses: Record<string, Record<number, number>> = {}
      for (const [route, tally] of tallies) {
        if (tally.size > 0) responses[route] = Object.fromEntries(tally)
        tally.clear()
      }
      if (Object.keys(responses).length > 0) {
        app.log.info({ windowSeconds: Math.round((now - windowStart) / 1000), responses, slowestMs }, 'requests')
      }
      windowStart = now
      slowestMs = 0
    }

    const tallyOf = (method: string, url: string) => {
      const route = `${method} ${url}`
      let tally = tallies.get(route)
      if (!tally) tallies.set(route, (tally = new Map()))
      return tally
    }

    const count = (req: FastifyRequest, reply: FastifyReply, tally: Tally, url: string) => {
      const status = reply.statusCode
      const ms = Math.round(reply.elapsedTime)
      if (eachRequest) req.log.debug({ method: req.method, route: url, status, ms }, 'request')
      tally.set(status, (tally.get(status) ?? 0) + 1)
      if (ms > slowestMs) slowestMs = ms
      const now = Date.now()
      if (now - windowStart >= WINDOW_MS) flush(now)
    }

    app.addHook('onRoute', (route) => {
      const { url } = route
      const methods = Array.isArray(route.method) ? route.method : [route.method]
      const byMethod = new Map(methods.map((method) => [method, tallyOf(method, url)]))
      const [only] = byMethod.values()
      const log: onResponseHookHandler = (req, reply, done) => {
        count(req, reply, byMethod.size === 1 ? only! : (byMethod.get(req.method) ?? tallyOf(req.method, url)), url)
        done()
      }
      const before = route.onResponse
      route.onResponse = before === undefined ? [log] : [...(Array.isArray(before) ? before : [before]), log]
    })
    app.addHook('onResponse', (req, reply, done: HookHandlerDoneFunction) => {
      if (req.is404) count(req, reply, tallyOf(req.method, UNMATCHED), UNMATCHED)
      done()
    })
    app.addHook('onClose', async () => flush(Date.now()))
  },
  { name: 'request-log' },
)
