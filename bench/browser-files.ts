/**
 * Files in the browser (issue 13), in headless Chromium:
 * - the shared chunk encryption and decryption of a 50 MB file, as MB/s, against
 *   WebCrypto's AES-GCM over the same bytes in one call in the same page and run (the
 *   ratio is the figure that holds from machine to machine);
 * - the peak JS memory of the pages and their workers while a 100 MB file goes through the
 *   real app: sent from the create page, saved from the reveal page in another context,
 *   written to disk as it arrives (the File System Access API, its picker answered by the
 *   origin's private file system, since headless Chromium shows no dialog).
 * JS memory is V8's heap plus the ArrayBuffer bytes it holds (Runtime.getHeapUsage of the
 * page and of every worker), live: each sample, every 50 ms or so, follows a forced garbage
 * collection, so what was written and dropped but not yet collected is not counted.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, CDPSession, Page } from 'playwright-core'
import { loadConfig } from '../server/src/config.ts'
import { launchChromium } from '../tests/helpers/browser.ts'
import { pickersFromPrivateFileSystem, privateFileSha256 } from '../tests/helpers/file-secrets.ts'
import { startTestServer } from '../tests/helpers/server.ts'
import { serveBenchPage } from './browser-crypto.ts'
import { percentile } from './load.ts'

const MB = 1_000_000

export interface BrowserFiles {
  throughput: {
    megabytes: number
    iterations: number
    /** MB/s, medians. */
    encrypt: number
    decrypt: number
    webcryptoEncrypt: number
    webcryptoDecrypt: number
    /** Chunked MB/s over one-call MB/s; at least 0.5 is the target. */
    encryptRatio: number
    decryptRatio: number
  }
  transfer: {
    megabytes: number
    /** Peak of the sender's and of the recipient's page with their workers, MB. */
    senderPeak: number
    recipientPeak: number
    /** Seconds for the create page to encrypt, upload and commit; for the reveal page to download, decrypt and save. */
    uploadSeconds: number
    downloadSeconds: number
    identical: boolean
  }
}

interface Times {
  encrypt: number
  decrypt: number
  oneEncrypt: number
  oneDecrypt: number
}

async function throughput(browser: Browser, root: string, megabytes: number, iterations: number) {
  const served = await serveBenchPage(join(root, 'bench/browser-files-entry.ts'))
  try {
    const page = await browser.newPage()
    await page.goto(served.url)
    const runs: Times[] = []
    // The first round warms the JIT and WebCrypto's threads; it is not counted.
    for (let i = 0; i <= iterations; i++) {
      const times = await page.evaluate(
        (size) =>
          (
            globalThis as unknown as { burnlinkFilesBench: { throughput(n: number): Promise<Times> } }
          ).burnlinkFilesBench.throughput(size),
        megabytes * MB,
      )
      if (i > 0) runs.push(times)
    }
    await page.close()
    const rate = (pick: (t: Times) => number) =>
      percentile(
        runs.map((t) => megabytes / (pick(t) / 1000)).sort((a, b) => a - b),
        50,
      )
    const [encrypt, decrypt] = [rate((t) => t.encrypt), rate((t) => t.decrypt)]
    const [webcryptoEncrypt, webcryptoDecrypt] = [rate((t) => t.oneEncrypt), rate((t) => t.oneDecrypt)]
    return {
      megabytes,
      iterations,
      encrypt,
      decrypt,
      webcryptoEncrypt,
      webcryptoDecrypt,
      encryptRatio: encrypt / webcryptoEncrypt,
      decryptRatio: decrypt / webcryptoDecrypt,
    }
  } finally {
    served.close()
  }
}

type HeapUsage = { usedSize: number; backingStorageSize?: number }

/**
 * Samples the live JS memory of a page and of every worker it starts, through DevTools:
 * each sample first collects garbage, so buffers already written and dropped do not count.
 */
async function watchMemory(page: Page): Promise<{ peak(): number; stop(): void }> {
  const cdp: CDPSession = await page.context().newCDPSession(page)
  const workers = new Set<string>()
  const waiting = new Map<number, (r: HeapUsage) => void>()
  let id = 0
  cdp.on('Target.attachedToTarget', (e) => void workers.add(e.sessionId))
  cdp.on('Target.detachedFromTarget', (e) => void workers.delete(e.sessionId ?? ''))
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const message = JSON.parse(e.message) as { id?: number; result?: HeapUsage }
    if (message.id !== undefined && message.result) waiting.get(message.id)?.(message.result)
  })
  // Not flattened: Playwright's own session is attached the flattened way, and this stays apart from it.
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false })
  const inWorker = (sessionId: string, method: string) =>
    new Promise<HeapUsage>((resolve) => {
      const n = ++id
      waiting.set(n, resolve)
      void cdp
        .send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: n, method }) })
        .catch(() => resolve({ usedSize: 0 }))
      setTimeout(() => resolve({ usedSize: 0 }), 2000)
    })
  const live = async (sessionId?: string): Promise<HeapUsage> => {
    if (sessionId === undefined) {
      await cdp.send('HeapProfiler.collectGarbage').catch(() => undefined)
      return cdp.send('Runtime.getHeapUsage').catch(() => ({ usedSize: 0 }))
    }
    await inWorker(sessionId, 'HeapProfiler.collectGarbage')
    return inWorker(sessionId, 'Runtime.getHeapUsage')
  }
  let peak = 0
  let stopped = false
  const sizeOf = (u: HeapUsage) => u.usedSize + (u.backingStorageSize ?? 0)
  void (async () => {
    while (!stopped) {
      const usages = await Promise.all([live(), ...[...workers].map((w) => live(w))])
      peak = Math.max(
        peak,
        usages.reduce((sum, u) => sum + sizeOf(u), 0),
      )
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  })()
  return { peak: () => peak, stop: () => void (stopped = true) }
}

async function transfer(browser: Browser, webRoot: string, megabytes: number) {
  const size = megabytes * MB
  const config = loadConfig({ MAX_FILE_BYTES: String(2 * size), WEB_ROOT: webRoot })
  const server = await startTestServer({ config })
  const dir = mkdtempSync(join(tmpdir(), 'burnlink-bench-files-'))
  try {
    const bytes = randomBytes(size)
    const path = join(dir, 'bench.bin')
    writeFileSync(path, bytes)
    const sender = await browser.newContext()
    const alice = await sender.newPage()
    await alice.goto(`${server.url}/`)
    await alice.getByLabel('Files', { exact: true }).check()
    await alice.getByLabel('Files to send').setInputFiles(path)
    const aliceMemory = await watchMemory(alice)
    const up = performance.now()
    await alice.getByRole('button', { name: 'Create link' }).click()
    const linkField = alice.getByLabel('Secret link', { exact: true })
    await linkField.waitFor({ timeout: 600_000 })
    const uploadSeconds = (performance.now() - up) / 1000
    aliceMemory.stop()
    const link = await linkField.inputValue()
    await sender.close()

    const recipient = await browser.newContext()
    await recipient.addInitScript(pickersFromPrivateFileSystem)
    const bob = await recipient.newPage()
    await bob.goto(link)
    await bob.getByRole('button', { name: 'Reveal secret' }).click()
    await bob.getByRole('heading', { name: 'The files' }).waitFor()
    const bobMemory = await watchMemory(bob)
    const down = performance.now()
    await bob.getByRole('button', { name: 'Download bench.bin' }).click()
    await bob.getByText('Saved.').waitFor({ timeout: 600_000 })
    const downloadSeconds = (performance.now() - down) / 1000
    bobMemory.stop()
    const saved = await privateFileSha256(bob, 'bench.bin')
    await recipient.close()
    return {
      megabytes,
      senderPeak: aliceMemory.peak() / MB,
      recipientPeak: bobMemory.peak() / MB,
      uploadSeconds,
      downloadSeconds,
      identical: saved === createHash('sha256').update(bytes).digest('hex'),
    }
  } finally {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** `webRoot`: a production build of the web app (page-weight.ts's buildWebInto). */
export async function measureBrowserFiles(root: string, webRoot: string, iterations: number): Promise<BrowserFiles> {
  const browser = await launchChromium()
  try {
    return {
      throughput: await throughput(browser, root, 50, iterations),
      transfer: await transfer(browser, webRoot, 100),
    }
  } finally {
    await browser.close()
  }
}

export function printBrowserFiles(r: BrowserFiles): void {
  const t = r.throughput
  const x = r.transfer
  const f = (n: number) => n.toFixed(0)
  console.log(`\nFiles in Chromium (${t.megabytes} MB, median of ${t.iterations}):`)
  console.log(
    `  encrypt ${f(t.encrypt)} MB/s vs WebCrypto in one call ${f(t.webcryptoEncrypt)} MB/s: ratio ${t.encryptRatio.toFixed(2)} (target >= 0.5)`,
  )
  console.log(
    `  decrypt ${f(t.decrypt)} MB/s vs WebCrypto in one call ${f(t.webcryptoDecrypt)} MB/s: ratio ${t.decryptRatio.toFixed(2)} (target >= 0.5)`,
  )
  console.log(
    `  ${x.megabytes} MB through the app: peak live JS memory (heap + buffers, page and workers) sender ${f(x.senderPeak)} MB, ` +
      `recipient ${f(x.recipientPeak)} MB; up ${x.uploadSeconds.toFixed(1)} s, down ${x.downloadSeconds.toFixed(1)} s, ` +
      `${x.identical ? 'byte-identical' : 'NOT IDENTICAL'}`,
  )
}
