/**
 * Everything burnlink tells Prometheus, in one registry per app. Every label value comes
 * from a fixed set written here (or, for `route`, from the route templates registered at
 * boot): nothing a client sends (ids, tokens, addresses, user agents, paths) can become a
 * label, so a scrape says nothing about any one secret or person and the number of series
 * stays bounded whatever the traffic.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { BurnReason } from '@burnlink/shared'
import type { Usage } from '../budgets/storage-gauge.ts'
import type { StoreUnavailableError } from '../store/store.ts'

/** The `route` of a request no route matched: its path is the client's, never a label. */
export const UNMATCHED_ROUTE = 'unmatched'
export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'other'] as const
export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const
export const STORE_OPERATIONS = ['create', 'meta', 'reveal', 'ack', 'status', 'burn', 'ping'] as const
/** Store failures: StoreUnavailableError's reasons, and `error` for anything else (a bug). */
export const STORE_ERROR_REASONS = ['unreachable', 'full', 'error'] as const satisfies ReadonlyArray<
  StoreUnavailableError['reason'] | 'error'
>

export type Method = (typeof METHODS)[number]
export type StoreOperation = (typeof STORE_OPERATIONS)[number]
export type StoreErrorReason = (typeof STORE_ERROR_REASONS)[number]

/** Latency buckets for one Redis script call: sub-millisecond when healthy, the 1 s timeout when not. */
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

export class Metrics {
  readonly registry = new Registry()

  readonly httpRequests = new Counter<'method' | 'route' | 'status_class'>({
    name: 'burnlink_http_requests_total',
    help: 'Responses on the public port, by method, route template and status class.',
    labelNames: ['method', 'route', 'status_class'],
    registers: [this.registry],
  })

  readonly httpDuration = new Histogram<'method' | 'route'>({
    name: 'burnlink_http_request_duration_seconds',
    help: 'Time from a request arriving to its response being written, by method and route template.',
    labelNames: ['method', 'route'],
    registers: [this.registry],
  })

  readonly created = new Counter({
    name: 'burnlink_secrets_created_total',
    help: 'Secrets created (a create answered 201).',
    registers: [this.registry],
  })

  readonly createdBytes = new Counter({
    name: 'burnlink_secrets_created_bytes_total',
    help: 'Header and ciphertext bytes of the secrets created.',
    registers: [this.registry],
  })

  readonly revealed = new Counter({
    name: 'burnlink_secrets_revealed_total',
    help: 'Views released: reveals answered with the ciphertext.',
    registers: [this.registry],
  })

  readonly wrongPassphrases = new Counter({
    name: 'burnlink_wrong_passphrases_total',
    help: 'Reveals refused for a wrong passphrase (each spends one of the secret’s attempts).',
    registers: [this.registry],
  })

  readonly burned = new Counter<'reason'>({
    name: 'burnlink_secrets_burned_total',
    help: 'Secrets burned: by their creator, by a recipient, or by the last allowed wrong passphrase (attempts).',
    labelNames: ['reason'],
    registers: [this.registry],
  })

  readonly storeDuration = new Histogram<'operation'>({
    name: 'burnlink_store_operation_duration_seconds',
    help: 'Store operations (each one Redis script call; status one per secret asked about), by operation.',
    labelNames: ['operation'],
    buckets: STORE_BUCKETS,
    registers: [this.registry],
  })

  readonly storeErrors = new Counter<'operation' | 'reason'>({
    name: 'burnlink_store_errors_total',
    help: 'Store operations that failed: unreachable (down, timed out), full (Redis out of memory), error (a bug).',
    labelNames: ['operation', 'reason'],
    registers: [this.registry],
  })

  /** `process`: also Node's default process metrics (CPU, memory, event loop, GC, handles). */
  constructor({ process = true }: { process?: boolean } = {}) {
    if (process) collectDefaultMetrics({ register: this.registry })
    // A labelled series exists only once it moves; the burn reasons start at zero so that a
    // rate() over one that has never moved sees 0, not an absent series.
    for (const reason of BurnReason.options) this.burned.inc({ reason }, 0)
  }

  /**
   * The store's and the blob store's state, read at each scrape; called once, by the app that
   * owns them. `usage` is the storage budget's last sample (plugins/budgets.ts).
   */
  watchStore({
    ping,
    blobsPing,
    usage,
  }: {
    ping: () => Promise<void>
    blobsPing: () => Promise<void>
    usage: () => Usage | undefined
  }): void {
    const upGauge = (name: string, help: string, check: () => Promise<void>) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          this.set(
            await check().then(
              () => 1,
              () => 0,
            ),
          )
        },
      })
    upGauge(
      'burnlink_store_up',
      '1 when the store answered a ping during this scrape (as /readyz asks it), else 0.',
      ping,
    )
    upGauge(
      'burnlink_blob_store_up',
      '1 when the blob store (memory, Redis or S3) answered a ping during this scrape, else 0.',
      blobsPing,
    )
    new Gauge<'measure'>({
      name: 'burnlink_storage_bytes',
      help:
        'Storage as the storage budget sees it: used (Redis used_memory, summed over a cluster, or the memory ' +
        'store’s own count) and budget (past which creates are refused; absent when nothing bounds the storage).',
      labelNames: ['measure'],
      registers: [this.registry],
      collect() {
        this.reset()
        const { used, budget } = usage() ?? {}
        if (used !== undefined) this.set({ measure: 'used' }, used)
        if (budget !== undefined) this.set({ measure: 'budget' }, budget)
      },
    })
  }

  /** Scraped by Prometheus on the metrics listener. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }
}

export function methodLabel(method: string): Method {
  return (METHODS as readonly string[]).includes(method) ? (method as Method) : 'other'
}

export function statusClass(status: number): (typeof STATUS_CLASSES)[number] {
  return STATUS_CLASSES[Math.min(Math.max(Math.floor(status / 100), 1), 5) - 1]!
}
