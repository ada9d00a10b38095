import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../src/config.ts'

describe('loadConfig', () => {
  it('gives working defaults with an empty environment', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      redisUrl: undefined,
      redisClusterNodes: undefined,
      redisDurability: 'none',
      maxTtlSeconds: 604800,
      maxViews: 100,
      maxFailedAttempts: 5,
      statusRetentionSeconds: 604800,
      claimRetrySeconds: 300,
      trustProxy: false,
      allowHttpRedirects: false,
      rateLimit: { createPerMinute: 30, readPerMinute: 120, ipv6Prefix: 64 },
      budgets: { createBytesPerHour: 2 * 25 * 1024 ** 2 + 10 * 1024 ** 2, maxStoredBytes: undefined },
      http: {
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 60_000,
        idleTimeoutMs: 30_000,
        keepAliveTimeoutMs: 5_000,
        maxConnections: 2048,
      },
      logLevel: 'info',
      shutdownDrainSeconds: 1,
      webRoot: undefined,
      blobs: { store: 'memory', s3: undefined },
      files: { maxBytes: 25 * 1024 * 1024, maxFiles: 10, downloadWindowSeconds: 900, uploadTtlSeconds: 3600 },
    })
  })

  it('keeps file chunks beside the secrets unless told, and allows 1 GiB per secret in S3', () => {
    expect(loadConfig({ REDIS_URL: 'redis://r' }).blobs).toEqual({ store: 'redis', s3: undefined })
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'r:7000' }).blobs.store).toBe('redis')
    expect(loadConfig({ REDIS_URL: 'redis://r', BLOB_STORE: 'memory' }).blobs.store).toBe('memory')
    const s3 = loadConfig({
      BLOB_STORE: 's3',
      S3_ENDPOINT: 'https://s3.example.net',
      S3_BUCKET: 'burnlink-chunks',
      S3_REGION: 'eu-central-1',
      S3_ACCESS_KEY_ID: 'id',
      S3_SECRET_ACCESS_KEY: 'key',
      S3_FORCE_PATH_STYLE: 'true',
      MAX_FILES: '3',
      DOWNLOAD_WINDOW_SECONDS: '600',
      UPLOAD_TTL_SECONDS: '120',
    })
    expect(s3.blobs).toEqual({
      store: 's3',
      s3: {
        endpoint: 'https://s3.example.net',
        bucket: 'burnlink-chunks',
        region: 'eu-central-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'id', secretAccessKey: 'key' },
      },
    })
    expect(s3.files).toEqual({ maxBytes: 1024 ** 3, maxFiles: 3, downloadWindowSeconds: 600, uploadTtlSeconds: 120 })
    // Without keys the SDK finds credentials itself (environment, instance role).
    expect(loadConfig({ BLOB_STORE: 's3', S3_BUCKET: 'bucket' }).blobs.s3).toMatchObject({
      region: 'us-east-1',
      forcePathStyle: false,
      credentials: undefined,
    })
    expect(loadConfig({ MAX_FILE_BYTES: '1048576' }).files.maxBytes).toBe(1_048_576)
  })

  it('lets one client send the largest file secret the server publishes, unless told otherwise', () => {
    for (const env of [{}, { BLOB_STORE: 's3', S3_BUCKET: 'bucket' }, { MAX_FILE_BYTES: String(300 * 1024 ** 2) }]) {
      const config = loadConfig(env)
      expect(config.budgets.createBytesPerHour).toBeGreaterThan(2 * config.files.maxBytes)
    }
    expect(loadConfig({ CREATE_BYTES_PER_HOUR: '1000000' }).budgets.createBytesPerHour).toBe(1_000_000)
  })

  it('parses every variable', () => {
    const c = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      REDIS_URL: 'redis://redis:6379/0',
      REDIS_DURABILITY: 'aof',
      MAX_TTL_SECONDS: '3600',
      MAX_VIEWS: '5',
      MAX_FAILED_ATTEMPTS: '3',
      STATUS_RETENTION_SECONDS: '0',
      TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
      ALLOW_HTTP_REDIRECTS: 'true',
      RATE_LIMIT_IPV6_PREFIX: '56',
      CREATE_BYTES_PER_HOUR: '1000000',
      MAX_STORED_BYTES: '0',
      HTTP_HEADERS_TIMEOUT_SECONDS: '5',
      HTTP_REQUEST_TIMEOUT_SECONDS: '120',
      HTTP_IDLE_TIMEOUT_SECONDS: '90',
      HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '65',
      HTTP_MAX_CONNECTIONS: '10000',
      LOG_LEVEL: 'warn',
    })
    expect(c).toMatchObject({
      port: 8080,
      redisUrl: 'redis://redis:6379/0',
      redisDurability: 'aof',
      maxFailedAttempts: 3,
      trustProxy: ['10.0.0.0/8', '127.0.0.1'],
      allowHttpRedirects: true,
      rateLimit: { ipv6Prefix: 56 },
      budgets: { createBytesPerHour: 1_000_000, maxStoredBytes: 0 },
      http: {
        headersTimeoutMs: 5000,
        requestTimeoutMs: 120_000,
        idleTimeoutMs: 90_000,
        keepAliveTimeoutMs: 65_000,
        maxConnections: 10_000,
      },
    })
    expect(Object.isFrozen(c)).toBe(true)
  })

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
  ])('reads TRUST_PROXY=%s', (v, expected) => {
    expect(loadConfig({ TRUST_PROXY: v }).trustProxy).toEqual(expected)
  })

  it('reads REDIS_CLUSTER_NODES as host:port pairs, IPv6 in brackets', () => {
    expect(
      loadConfig({ REDIS_CLUSTER_NODES: 'redis-a:7000, 10.0.0.2:7001,[::1]:7002,', REDIS_DURABILITY: 'aof' }),
    ).toMatchObject({
      redisUrl: undefined,
      redisClusterNodes: [
        { host: 'redis-a', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: '::1', port: 7002 },
      ],
      redisDurability: 'aof',
    })
  })

  it.each([
    [{ REDIS_CLUSTER_NODES: 'redis-a' }, 'REDIS_CLUSTER_NODES="redis-a": must be a comma-separated list of host:port'],
    [{ REDIS_CLUSTER_NODES: 'redis-a:70000' }, 'REDIS_CLUSTER_NODES="redis-a:70000": must be a comma-separated list'],
    [{ REDIS_CLUSTER_NODES: 'redis://a:7000' }, 'REDIS_CLUSTER_NODES="redis://a:7000": must be a comma-separated list'],
    [
      { REDIS_URL: 'redis://a', REDIS_CLUSTER_NODES: 'b:7000' },
      'REDIS_CLUSTER_NODES="b:7000": set either REDIS_URL or REDIS_CLUSTER_NODES, not both',
    ],
    [{ REDIS_DURABILITY: 'aof' }, 'REDIS_DURABILITY="aof": aof needs REDIS_URL or REDIS_CLUSTER_NODES'],
    [{ REDIS_URL: 'redis://a', REDIS_DURABILITY: 'always' }, 'REDIS_DURABILITY="always": must be none or aof'],
    [
      { HTTP_HEADERS_TIMEOUT_SECONDS: '30', HTTP_REQUEST_TIMEOUT_SECONDS: '20' },
      'HTTP_HEADERS_TIMEOUT_SECONDS="30": must be at most HTTP_REQUEST_TIMEOUT_SECONDS',
    ],
    [{ HTTP_REQUEST_TIMEOUT_SECONDS: '0' }, 'HTTP_REQUEST_TIMEOUT_SECONDS="0": must be at least 1'],
    [{ RATE_LIMIT_IPV6_PREFIX: '129' }, 'RATE_LIMIT_IPV6_PREFIX="129": must be at most 128'],
    // Less than one largest secret would refuse some valid creates forever.
    [{ CREATE_BYTES_PER_HOUR: '65000' }, 'CREATE_BYTES_PER_HOUR="65000": must be at least 65717'],
    [{ BLOB_STORE: 'redis' }, 'BLOB_STORE="redis": redis needs REDIS_URL or REDIS_CLUSTER_NODES'],
    [{ BLOB_STORE: 'disk' }, 'BLOB_STORE="disk": must be memory, redis or s3'],
    [{ BLOB_STORE: 's3' }, 'S3_BUCKET="": must be set with BLOB_STORE=s3'],
    [{ S3_BUCKET: 'bucket' }, 'BLOB_STORE="": must be s3 to use S3_BUCKET'],
    [{ BLOB_STORE: 's3', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'id' }, 'S3_SECRET_ACCESS_KEY=(hidden): set both'],
    [{ BLOB_STORE: 's3', S3_BUCKET: 'bucket', S3_ENDPOINT: 'ftp://x' }, 'S3_ENDPOINT="ftp://x": must be an http://'],
    // A file download is a claimed reveal: the claim must last as long as its window.
    [{ DOWNLOAD_WINDOW_SECONDS: '120' }, 'DOWNLOAD_WINDOW_SECONDS="120": must be at least CLAIM_RETRY_SECONDS'],
    [{ MAX_FILE_BYTES: '100' }, 'MAX_FILE_BYTES="100": must be at least 256'],
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message)
  })

  it('treats empty strings as unset', () => {
    expect(loadConfig({ REDIS_URL: '', PORT: '' })).toMatchObject({ redisUrl: undefined, port: 3000 })
  })

  it('names every bad variable in one error', () => {
    let error: unknown
    try {
      loadConfig({
        PORT: 'eighty',
        REDIS_URL: 'http://x',
        MAX_FAILED_ATTEMPTS: '11',
        MAX_TTL_SECONDS: '10',
        LOG_LEVEL: 'loud',
      })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    const message = (error as Error).message
    for (const name of [
      'PORT="eighty"',
      'REDIS_URL="http://x"',
      'MAX_FAILED_ATTEMPTS="11"',
      'MAX_TTL_SECONDS="10"',
      'LOG_LEVEL="loud"',
    ]) {
      expect(message).toContain(name)
    }
  })
})
