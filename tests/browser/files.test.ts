/**
 * File secrets in real Chromium: one person sends files from the create page, another
 * reveals and saves them in a fresh browser context, byte for byte, and nothing that could
 * open them (bytes, names, key, passphrase) reaches the server from either. Requests are
 * checked where they arrive (the recorder in front of the server), so those of the
 * workers that encrypt and decrypt count as much as the page's.
 *
 * Headless Chromium has no save dialog. Saving to disk as the file arrives is tested with
 * the File System Access pickers answered by the origin's private file system (a real
 * FileSystemFileHandle, written through the same createWritable as a picked file); the
 * fallback that assembles a Blob is tested with the pickers absent, caught as a download.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import {
  createClient,
  decodeB64u,
  encodeB64u,
  encryptFile,
  fileDigest,
  prepareFileSecret,
  sha256,
  signFiles,
  type ChunkContext,
} from '@burnlink/shared'
import { hasChromium, keyForms, launchChromium, leaksIn } from '../helpers/browser.ts'
import { pickersFromPrivateFileSystem, privateFileSha256 } from '../helpers/file-secrets.ts'
import { startRecorder, type RequestRecorder } from '../helpers/request-recorder.ts'
import { startTestServer } from '../helpers/server.ts'

const MB = 1_000_000
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/**
 * Random bytes with a random printable run inside: ASCII survives the recorder's UTF-8
 * reading of a body unchanged, so finding it in any request would show the plaintext went out.
 */
function fileWithCanary(size: number): { bytes: Buffer; canary: string } {
  const bytes = randomBytes(size)
  const canary = `canary-${randomBytes(24).toString('base64url')}`
  bytes.write(canary, Math.floor(size / 3), 'latin1')
  return { bytes, canary }
}

/** The size of a file the page chose to save in its origin's private file system. */
function privateFileSize(page: Page, name: string): Promise<number> {
  return page.evaluate(async (n) => {
    const handle = await (await navigator.storage.getDirectory()).getFileHandle(n)
    return (await handle.getFile()).size
  }, name)
}

function noPickers(): void {
  Object.assign(window, { showSaveFilePicker: undefined, showDirectoryPicker: undefined })
}

async function axeViolations(page: Page): Promise<string[]> {
  return page.evaluate(
    `${axeSource}; axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
  )
}

describe.runIf(hasChromium())('file secrets in Chromium', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  let recorder: RequestRecorder
  let browser: Browser
  const open: BrowserContext[] = []
  const temporary: string[] = []
  let people = 0

  beforeAll(async () => {
    server = await startTestServer()
    recorder = await startRecorder(server.url)
    browser = await launchChromium()
  })
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()))
  })
  afterAll(async () => {
    await browser?.close()
    await recorder?.close()
    await server?.close()
    await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })))
  })

  async function person(
    o: { pickers?: 'private' | 'none'; width?: number; colorScheme?: 'light' | 'dark' } = {},
  ): Promise<{ page: Page; requests: () => ReturnType<RequestRecorder['requests']>; errors: string[] }> {
    const context = await browser.newContext({
      viewport: { width: o.width ?? 1100, height: 900 },
      colorScheme: o.colorScheme ?? 'light',
      acceptDownloads: true,
    })
    open.push(context)
    if (o.pickers === 'private') await context.addInitScript(pickersFromPrivateFileSystem)
    if (o.pickers === 'none') await context.addInitScript(noPickers)
    const id = `files-${++people}`
    const errors: string[] = []
    context.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())))
    context.on('weberror', (e) => void errors.push(String(e.error())))
    const page = await context.newPage()
    await page.goto(recorder.enrollUrl(id))
    return { page, requests: () => recorder.requests(id), errors }
  }

  async function chooseFiles(page: Page, files: { name: string; bytes: Buffer }[], passphrase?: string) {
    await page.goto(`${recorder.url}/`)
    await page.getByLabel('Files', { exact: true }).check()
    // As paths: Playwright sends buffers through the DevTools protocol, which takes ages for megabytes.
    const dir = await mkdtemp(join(tmpdir(), 'burnlink-files-'))
    temporary.push(dir)
    const paths = []
    for (const [i, f] of files.entries()) {
      await mkdir(join(dir, String(i)))
      paths.push(join(dir, String(i), f.name))
      await writeFile(paths[i]!, f.bytes)
    }
    await page.getByLabel('Files to send').setInputFiles(paths)
    if (passphrase) await page.getByLabel('Passphrase (optional)').fill(passphrase)
  }

  async function send(page: Page): Promise<string> {
    await page.getByRole('button', { name: 'Create link' }).click()
    const link = page.getByLabel('Secret link', { exact: true })
    await link.waitFor({ timeout: 60_000 })
    return link.inputValue()
  }

  async function reveal(page: Page, link: string, passphrase?: string): Promise<void> {
    await page.goto(link)
    await page.getByRole('button', { name: 'Reveal secret' }).waitFor()
    if (passphrase) await page.getByLabel('Passphrase', { exact: true }).fill(passphrase)
    await page.getByRole('button', { name: 'Reveal secret' }).click()
    await page.getByRole('heading', { name: 'The files' }).waitFor()
  }

  it('sends a 20 MB file and saves it byte for byte in a fresh context, once, leaking nothing', async () => {
    const { bytes, canary } = fileWithCanary(20 * MB)
    const name = 'quarterly-report ✓.bin'
    const alice = await person()
    await chooseFiles(alice.page, [{ name, bytes }])
    await alice.page.getByText(name).waitFor()
    const link = await send(alice.page)

    const bob = await person({ pickers: 'none' })
    await bob.page.goto(link)
    await bob.page.getByText('Files waiting: 1, about 19.5 MiB in all.').waitFor()
    await bob.page.getByRole('button', { name: 'Reveal secret' }).click()
    await bob.page.getByRole('heading', { name: 'The files' }).waitFor()
    await bob.page.getByText(/You can download these files until/).waitFor()
    await bob.page.getByText(/put together in memory first, so files up to 512\.0 MiB/).waitFor()
    const [download] = await Promise.all([
      bob.page.waitForEvent('download', { timeout: 60_000 }),
      bob.page.getByRole('button', { name: `Download ${name}` }).click(),
    ])
    expect(download.suggestedFilename()).toBe(name)
    const saved = await readFile((await download.path())!)
    expect(sha(saved)).toBe(sha(bytes))
    await bob.page.getByText('Saved.').waitFor()

    await bob.page.goto(link)
    await bob.page.getByRole('heading', { name: 'This secret was already viewed' }).waitFor()

    const requests = [...alice.requests(), ...bob.requests()]
    const paths = requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)
    expect(paths).toEqual(
      expect.arrayContaining([
        'POST /api/v1/secrets/chunk',
        'POST /api/v1/secrets/commit',
        'POST /api/v1/secrets/chunk/read',
      ]),
    )
    expect(leaksIn(requests, [canary, name, 'quarterly-report', ...keyForms(link)])).toEqual([])
    // Bob's second visit met a 410 for the viewed secret, as it should; nothing else went wrong.
    expect(alice.errors).toEqual([])
    expect(bob.errors.filter((e) => !e.includes('410'))).toEqual([])
  })

  it('with a passphrase, streams the file to disk through the File System Access API', async () => {
    const { bytes, canary } = fileWithCanary(20 * MB)
    const passphrase = 'plum 8812 ✈'
    const alice = await person()
    await chooseFiles(alice.page, [{ name: 'dump.sql.gz', bytes }], passphrase)
    const link = await send(alice.page)

    const bob = await person({ pickers: 'private' })
    await reveal(bob.page, link, passphrase)
    await bob.page.getByText('Each file is decrypted here and written straight to where you choose').waitFor()
    await bob.page.getByRole('button', { name: 'Download dump.sql.gz' }).click()
    await bob.page.getByText('Saved.').waitFor({ timeout: 60_000 })
    expect(await privateFileSha256(bob.page, 'dump.sql.gz')).toBe(sha(bytes))

    const requests = [...alice.requests(), ...bob.requests()]
    expect(leaksIn(requests, [canary, 'dump.sql', passphrase, ...keyForms(link)])).toEqual([])
    expect([...alice.errors, ...bob.errors]).toEqual([])
  })

  it('sends two files and saves both with "Download all", names made safe', async () => {
    const a = fileWithCanary(6 * MB)
    const b = fileWithCanary(3 * MB + 17)
    const alice = await person()
    await chooseFiles(alice.page, [
      { name: 'a.bin', bytes: a.bytes },
      { name: '..\u202eb.txt', bytes: b.bytes },
    ])
    const link = await send(alice.page)

    const bob = await person({ pickers: 'private' })
    await reveal(bob.page, link)
    // Shown as the sender wrote it, saved under a safe name.
    await bob.page.getByText('..\u202eb.txt').waitFor()
    await bob.page.getByRole('button', { name: 'Download all' }).click()
    await expect.poll(() => bob.page.getByText('Saved.').count(), { timeout: 60_000 }).toBe(2)
    expect(await privateFileSha256(bob.page, 'a.bin')).toBe(sha(a.bytes))
    expect(await privateFileSha256(bob.page, '__b.txt')).toBe(sha(b.bytes))

    const requests = [...alice.requests(), ...bob.requests()]
    expect(leaksIn(requests, [a.canary, b.canary, 'a.bin', 'b.txt', ...keyForms(link)])).toEqual([])
    expect([...alice.errors, ...bob.errors]).toEqual([])
  })

  it('a download altered on the way is refused with its own message, and nothing of it is kept', async () => {
    const alice = await person()
    await chooseFiles(alice.page, [{ name: 'signed.pdf', bytes: randomBytes(3 * MB) }])
    const link = await send(alice.page)

    const bob = await person({ pickers: 'private' })
    // A hostile server or network: one byte of the second chunk flipped.
    let reads = 0
    await bob.page.context().route('**/api/v1/secrets/chunk/read', async (route) => {
      const response = await route.fetch()
      const body = await response.body()
      if (++reads === 2) body[100]! ^= 1
      await route.fulfill({ response, body })
    })
    await reveal(bob.page, link)
    await bob.page.getByRole('button', { name: 'Download signed.pdf' }).click()
    await bob.page.getByText('This download was altered or cut short on the way, so it was not saved.').waitFor()
    // The browser writes to a temporary file and the abort discards it: the chosen file stays empty.
    expect(await privateFileSize(bob.page, 'signed.pdf')).toBe(0)
  })

  it("a file another link holder put under the creator's name is refused as not theirs, and nothing is kept", async () => {
    const size = 2 * MB
    const prepared = await prepareFileSecret({
      files: [{ name: 'deploy.sh', type: '', size }],
      ttl: 3600,
      maxViews: 1,
      origin: recorder.url,
    })
    const { ctx, sid, ut } = prepared
    const chunksOf = async (c: ChunkContext, bytes: Uint8Array) => {
      const out: Uint8Array<ArrayBuffer>[] = []
      for await (const chunk of encryptFile(c, 0, [bytes])) out.push(chunk)
      return out
    }
    // The creator signed their own bytes; once their record was gone, a link holder stored
    // the creator's manifest and fsig with chunks of their own, which open under fk.
    const digest = await fileDigest(await Promise.all((await chunksOf(ctx, randomBytes(size))).map(sha256)))
    const fsig = encodeB64u(await signFiles(prepared.sk, ctx.sid, ctx.hdr, [digest]))
    const forged = await chunksOf(ctx, randomBytes(size))
    const api = createClient({ baseUrl: server.url })
    await api.createUpload(prepared.request)
    for (const [chunk, body] of forged.entries()) await api.uploadChunk({ sid, ut, file: 0, chunk, body })
    await api.commit({ sid, ut, fsig })

    const bob = await person({ pickers: 'private' })
    await reveal(bob.page, prepared.link)
    await bob.page.getByRole('button', { name: 'Download deploy.sh' }).click()
    await bob.page.getByText('This file was not made by the person who sent you the link').waitFor()
    expect(await privateFileSize(bob.page, 'deploy.sh')).toBe(0)
  })

  it('refuses files over the limit before anything is uploaded, naming the limit', async () => {
    const alice = await person()
    await chooseFiles(alice.page, [{ name: 'big.iso', bytes: Buffer.alloc(26 * 1024 * 1024) }])
    await alice.page.getByText(/this server takes at most 25\.0 MiB per secret/).waitFor()
    expect(await alice.page.getByRole('button', { name: 'Create link' }).isDisabled()).toBe(true)
    const paths = alice.requests().map((r) => new URL(r.url).pathname)
    expect(paths.filter((p) => p.startsWith('/api/v1/secrets'))).toEqual([])
  })

  it('cancelling mid-upload aborts it: nothing is committed and nothing can be revealed', async () => {
    const alice = await person()
    const held: (() => Promise<void>)[] = []
    // Holds chunk uploads after the first two, so the cancel lands mid-upload every time.
    let seen = 0
    await alice.page.context().route('**/api/v1/secrets/chunk', async (route) => {
      if (++seen <= 2) return route.continue()
      held.push(() => route.continue().catch(() => undefined))
    })
    await chooseFiles(alice.page, [{ name: 'half.bin', bytes: randomBytes(12 * MB) }])
    await alice.page.getByRole('button', { name: 'Create link' }).click()
    await expect.poll(() => held.length, { timeout: 30_000 }).toBeGreaterThan(0)
    await alice.page.getByRole('progressbar').waitFor()
    expect(await axeViolations(alice.page)).toEqual([])
    await alice.page.getByRole('button', { name: 'Cancel' }).click()
    await alice.page.getByText('Cancelled: the upload was stopped and deleted.').waitFor()
    await Promise.all(held.map((release) => release()))

    const create = alice
      .requests()
      .find((r) => new URL(r.url).pathname === '/api/v1/secrets' && r.body.includes('"uv"'))
    const paths = alice.requests().map((r) => new URL(r.url).pathname)
    expect(paths).toContain('/api/v1/secrets/abort')
    expect(paths).not.toContain('/api/v1/secrets/commit')
    const { sid, uv } = JSON.parse(create!.body) as { sid: string; uv: string }
    expect(await server.store.uploadSession(sid, decodeB64u(uv))).toEqual({ kind: 'not_found' })
    expect(await alice.page.getByLabel('Secret link', { exact: true }).count()).toBe(0)
  })

  it('works from the keyboard alone: picker, create, reveal and download', async () => {
    const bytes = randomBytes(2 * MB)
    const alice = await person()
    await alice.page.goto(`${recorder.url}/`)
    const page = alice.page
    await tabTo(page, (el) => el.getAttribute('type') === 'radio')
    // The mode radios: arrows move between Text, Link and Files.
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowRight')
    expect(await page.getByLabel('Files', { exact: true }).isChecked()).toBe(true)
    // Listening turns on Chromium's file-chooser interception, and Playwright does not wait
    // for that to take effect: a listener added together with the key press can lose the race
    // under load (the picker then opens natively, unseen, and no event comes). Added before the
    // Tab presses, it is in place by the time Space reaches the input.
    const chooserShown = page.waitForEvent('filechooser', { timeout: 60_000 })
    await tabTo(page, (el) => el.id === 'secret-files')
    await page.keyboard.press('Space')
    const chooser = await chooserShown
    await chooser.setFiles({ name: 'keys.bin', mimeType: 'application/octet-stream', buffer: bytes })
    await page.getByText('keys.bin').waitFor()
    await tabTo(page, (el) => el.textContent?.trim() === 'Create link')
    await page.keyboard.press('Enter')
    const link = await page.getByLabel('Secret link', { exact: true }).inputValue({ timeout: 60_000 })

    const bob = await person({ pickers: 'none' })
    await bob.page.goto(link)
    await bob.page.getByRole('button', { name: 'Reveal secret' }).waitFor()
    await tabTo(bob.page, (el) => el.textContent?.trim() === 'Reveal secret')
    await bob.page.keyboard.press('Enter')
    await bob.page.getByRole('heading', { name: 'The files' }).waitFor()
    await tabTo(bob.page, (el) => el.getAttribute('aria-label') === 'Download keys.bin')
    const [download] = await Promise.all([bob.page.waitForEvent('download'), bob.page.keyboard.press('Enter')])
    expect(sha(await readFile((await download.path())!))).toBe(sha(bytes))
  })

  for (const [colorScheme, width] of [
    ['light', 1100],
    ['dark', 1100],
    ['light', 360],
  ] as const) {
    it(`axe finds no violations in the file states (${colorScheme}, ${width} px)`, async () => {
      const alice = await person({ colorScheme, width })
      await chooseFiles(alice.page, [
        { name: 'one.bin', bytes: randomBytes(1000) },
        { name: 'two with a rather long name that has to wrap somewhere.bin', bytes: randomBytes(2000) },
      ])
      expect(await axeViolations(alice.page)).toEqual([])
      const link = await send(alice.page)
      await chooseFiles(alice.page, [{ name: 'over.bin', bytes: Buffer.alloc(26 * 1024 * 1024) }])
      await alice.page.getByRole('alert').waitFor()
      expect(await axeViolations(alice.page)).toEqual([])

      const bob = await person({ colorScheme, width, pickers: 'none' })
      await bob.page.goto(link)
      await bob.page.getByRole('button', { name: 'Reveal secret' }).waitFor()
      expect(await axeViolations(bob.page)).toEqual([])
      await bob.page.getByRole('button', { name: 'Reveal secret' }).click()
      await bob.page.getByRole('heading', { name: 'The files' }).waitFor()
      expect(await axeViolations(bob.page)).toEqual([])
    })
  }
})

/** Presses Tab until the focused element is the one wanted, as a keyboard user would. */
async function tabTo(page: Page, wanted: (el: Element) => boolean): Promise<void> {
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab')
    if (await page.evaluate(`(${wanted.toString()})(document.activeElement)`)) return
  }
  throw new Error(`Tab never reached ${wanted.toString()}`)
}
