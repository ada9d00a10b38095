/**
 * Server configuration: parsed once, from the environment, by zod, at boot. Every bad
 * variable is reported in one error so an operator fixes them all in one go. The one secret,
 * S3_SECRET_ACCESS_KEY, is never echoed in that error.
 */
import { z } from 'zod'
import {
  ATTEMPTS,
  CLAIM_RETRY,
  MAX_CT_BYTES,
  MAX_FILE_SIZE,
  MAX_HEADER_BYTES,
  MIN_PADDED_FILE_BYTES,
  TTL,
  VIEWS,
} from '@burnlink/shared'

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int(`must be a whole number`).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`)

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes')

/**
 * TRUST_PROXY as Fastify's `trustProxy` understands it: false (default: the socket address
 * is the client), true (trust every proxy), a hop count, or a list of proxy addresses/CIDRs.
 */
const trustProxy = z
  .string()
  .trim()
  .transform((v): boolean | number | string[] => {
    if (/^(true|yes)$/i.test(v)) return true
    if (/^(false|no|)$/i.test(v)) return false
    if (/^\d+$/.test(v)) return Number(v)
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  })

/** `host:port` pairs; an IPv6 host goes in brackets. */
const clusterNodes = z.string().transform((v, ctx) => {
  const nodes = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => /^(?:\[([\da-f:.]+)\]|([\w.-]+)):(\d{1,5})$/i.exec(s))
  if (nodes.length === 0 || nodes.some((n) => n === null || Number(n[3]) < 1 || Number(n[3]) > 65535)) {
    ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of host:port' })
    return z.NEVER
  }
  return nodes.map((n) => ({ host: (n![1] ?? n![2])!, port: Number(n![3]) }))
})

const EnvSchema = z
  .object({
    PORT: int(0, 65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    REDIS_URL: z.url({ protocol: /^rediss?$/, message: 'must be a redis:// or rediss:// URL' }).optional(),
    REDIS_CLUSTER_NODES: clusterNodes.optional(),
    REDIS_DURABILITY: z.enum(['none', 'aof'], { message: 'must be none or aof' }).default('none'),
    MAX_TTL_SECONDS: int(TTL.minSeconds).default(TTL.defaultMaxSeconds),
    MAX_VIEWS: int(1, 10_000).default(VIEWS.defaultMax),
    MAX_FAILED_ATTEMPTS: int(ATTEMPTS.min, ATTEMPTS.max).default(ATTEMPTS.default),
    STATUS_RETENTION_SECONDS: int(0).default(7 * 24 * 3600),
    // How long a claimed reveal can be fetched again after a lost answer; the ciphertext of
    // a secret whose last view was claimed but never acknowledged stays this long at most.
    CLAIM_RETRY_SECONDS: int(CLAIM_RETRY.minSeconds, CLAIM_RETRY.maxSeconds).default(CLAIM_RETRY.defaultSeconds),
    TRUST_PROXY: trustProxy.default(false),
    ALLOW_HTTP_REDIRECTS: bool.default(false),
    RATE_LIMIT_CREATE_PER_MINUTE: int(1).default(30),
    RATE_LIMIT_READ_PER_MINUTE: int(1).default(120),
    RATE_LIMIT_IPV6_PREFIX: int(1, 128).default(64),
    // Bytes of secrets and file chunks one client (counted as the rate limits count it) may
    // store in any hour; at least one largest text secret. Unset: two of the largest file
    // secrets plus 10 MiB, so the file limit the server publishes can always be used.
    CREATE_BYTES_PER_HOUR: int(MAX_CT_BYTES + MAX_HEADER_BYTES).optional(),
    // Stored bytes past which creates are refused; unset: 80 % of Redis maxmemory, or 256 MiB
    // for the memory store. 0: no such budget.
    MAX_STORED_BYTES: int(0).optional(),
    // Nobody may hold a connection: headers must arrive within 10 s, a whole request within
    // 60 s (a 1 MiB upload chunk, 1.4 MB as JSON, needs ~45 s at 256 kbit/s), and a socket
    // with no byte either way for 30 s, or idle for 5 s between requests, is closed. 2,048
    // connections at ~15 KB each bound the memory they can take.
    HTTP_HEADERS_TIMEOUT_SECONDS: int(1, 600).default(10),
    HTTP_REQUEST_TIMEOUT_SECONDS: int(1, 3600).default(60),
    HTTP_IDLE_TIMEOUT_SECONDS: int(1, 3600).default(30),
    HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: int(1, 600).default(5),
    HTTP_MAX_CONNECTIONS: int(1).default(2048),
    // Prometheus metrics on a listener of their own, off unless a port is set (0: any free
    // one); loopback by default, since they are for a scraper on this machine or a private network.
    METRICS_PORT: int(0, 65535).optional(),
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    // Where file chunks live: memory (default without Redis), redis (default with it) or s3.
    BLOB_STORE: z.enum(['memory', 'redis', 's3'], { message: 'must be memory, redis or s3' }).optional(),
    S3_ENDPOINT: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }).optional(),
    S3_BUCKET: z.string().min(3, 'must be a bucket name').max(63, 'must be a bucket name').optional(),
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    S3_FORCE_PATH_STYLE: bool.default(false),
    // Padded plaintext of all files of one secret; unset: 25 MiB, or 1 GiB with S3.
    MAX_FILE_BYTES: int(MIN_PADDED_FILE_BYTES, MAX_FILE_SIZE).optional(),
    MAX_FILES: int(1, 1000).default(10),
    DOWNLOAD_WINDOW_SECONDS: int(60, 86_400).default(900),
    // From create to commit: an upload not committed by then is deleted.
    UPLOAD_TTL_SECONDS: int(60, 86_400).default(3600),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SHUTDOWN_DRAIN_SECONDS: int(0, 300).default(1),
    WEB_ROOT: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.REDIS_URL && env.REDIS_CLUSTER_NODES) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_CLUSTER_NODES'],
        message: 'set either REDIS_URL or REDIS_CLUSTER_NODES, not both',
      })
    }
    if (env.REDIS_DURABILITY === 'aof' && !env.REDIS_URL && !env.REDIS_CLUSTER_NODES) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_DURABILITY'],
        message: 'aof needs REDIS_URL or REDIS_CLUSTER_NODES',
      })
    }
    if (env.METRICS_PORT === env.PORT && env.PORT !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['METRICS_PORT'],
        message: 'must differ from PORT: metrics are never served on the public port',
      })
    }
    const redis = env.REDIS_URL || env.REDIS_CLUSTER_NODES
    if (env.BLOB_STORE === 'redis' && !redis) {
      ctx.addIssue({ code: 'custom', path: ['BLOB_STORE'], message: 'redis needs REDIS_URL or REDIS_CLUSTER_NODES' })
    }
    if (env.BLOB_STORE === 's3' && !env.S3_BUCKET) {
      ctx.addIssue({ code: 'custom', path: ['S3_BUCKET'], message: 'must be set with BLOB_STORE=s3' })
    }
    if (env.S3_BUCKET && env.BLOB_STORE !== 's3') {
      ctx.addIssue({
        code: 'custom',
        path: ['BLOB_STORE'],
        message: 'must be s3 to use S3_BUCKET (or unset S3_BUCKET)',
      })
    }
    if (!env.S3_ACCESS_KEY_ID !== !env.S3_SECRET_ACCESS_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: [env.S3_ACCESS_KEY_ID ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID'],
        message:
          'set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (the SDK then finds credentials itself)',
      })
    }
    if (env.DOWNLOAD_WINDOW_SECONDS < env.CLAIM_RETRY_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['DOWNLOAD_WINDOW_SECONDS'],
        message: 'must be at least CLAIM_RETRY_SECONDS: a file download is a claimed reveal',
      })
    }
    if (env.HTTP_HEADERS_TIMEOUT_SECONDS > env.HTTP_REQUEST_TIMEOUT_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['HTTP_HEADERS_TIMEOUT_SECONDS'],
        message: 'must be at most HTTP_REQUEST_TIMEOUT_SECONDS: the headers are part of the request',
      })
    }
  })
  .transform((env) => {
    const storage = storageOf(env)
    return {
      port: env.PORT,
      host: env.HOST,
      redisUrl: env.REDIS_URL,
      redisClusterNodes: env.REDIS_CLUSTER_NODES,
      redisDurability: env.REDIS_DURABILITY,
      maxTtlSeconds: env.MAX_TTL_SECONDS,
      maxViews: env.MAX_VIEWS,
      maxFailedAttempts: env.MAX_FAILED_ATTEMPTS,
      statusRetentionSeconds: env.STATUS_RETENTION_SECONDS,
      claimRetrySeconds: env.CLAIM_RETRY_SECONDS,
      trustProxy: env.TRUST_PROXY,
      allowHttpRedirects: env.ALLOW_HTTP_REDIRECTS,
      rateLimit: {
        createPerMinute: env.RATE_LIMIT_CREATE_PER_MINUTE,
        readPerMinute: env.RATE_LIMIT_READ_PER_MINUTE,
        ipv6Prefix: env.RATE_LIMIT_IPV6_PREFIX,
      },
      budgets: {
        createBytesPerHour: env.CREATE_BYTES_PER_HOUR ?? 2 * storage.files.maxBytes + 10 * 1024 ** 2,
        maxStoredBytes: env.MAX_STORED_BYTES,
      },
      http: {
        headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_SECONDS * 1000,
        requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
        idleTimeoutMs: env.HTTP_IDLE_TIMEOUT_SECONDS * 1000,
        keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
        maxConnections: env.HTTP_MAX_CONNECTIONS,
      },
      metrics: env.METRICS_PORT === undefined ? undefined : { port: env.METRICS_PORT, host: env.METRICS_HOST },
      logLevel: env.LOG_LEVEL,
      shutdownDrainSeconds: env.SHUTDOWN_DRAIN_SECONDS,
      webRoot: env.WEB_ROOT,
      ...storage,
    }
  })

type BlobStoreKind = 'memory' | 'redis' | 's3'

/** Where file chunks go and the limits that follow from it. */
function storageOf(env: {
  BLOB_STORE?: BlobStoreKind
  REDIS_URL?: string
  REDIS_CLUSTER_NODES?: unknown
  S3_ENDPOINT?: string
  S3_BUCKET?: string
  S3_REGION: string
  S3_ACCESS_KEY_ID?: string
  S3_SECRET_ACCESS_KEY?: string
  S3_FORCE_PATH_STYLE: boolean
  MAX_FILE_BYTES?: number
  MAX_FILES: number
  DOWNLOAD_WINDOW_SECONDS: number
  UPLOAD_TTL_SECONDS: number
}) {
  const store: BlobStoreKind = env.BLOB_STORE ?? (env.REDIS_URL || env.REDIS_CLUSTER_NODES ? 'redis' : 'memory')
  const s3 =
    store === 's3' && env.S3_BUCKET
      ? {
          endpoint: env.S3_ENDPOINT,
          bucket: env.S3_BUCKET,
          region: env.S3_REGION,
          forcePathStyle: env.S3_FORCE_PATH_STYLE,
          credentials:
            env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
              ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
              : undefined,
        }
      : undefined
  return {
    blobs: { store, s3 },
    files: {
      // Memory and Redis hold every byte in RAM; a bucket does not.
      maxBytes: env.MAX_FILE_BYTES ?? (store === 's3' ? 1024 ** 3 : 25 * 1024 ** 2),
      maxFiles: env.MAX_FILES,
      downloadWindowSeconds: env.DOWNLOAD_WINDOW_SECONDS,
      uploadTtlSeconds: env.UPLOAD_TTL_SECONDS,
    },
  }
}

export type Config = Readonly<z.output<typeof EnvSchema>>

/** The name of every environment variable the server reads, for the checks that docs name only real ones. */
export const SETTINGS: readonly string[] = Object.keys(EnvSchema.in.shape)

const SECRET_SETTINGS = new Set(['S3_SECRET_ACCESS_KEY'])

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

/** Empty strings count as unset, as they do in most .env tooling. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = EnvSchema.safeParse(present)
  if (parsed.success) return Object.freeze(parsed.data)
  const lines = parsed.error.issues.map((i) => {
    const name = String(i.path[0])
    const value = SECRET_SETTINGS.has(name) ? '(hidden)' : JSON.stringify(present[name] ?? '')
    return `  ${i.path.join('.')}=${value}: ${i.message}`
  })
  throw new ConfigError(`Invalid configuration; fix these environment variables:\n${lines.join('\n')}`)
}

/** Defaults for tests and embedding: the same parse, so the two cannot drift. */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  return Object.freeze({ ...loadConfig({}), ...overrides })
}
