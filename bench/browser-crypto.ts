/**
 * Browser crypto time (issue 6): the shared code bundled for the browser, loaded into a
 * blank page served from 127.0.0.1 (a secure context, so WebCrypto is there) in headless
 * Chromium, timed in the page.
 */
import { createServer } from 'node:http'
import { once } from 'node:events'
import { build } from 'esbuild'
import type { Page } from 'playwright-core'
import { ARGON2 } from '@burnlink/shared'
import { launchChromium } from '../tests/helpers/browser.ts'
import { percentile } from './load.ts'

export interface CryptoTimes {
  iterations: number
  /** Medians and maxima in milliseconds. */
  seal64k: { median: number; max: number }
  open64k: { median: number; max: number }
  argon2id: { median: number; max: number; params: string }
  /** A secret request with a 64 KiB answer: make (keys and note), answer (ECDH and seal), collect (ECDH and open). */
  request: {
    make: { median: number; max: number }
    answer: { median: number; max: number }
    collect: { median: number; max: number }
  }
}

interface BenchApi {
  sealAndOpen(): Promise<{ seal: number; open: number }>
  argon2(): Promise<number>
  requestFlow(): Promise<{ make: number; answer: number; collect: number }>
  secure(): boolean
}

function call<K extends keyof BenchApi>(page: Page, op: K): Promise<Awaited<ReturnType<BenchApi[K]>>> {
  return page.evaluate(
    (name) => (globalThis as unknown as { burnlinkBench: BenchApi }).burnlinkBench[name]() as never,
    op,
  )
}

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b)
  return { median: percentile(sorted, 50), max: sorted[sorted.length - 1]! }
}

/**
 * `entry` bundled for the browser and served with a blank page that loads it, on 127.0.0.1
 * (a secure context, so WebCrypto is there); `close` stops the server.
 */
export async function serveBenchPage(entry: string): Promise<{ url: string; close(): void }> {
  const bundle = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'warning',
  })
  const script = bundle.outputFiles[0]!.text
  const http = createServer((req, res) => {
    if (req.url === '/bench.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script)
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script src="/bench.js"></script>')
  }).listen(0, '127.0.0.1')
  await once(http, 'listening')
  const { port } = http.address() as { port: number }
  return { url: `http://127.0.0.1:${port}/`, close: () => http.close() }
}

export async function measureBrowserCrypto(entry: string, iterations: number): Promise<CryptoTimes> {
  const served = await serveBenchPage(entry)
  const browser = await launchChromium()
  try {
    const page = await browser.newPage()
    await page.goto(served.url)
    if (!(await call(page, 'secure'))) throw new Error('the bench page is not a secure context')
    const runs: Array<{
      seal: number
      open: number
      argon2: number
      request: { make: number; answer: number; collect: number }
    }> = []
    // The first round compiles the WASM and warms the JIT; it is not counted.
    for (let i = 0; i <= iterations; i++) {
      const times = {
        ...(await call(page, 'sealAndOpen')),
        argon2: await call(page, 'argon2'),
        request: await call(page, 'requestFlow'),
      }
      if (i > 0) runs.push(times)
    }
    const { m, t } = ARGON2.defaults
    return {
      iterations,
      seal64k: summary(runs.map((r) => r.seal)),
      open64k: summary(runs.map((r) => r.open)),
      argon2id: { ...summary(runs.map((r) => r.argon2)), params: `m=${m} KiB, t=${t}, p=1` },
      request: {
        make: summary(runs.map((r) => r.request.make)),
        answer: summary(runs.map((r) => r.request.answer)),
        collect: summary(runs.map((r) => r.request.collect)),
      },
    }
  } finally {
    await browser.close()
    served.close()
  }
}
