/**
 * The process entry: environment -> config -> store -> app -> listen, and a graceful
 * shutdown that lets accepted requests finish before closing the store. The only file that
 * touches `process`.
 */
import { existsSync } from 'node:fs'
import { setTimeout } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import closeWithGrace from 'close-with-grace'
import pino from 'pino'
import { buildApp } from './app.ts'
import { ConfigError, loadConfig } from './config.ts'
import { listenMetrics, type MetricsListener } from './metrics/listener.ts'
import { Metrics } from './metrics/metrics.ts'
import { openStore } from './store/open-store.ts'

/** The built SPA sits beside the server bundle in the repo and in the Docker image. */
const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url))

function readConfig() {
  const webRoot = existsSync(`${DEFAULT_WEB_ROOT}/index.html`) ? DEFAULT_WEB_ROOT : undefined
  try {
    return loadConfig({ WEB_ROOT: webRoot, ...process.env })
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    process.stderr.write(`${err.message}\n`)
    process.exit(1)
  }
}

// An operator's local settings, kept in .env as .env.example suggests. Variables already in
// the environment win over the file, so a deployment can always override it.
if (existsSync('.env')) process.loadEnvFile('.env')
const config = readConfig()
const logger = pino({ level: config.logLevel })
if (!config.webRoot) logger.warn('no built web app found (run `npm run build -w web`): serving the API only')
const { store, redis } = await openStore(config, logger).catch((err: unknown) => {
  logger.fatal({ err }, 'could not open the store')
  process.exit(1)
})
const metrics = config.metrics ? new Metrics() : undefined
const app = await buildApp({ config, store, logger, redis, metrics })
let metricsListener: MetricsListener | undefined

closeWithGrace({ delay: (config.shutdownDrainSeconds + 10) * 1000 }, async ({ signal, err }) => {
  if (err) logger.error({ err }, 'shutting down after an error')
  else logger.info({ signal, drainSeconds: config.shutdownDrainSeconds }, 'shutting down')
  // Requests already on their way (sent before the signal, not yet read) still land while
  // the listener drains; closing at once would reset their connections.
  app.drain()
  await setTimeout(config.shutdownDrainSeconds * 1000)
  await app.close()
  // Scraped to the end, so the drain shows in the metrics too.
  await metricsListener?.close()
  await store.close()
})

try {
  await app.listen({ port: config.port, host: config.host })
  if (metrics && config.metrics) {
    metricsListener = await listenMetrics(metrics, config.metrics, logger)
    logger.info({ host: config.metrics.host, port: metricsListener.port }, 'metrics listening at /metrics')
  }
} catch (err) {
  logger.fatal({ err }, 'could not listen')
  process.exit(1)
}
