/**
 * The metrics listener: GET /metrics on its own address (METRICS_HOST:METRICS_PORT), never
 * on the public port, so publishing the service can never publish its metrics too. It is
 * meant for a Prometheus on a private network; it answers nothing else.
 */
import { createServer, type Server } from 'node:http'
import { once } from 'node:events'
import type { FastifyBaseLogger } from 'fastify'
import type { Metrics } from './metrics.ts'

export interface MetricsListener {
  /** The bound port: the configured one, or the one the system picked for port 0. */
  port: number
  close(): Promise<void>
}

/** Rejects when the address cannot be bound (taken, not local), so the server does not start half-watched. */
export async function listenMetrics(
  metrics: Metrics,
  { host, port }: { host: string; port: number },
  log: Pick<FastifyBaseLogger, 'error'>,
): Promise<MetricsListener> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: metrics are at /metrics\n')
      return
    }
    metrics.scrape().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      (err: unknown) => {
        log.error({ err }, 'could not collect the metrics')
        res.writeHead(500, { 'content-type': 'text/plain' }).end('Could not collect the metrics\n')
      },
    )
  })
  // A scrape is one short request; nothing should hold a socket open for long.
  server.headersTimeout = server.requestTimeout = 10_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(port, host, () => {
      server.off('error', reject).on('error', (err) => log.error({ err }, 'metrics listener error'))
      resolve()
    })
  })
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      const closed = once(server, 'close')
      server.close()
      // Prometheus keeps its connection open between scrapes.
      server.closeAllConnections()
      await closed
    },
  }
}
