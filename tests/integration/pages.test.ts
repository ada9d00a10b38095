/**
 * What the server answers for pages and their files: precompressed bodies chosen by
 * Accept-Encoding (and the same bytes once decoded), an HTML 404 page for a browser that
 * visits an unknown address while API clients keep the JSON one, and one canonical address
 * per page.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorBody, LIMITS_META_NAME, PAGE_PATHS } from '@burnlink/shared'
import { buildApp, type App } from '../../server/src/app.ts'
import { defaultConfig } from '../../server/src/config.ts'
import { MemoryStore } from '../../server/src/store/memory-store.ts'
import { WEB_DIST } from '../helpers/server.ts'

/** What Chromium sends when a person opens an address. */
const NAVIGATION = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'accept-encoding': 'gzip, deflate, br, zstd',
}

const DECODE: Record<string, (body: Buffer) => Buffer> = { br: brotliDecompressSync, gzip: gunzipSync }

const LIMITS_META = new RegExp(`<meta name="${LIMITS_META_NAME}" content="[^"]*"`)

describe('pages and their files', () => {
  const store = new MemoryStore({ maxFailedAttempts: 5, statusRetentionSeconds: 60 })
  let app: App
  let files: string[]
  /** The create page's main script, by far its largest file. */
  let entryChunk: string

  beforeAll(async () => {
    const index = readFileSync(join(WEB_DIST, 'index.html'), 'utf8')
    files = [...index.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!)
    entryChunk = files.find((f) => /\/web-[^/]+\.js$/.test(f))!
    app = await buildApp({ config: defaultConfig({ webRoot: WEB_DIST }), store })
  })
  afterAll(async () => {
    await app.close()
    await store.close()
  })

  describe('compression', () => {
    it('finds the create page script and stylesheet in index.html', () => {
      expect(entryChunk).toBeDefined()
      expect(files.filter((f) => f.endsWith('.css'))).not.toEqual([])
    })

    it.each([
      ['br', '.br'],
      ['gzip', '.gz'],
    ])('sends %s copies of pages and assets that decode to the same bytes', async (encoding, suffix) => {
      for (const url of ['/', '/s', ...files]) {
        const identity = await app.inject({ url })
        const encoded = await app.inject({ url, headers: { 'accept-encoding': encoding } })
        expect(identity.headers['content-encoding'], url).toBeUndefined()
        for (const res of [identity, encoded]) {
          expect(res.statusCode, url).toBe(200)
          expect(res.headers.vary, url).toMatch(/accept-encoding/i)
        }
        // The build skips a copy that would not be smaller (the entry stub, a few dozen bytes): sent as it is.
        const copied = !url.startsWith('/assets/') || existsSync(join(WEB_DIST, `${url}${suffix}`))
        if (!copied) {
          expect(identity.rawPayload.length, url).toBeLessThan(200)
          expect(encoded.headers['content-encoding'], url).toBeUndefined()
          continue
        }
        expect(encoded.headers['content-encoding'], url).toBe(encoding)
        expect(encoded.headers['content-type'], url).toBe(identity.headers['content-type'])
        expect(encoded.rawPayload.length, url).toBeLessThan(identity.rawPayload.length)
        expect(DECODE[encoding]!(encoded.rawPayload).equals(identity.rawPayload), url).toBe(true)
      }
    })

    it('prefers brotli when a browser takes both, and honours q=0', async () => {
      const browser = await app.inject({
        url: entryChunk,
        headers: { 'accept-encoding': NAVIGATION['accept-encoding'] },
      })
      expect(browser.headers['content-encoding']).toBe('br')
      const noBrotli = await app.inject({ url: '/', headers: { 'accept-encoding': 'br;q=0, gzip' } })
      expect(noBrotli.headers['content-encoding']).toBe('gzip')
      const none = await app.inject({ url: entryChunk, headers: { 'accept-encoding': 'identity' } })
      expect(none.headers['content-encoding']).toBeUndefined()
    })

    it('keeps the year-long cache on compressed assets', async () => {
      const res = await app.inject({ url: entryChunk, headers: { 'accept-encoding': 'br' } })
      expect(res.headers['content-encoding']).toBe('br')
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    })

    it('compresses nothing on the API', async () => {
      const res = await app.inject({ url: '/api/v1/openapi.json', headers: { 'accept-encoding': 'br, gzip' } })
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-encoding']).toBeUndefined()
      JSON.parse(res.body)
    })
  })

  // A phone opening a link would otherwise find the reveal view only after the entry chunk ran.
  describe("a lazy view's address", () => {
    const preloads = (html: string) => [...html.matchAll(/<link rel="(?:modulepreload|preload)"[^>]* href="([^"]+)"/g)]
    const page = async (url: string) => (await app.inject({ url })).body

    it.each([
      ['/s', /\/assets\/RevealSecretView-[^/]+\.js$/, /\/assets\/en\.reveal-[^/]+\.js$/],
      ['/links', /\/assets\/LinksView-[^/]+\.js$/, /\/assets\/en\.links-[^/]+\.js$/],
      ['/r', /\/assets\/ManageSecretView-[^/]+\.js$/, /\/assets\/en\.manage-[^/]+\.js$/],
    ])('%s preloads its view and its words, each a file the server serves', async (url, view, words) => {
      const hrefs = preloads(await page(url)).map((m) => m[1]!)
      expect(hrefs.filter((h) => view.test(h))).toHaveLength(1)
      expect(hrefs.filter((h) => words.test(h))).toHaveLength(1)
      for (const href of hrefs) expect((await app.inject({ url: href })).statusCode, href).toBe(200)
    })

    it('/ preloads only what index.html loads anyway: the create page is not made heavier', async () => {
      const html = await page('/')
      // index.html as built, with the server's limits written in.
      expect(html.replace(LIMITS_META, '')).toBe(
        readFileSync(join(WEB_DIST, 'index.html'), 'utf8').replace(LIMITS_META, ''),
      )
      expect(
        preloads(html)
          .map((m) => m[1]!)
          .every((href) => files.includes(href)),
      ).toBe(true)
    })
  })

  // The app starts with them instead of a request, and the validators it would load to check the answer.
  describe("the server's limits, written into every page", () => {
    const limitsIn = (html: string) => {
      const content = new RegExp(`<meta name="${LIMITS_META_NAME}" content="([^"]*)"`).exec(html)?.[1]
      return content === undefined ? undefined : JSON.parse(content.replaceAll('&quot;', '"').replaceAll('&amp;', '&'))
    }

    /** A server whose limits are not the stock ones, so a page cannot pass with the defaults. */
    let custom: App
    beforeAll(async () => {
      custom = await buildApp({
        config: defaultConfig({ webRoot: WEB_DIST, maxViews: 3, maxTtlSeconds: 7200, allowHttpRedirects: true }),
        store,
      })
    })
    afterAll(() => custom.close())

    it.each(Object.entries(PAGE_PATHS))('the %s page carries what GET /config answers', async (_name, url) => {
      const api = (await custom.inject({ url: '/api/v1/config' })).json()
      expect(api).toMatchObject({ maxViews: 3, maxTtlSeconds: 7200, allowHttpRedirects: true })
      for (const encoding of ['identity', 'br', 'gzip']) {
        const res = await custom.inject({ url, headers: { 'accept-encoding': encoding } })
        const html = (DECODE[encoding] ?? ((b: Buffer) => b))(res.rawPayload).toString('utf8')
        expect(limitsIn(html), `${url} (${encoding})`).toEqual(api)
      }
      // And the stock server its own, not the custom one's: each app writes its pages anew.
      expect(limitsIn((await app.inject({ url })).body)).toEqual((await app.inject({ url: '/api/v1/config' })).json())
    })

    it('refuses to start on a build whose pages have no place for them, naming the fix', async () => {
      const root = mkdtempSync(join(tmpdir(), 'burnlink-web-'))
      try {
        writeFileSync(join(root, 'index.html'), '<!doctype html><title>old build</title><div id="app"></div>')
        writeFileSync(join(root, '404.html'), '<!doctype html><title>Page not found</title>')
        await expect(buildApp({ config: defaultConfig({ webRoot: root }), store })).rejects.toThrow(
          /no <meta name="burnlink-limits">: rebuild the web app/,
        )
      } finally {
        rmSync(root, { recursive: true, force: true })
      }
    })
  })

  describe('an address nothing is served at', () => {
    it.each(['/nothing/here', '/S', '/Links', '/s/extra', '/assets/gone.js'])(
      'is an HTML page with a way home when a browser visits %s',
      async (url) => {
        const res = await app.inject({ url, headers: NAVIGATION })
        expect(res.statusCode).toBe(404)
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
        expect(res.headers['cache-control']).toBe('no-store')
        expect(res.headers['content-security-policy']).toContain("default-src 'none'")
        const html = brotliDecompressSync(res.rawPayload).toString('utf8')
        expect(html).toContain('<a href="/">')
        expect(html).toMatch(/case-sensitive/)
      },
    )

    it('is a page that needs no inline script or style, and whose stylesheet is served', async () => {
      const html = (await app.inject({ url: '/nothing', headers: { accept: 'text/html' } })).body
      expect(html).not.toMatch(/<script|<style|\sstyle=/i)
      const sheet = /<link rel="stylesheet" href="([^"]+)"/.exec(html)![1]!
      const res = await app.inject({ url: sheet })
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toMatch(/^text\/css/)
    })

    it.each([
      ['an API path, even from a browser', 'GET', '/api/v1/nothing', NAVIGATION],
      ['a client that asks for JSON', 'GET', '/nothing', { accept: 'application/json' }],
      ['a client that names no type', 'GET', '/nothing', {}],
      ['curl', 'GET', '/nothing', { accept: '*/*' }],
      ['a POST', 'POST', '/nothing', NAVIGATION],
    ] as const)('is the JSON 404 for %s', async (_name, method, url, headers) => {
      const res = await app.inject({ method, url, headers })
      expect(res.statusCode).toBe(404)
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
      expect(ErrorBody.parse(res.json()).error).toBe('not_found')
    })

    it('costs a browser a request from the same budget as before', async () => {
      const limited = await buildApp({
        config: defaultConfig({
          webRoot: WEB_DIST,
          rateLimit: { ...defaultConfig().rateLimit, readPerMinute: 2 },
        }),
        store,
      })
      try {
        const statuses = []
        for (let i = 0; i < 3; i++)
          statuses.push((await limited.inject({ url: `/nothing/${i}`, headers: NAVIGATION })).statusCode)
        expect(statuses).toEqual([404, 404, 429])
      } finally {
        await limited.close()
      }
    })
  })

  describe('a page address with a trailing slash', () => {
    it.each([
      ['/s/', '/s'],
      ['/r/', '/r'],
      ['/links/', '/links'],
      ['/links/?from=mail', '/links?from=mail'],
    ])('%s moves to %s for good', async (url, location) => {
      const res = await app.inject({ url, headers: NAVIGATION })
      expect(res.statusCode).toBe(301)
      expect(res.headers.location).toBe(location)
    })
  })
})
