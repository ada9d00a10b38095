import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Validator } from '@seriousme/openapi-schema-validator'
import { buildApp, type App } from '../src/app.ts'
import { defaultConfig } from '../src/config.ts'
import { API_ERRORS } from '../src/errors.ts'
import { MemoryStore } from '../src/store/memory-store.ts'

describe('GET /api/v1/openapi.json', () => {
  let app: App
  // The document is checked by the validator first; after that only its shape matters here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let doc: Record<string, any>
  const store = new MemoryStore({ maxFailedAttempts: 5, statusRetentionSeconds: 60 })

  beforeAll(async () => {
    app = await buildApp({ config: defaultConfig(), store })
    const res = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })
    expect(res.statusCode).toBe(200)
    doc = res.json()
  })
  afterAll(async () => {
    await app.close()
    await store.close()
  })

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0')
    const result = await new Validator().validate(doc)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
  })

  it('lists every endpoint with its errors', () => {
    const ops = (path: string) => Object.keys(doc.paths[path]?.post?.responses ?? {}).sort()
    expect(ops('/api/v1/secrets')).toEqual(['201', '400', '409', '413', '415', '429', '503'])
    expect(ops('/api/v1/secrets/meta')).toEqual(['200', '400', '404', '410', '413', '415', '429', '503'])
    expect(ops('/api/v1/secrets/reveal')).toEqual(['200', '400', '401', '404', '410', '413', '415', '429', '503'])
    expect(ops('/api/v1/secrets/ack')).toEqual(['204', '400', '404', '413', '415', '429', '503'])
    expect(ops('/api/v1/secrets/status')).toEqual(['200', '400', '404', '413', '415', '429', '503'])
    expect(ops('/api/v1/secrets/burn')).toEqual(['200', '400', '404', '410', '413', '415', '429', '503'])
    expect(ops('/api/v1/secrets/chunk')).toEqual(['204', '400', '404', '409', '413', '415', '429', '503'])
    expect(ops('/api/v1/secrets/commit')).toEqual(['200', '400', '404', '409', '413', '415', '429', '503'])
    expect(ops('/api/v1/secrets/abort')).toEqual(['204', '400', '404', '409', '413', '415', '429', '503'])
    expect(ops('/api/v1/secrets/chunk/read')).toEqual(['200', '400', '404', '410', '413', '415', '429', '503'])
    expect(doc.paths['/api/v1/config']?.get).toBeDefined()
    const create = doc.paths['/api/v1/secrets'].post.requestBody.content['application/json'].schema
    expect(Object.keys(create.properties).sort()).toEqual([
      'av',
      'ct',
      'files',
      'hdr',
      'maxViews',
      'mv',
      'rv',
      'sid',
      'ttl',
      'uv',
      'v',
    ])
    expect(create.additionalProperties).toBe(false)
  })

  it('describes each error response from the error table', () => {
    const responses = doc.paths['/api/v1/secrets/reveal'].post.responses
    expect(responses['401'].description).toBe(`wrong_passphrase: ${API_ERRORS.wrongPassphrase.meaning}`)
    // Two kinds share 503: one response describes both.
    expect(responses['503'].description).toBe(
      `unavailable: ${API_ERRORS.storageUnreachable.meaning} | unavailable: ${API_ERRORS.storageFull.meaning}`,
    )
  })
})
