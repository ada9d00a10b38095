/**
 * Request logging with method, route template, status and latency, and nothing else: no
 * URL (it could carry whatever a client put there), no headers, no body.
 *
 * One line per request is written at `debug`. At `info` a summary line per minute counts
 * responses by route and status: logging every request at info halved throughput in the
 * benchmark, and operators need the rates, not each line. The summary is written by the
 * first response after its minute ends (no timer) and when the app closes.
 */
import fp from 'fastify-plugin'

const WINDOW_MS = 60_000

export default fp(
  async (app) => {
    let windowStart = Date.now()
    let counts: Record<string, Record<number, number>> = {}
    let slowestMs = 0

    const flush = (now: number) => {
      if (Object.keys(counts).length > 0) {
        app.log.info(
          { windowSeconds: Math.round((now - windowStart) / 1000), responses: counts, slowestMs },
          'requests',
        )
      }
      windowStart = now
      counts = {}
      slowestMs = 0
    }

    app.addHook('onResponse', async (req, reply) => {
      const route = `${req.method} ${req.routeOptions.url ?? '(unmatched)'}`
      const ms = Math.round(reply.elapsedTime)
      req.log.debug(
        { method: req.method, route: req.routeOptions.url ?? '(unmatched)', status: reply.statusCode, ms },
        'request',
      )
      const byStatus = (counts[route] ??= {})
      byStatus[reply.statusCode] = (byStatus[reply.statusCode] ?? 0) + 1
      slowestMs = Math.max(slowestMs, ms)
      const now = Date.now()
      if (now - windowStart >= WINDOW_MS) flush(now)
    })
    app.addHook('onClose', async () => flush(Date.now()))
  },
  { name: 'request-log' },
)
