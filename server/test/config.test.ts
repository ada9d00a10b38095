import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../src/config.ts'

describe('loadConfig', () => {
  it('gives working defaults with an empty environment', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      redisUrl: undefined,
      maxTtlSeconds: 604800,
      maxViews: 100,
      maxFailedAttempts: 5,
      statusRetentionSeconds: 604800,
      trustProxy: false,
      allowHttpRedirects: false,
      rateLimit: { createPerMinute: 30, readPerMinute: 120 },
      logLevel: 'info',
      webRoot: undefined,
    })
  })

  it('parses every variable', () => {
    const c = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      REDIS_URL: 'redis://redis:6379/0',
      MAX_TTL_SECONDS: '3600',
      MAX_VIEWS: '5',
      MAX_FAILED_ATTEMPTS: '3',
      STATUS_RETENTION_SECONDS: '0',
      TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
      ALLOW_HTTP_REDIRECTS: 'true',
      LOG_LEVEL: 'warn',
    })
    expect(c).toMatchObject({ port: 8080, redisUrl: 'redis://redis:6379/0', maxFailedAttempts: 3, trustProxy: ['10.0.0.0/8', '127.0.0.1'], allowHttpRedirects: true })
    expect(Object.isFrozen(c)).toBe(true)
  })

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
  ])('reads TRUST_PROXY=%s', (v, expected) => {
    expect(loadConfig({ TRUST_PROXY: v }).trustProxy).toEqual(expected)
  })

  it('treats empty strings as unset', () => {
    expect(loadConfig({ REDIS_URL: '', PORT: '' })).toMatchObject({ redisUrl: undefined, port: 3000 })
  })

  it('names every bad variable in one error', () => {
    let error: unknown
    try {
      loadConfig({ PORT: 'eighty', REDIS_URL: 'http://x', MAX_FAILED_ATTEMPTS: '11', MAX_TTL_SECONDS: '10', LOG_LEVEL: 'loud' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    const message = (error as Error).message
    for (const name of ['PORT="eighty"', 'REDIS_URL="http://x"', 'MAX_FAILED_ATTEMPTS="11"', 'MAX_TTL_SECONDS="10"', 'LOG_LEVEL="loud"']) {
      expect(message).toContain(name)
    }
  })
})
