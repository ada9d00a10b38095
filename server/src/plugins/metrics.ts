/**
 * HTTP metrics for every response on the public port: counted by method, route template
 * and status class, timed by method and route template. The template is the route's own
 * (`/api/v1/secrets/reveal`, or the static files' wildcard), never the path asked for; a
 * request no route matched is `unmatched`, whatever its path. The metrics themselves are
 * served elsewhere (metrics/listener.ts), never here.
 */
import fp from 'fastify-plugin'
import { UNMATCHED_ROUTE, methodLabel, statusClass, type Metrics } from '../metrics/metrics.ts'

export default fp<{ metrics: Metrics }>(
  async (app, { metrics }) => {
    // A callback hook on every response: an async one would cost a promise each time, and
    // `req.routeOptions` builds a new object on each read, so it is read once.
    app.addHook('onResponse', (req, reply, done) => {
      const method = methodLabel(req.method)
      const route = req.routeOptions.url ?? UNMATCHED_ROUTE
      metrics.httpRequests.inc({ method, route, status_class: statusClass(reply.statusCode) })
      metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1000)
      done()
    })
  },
  { name: 'metrics' },
)
