/**
 * Real Chromium for the browser tests: Debian's `chromium` driven by playwright-core (no
 * downloaded browser). Each "person" is its own browser context: separate cookies, storage
 * and cache, as separate profiles would be. Every request, console error, page error and CSP
 * violation of a person is recorded so tests can assert on what left the browser.
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import {
  ARGON2,
  createClient,
  encodeB64u,
  parseSecretLink,
  PayloadType,
  prepareSecret,
  type PrepareSecretOptions,
} from '@burnlink/shared'
import { startTestServer, type TestServerOptions } from './server.ts'
import { buildWeb } from './web-build.ts'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const WEB = join(ROOT, 'web')
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

const INSTALL_HINT = `no Chromium at ${CHROMIUM_PATH}: install it with "sudo apt-get install chromium" (or set CHROMIUM_PATH)`

/**
 * Whether the browser suite can run. In CI a missing browser is a failure, never a skip;
 * elsewhere the suite skips with a line nobody can miss.
 */
export function hasChromium(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true
  if (process.env.CI) throw new Error(`browser tests cannot run in CI: ${INSTALL_HINT}`)
  console.warn(`\n!!! SKIPPING the browser tests: ${INSTALL_HINT}\n`)
  return false
}

function newestMtime(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))))
}

/**
 * Builds web/dist when it is missing or older than any source it is built from. Called once per
 * run by global-web.ts, the globalSetup of the projects that serve it.
 */
export function ensureWebBuilt(): void {
  const built = join(WEB, 'dist', 'index.html')
  const sources = [
    join(WEB, 'src'),
    join(WEB, 'public'),
    join(WEB, 'index.html'),
    join(WEB, 'vite.config.ts'),
    join(ROOT, 'shared', 'src'),
  ]
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newestMtime))) return
  buildWeb()
}

export function launchChromium(): Promise<Browser> {
  // launch() gives the browser a fresh temporary profile of its own and deletes it on close.
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}

export interface RecordedRequest {
  url: string
  method: string
  headers: Record<string, string>
  body: string
}

export interface Person {
  context: BrowserContext
  page: Page
  /** Every request of the context, pages and workers alike; complete after `settle()`. */
  requests: RecordedRequest[]
  cspViolations: string[]
  consoleErrors: string[]
  pageErrors: string[]
  settle(): Promise<void>
}

/**
 * Playwright's init scripts are injected by the browser itself (DevTools protocol), not as
 * inline <script> elements, so this listener runs even under `script-src 'self'`.
 */
function reportViolations(): void {
  document.addEventListener('securitypolicyviolation', (e) => {
    console.error(
      `CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`,
    )
  })
}

export async function newPerson(
  browser: Browser,
  options: { width?: number; colorScheme?: 'light' | 'dark' } = {},
): Promise<Person> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1100, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
  })
  await context.addInitScript(reportViolations)
  const pending: Promise<unknown>[] = []
  const person: Omit<Person, 'page'> = {
    context,
    requests: [],
    cspViolations: [],
    consoleErrors: [],
    pageErrors: [],
    settle: async () => void (await Promise.all(pending)),
  }
  context.on('request', (request) => {
    pending.push(
      request.allHeaders().then(
        (headers) => {
          person.requests.push({
            url: request.url(),
            method: request.method(),
            headers,
            body: request.postData() ?? '',
          })
        },
        // Only when the browser closes with a request in flight (suite teardown): nothing left to check.
        () => undefined,
      ),
    )
  })
  context.on('console', (message) => {
    if (message.type() !== 'error') return
    const text = message.text()
    ;(text.startsWith('CSP violation') ? person.cspViolations : person.consoleErrors).push(text)
  })
  context.on('weberror', (error) => person.pageErrors.push(String(error.error())))
  return { ...person, page: await context.newPage() }
}

export interface BrowserSuite {
  readonly browser: Browser
  /** The test server's origin, e.g. http://127.0.0.1:41234 */
  readonly url: string
}

/**
 * One server and one Chromium per test file (the app is built by global-web.ts), torn down after it. Call inside
 * a `describe`; the returned object is filled in by `beforeAll`.
 */
export function useBrowserSuite(options: TestServerOptions = {}): BrowserSuite {
  let browser: Browser | undefined
  let server: Awaited<ReturnType<typeof startTestServer>> | undefined
  beforeAll(async () => {
    server = await startTestServer(options)
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })
  return {
    get browser() {
      if (!browser) throw new Error('the browser suite is not started')
      return browser
    },
    get url() {
      if (!server) throw new Error('the browser suite is not started')
      return server.url
    },
  }
}

export type SeedOptions = Partial<Omit<PrepareSecretOptions, 'origin'>>

/**
 * A secret created from Node with the shared code, as the CLI would: faster than driving the
 * form when the test is about the recipient's side. Argon2id costs default to the minimum
 * clients accept, to keep passphrase tests quick.
 */
export async function seedSecret(baseUrl: string, options: SeedOptions = {}) {
  const prepared = await prepareSecret({
    type: PayloadType.text,
    text: 'seeded secret',
    ttl: 3600,
    maxViews: 1,
    kdf: { m: ARGON2.minM, t: ARGON2.minT },
    ...options,
    origin: baseUrl,
  })
  const client = createClient({ baseUrl })
  await client.create(prepared.request)
  const ref = { sid: prepared.sid, mt: prepared.mt }
  return { ...prepared, client, status: () => client.status(ref) }
}

/** The key of a secret link in every spelling a careless client might send it. */
export function keyForms(link: string): string[] {
  const { k } = parseSecretLink(link)
  const hex = Buffer.from(k).toString('hex')
  return [encodeB64u(k), hex, hex.toUpperCase()]
}

/** "value in METHOD url" for every request (URL, headers or body) that carries one of the values. */
export function leaksIn(
  requests: RecordedRequest[],
  values: string[],
  where: (url: string) => boolean = () => true,
): string[] {
  return requests
    .filter((r) => where(r.url))
    .flatMap((r) => {
      const sent = `${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`
      return values.filter((v) => sent.includes(v)).map((v) => `${v} in ${r.method} ${r.url}`)
    })
}

/** `leaksIn` over everything the people's browsers sent. */
export async function leaks(
  people: Person[],
  values: string[],
  where: (url: string) => boolean = () => true,
): Promise<string[]> {
  await Promise.all(people.map((p) => p.settle()))
  return leaksIn(
    people.flatMap((p) => p.requests),
    values,
    where,
  )
}

/** No CSP violation, console error or uncaught error on any page of the person. */
export function expectClean(person: Person): void {
  expect(person.cspViolations).toEqual([])
  expect(person.consoleErrors).toEqual([])
  expect(person.pageErrors).toEqual([])
}

export interface RedirectTarget {
  /** host:port, as the reveal page shows it. */
  host: string
  /** Arrivals at `path` only: a browser may also ask the target for /favicon.ico. */
  hits(): number
  close(): Promise<void>
}

/** A local stand-in for the site a redirect secret leads to (so tests make no request off the machine). */
export async function startRedirectTarget(path: string): Promise<RedirectTarget> {
  let hits = 0
  const server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname === path) hits++
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>arrived</title>arrived')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
