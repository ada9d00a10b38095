/**
 * Serves the built SPA. Page routes return index.html, or for a lazy view's address the build's
 * copy of it that also preloads the view, and never touch the store: opening a link must not
 * consume it (link previewers and mail scanners fetch pages).
 * Vite fingerprints everything under assets/, so those files can be cached for a year.
 *
 * Nothing is compressed per request: the build writes brotli and gzip copies beside every
 * asset, sent as they are, and the pages held in memory are compressed once at boot, after
 * the server's limits are written into them: the app then starts with them, without a
 * request (and the code that checks its answer) of its own.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { Negotiator } from '@fastify/accept-negotiator'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import fastifyStatic from '@fastify/static'
import { LIMITS_META_NAME, PAGE_PATHS, type ServerLimits } from '@burnlink/shared'

type Encoding = 'br' | 'gzip'

/** One HTML page in every encoding a browser may ask for. */
type Page = Readonly<Record<Encoding | 'identity', Buffer>>

type PageName = keyof typeof PAGE_PATHS

/** The built app, read once: where its files are, and the pages the server sends itself. */
export interface WebRoot {
  root: string
  /** index.html, or for a lazy view's address the copy that preloads that view (web/vite-page-preloads.ts). */
  pages: Readonly<Record<PageName, Page>>
  /** web/public/404.html: what a browser gets for an address nothing is served at. */
  notFound: Page
}

const encodings = new Negotiator<Encoding>({ supportedValues: ['br', 'gzip'] })

const LIMITS_META = new RegExp(`<meta name="${LIMITS_META_NAME}" content="[^"]*"`)

/** Attribute-safe JSON: the limits are numbers and booleans, but the escaping does not rely on it. */
const attribute = (value: unknown) =>
  JSON.stringify(value).replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;')

function withLimits(html: Buffer, path: string, limits: ServerLimits): Buffer {
  const text = html.toString('utf8')
  if (!LIMITS_META.test(text)) throw new Error(`${path} has no <meta name="${LIMITS_META_NAME}">: rebuild the web app`)
  return Buffer.from(text.replace(LIMITS_META, `<meta name="${LIMITS_META_NAME}" content="${attribute(limits)}"`))
}

function encoded(identity: Buffer): Page {
  return {
    identity,
    br: brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } }),
    gzip: gzipSync(identity, { level: constants.Z_BEST_COMPRESSION }),
  }
}

/** A page's own copy if the build wrote one (a lazy view's), else index.html; with the limits written in. */
async function readAppPage(path: string, index: string, limits: ServerLimits): Promise<Page> {
  const source = existsSync(path) ? path : index
  return encoded(withLimits(await readFile(source), source, limits))
}

export async function loadWebRoot(root: string, limits: ServerLimits): Promise<WebRoot> {
  const index = join(root, 'index.html')
  const names = Object.keys(PAGE_PATHS) as PageName[]
  const [notFound, ...pages] = await Promise.all([
    readFile(join(root, '404.html')).then(encoded),
    ...names.map((name) => readAppPage(join(root, 'pages', `${name}.html`), index, limits)),
  ])
  return { root, pages: Object.fromEntries(names.map((name, i) => [name, pages[i]!])) as WebRoot['pages'], notFound }
}

function sendPage(req: FastifyRequest, reply: FastifyReply, page: Page): FastifyReply {
  const encoding = encodings.negotiate(req.headers['accept-encoding']?.toLowerCase() ?? '')
  reply.type('text/html; charset=utf-8').header('vary', 'accept-encoding')
  if (encoding) reply.header('content-encoding', encoding)
  return reply.send(page[encoding ?? 'identity'])
}

/**
 * The 404 page for a browser visiting an address nothing is served at, with a way home; raw
 * JSON there would read as a broken site. API calls, scripts and assets keep the JSON 404
 * (undefined here), which their clients parse.
 */
export function notFoundPage(web: WebRoot, req: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
  const navigation =
    (req.method === 'GET' || req.method === 'HEAD') &&
    !req.url.startsWith('/api/') &&
    /\btext\/html\b/.test(req.headers.accept ?? '')
  return navigation ? sendPage(req, reply.code(404), web.notFound) : undefined
}

const webPlugin: FastifyPluginAsync<WebRoot> = async (app, web) => {
  await app.register(fastifyStatic, {
    root: web.root,
    index: false,
    cacheControl: false,
    preCompressed: true,
    setHeaders(res, filePath) {
      res.setHeader('vary', 'accept-encoding')
      if (filePath.startsWith(join(web.root, 'assets')))
        res.setHeader('cache-control', 'public, max-age=31536000, immutable')
    },
  })
  for (const [name, url] of Object.entries(PAGE_PATHS) as [PageName, string][]) {
    app.get(url, (req, reply) => sendPage(req, reply, web.pages[name]))
    // `/s/#1.…` and the like: one canonical address per page. The browser keeps the fragment
    // (the key) across a redirect whose Location has none.
    if (url !== '/')
      app.get(`${url}/`, (req, reply) => {
        const query = req.url.indexOf('?')
        return reply.redirect(query === -1 ? url : `${url}${req.url.slice(query)}`, 301)
      })
  }
}

export default webPlugin
