/**
 * The file secret flows (file-send.ts, file-receive.ts) against a real server (memory
 * store): what the creator sends and resends, and what the recipient reads and decrypts.
 */
import { randomFillSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ApiError,
  CHUNK_BYTES,
  createClient,
  createRecipient,
  downloadFile,
  parseSecretLink,
  prepareFileSecret,
  uploadFileSecret,
} from '@burnlink/shared'
import type { RevealedFiles } from '@burnlink/shared'
import { startTestServer } from '../../tests/helpers/server.ts'

let server: Awaited<ReturnType<typeof startTestServer>>
beforeAll(async () => {
  // The API alone: these tests need no pages.
  server = await startTestServer({ config: { webRoot: undefined } })
})
afterAll(() => server?.close())

const random = (n: number) => new Uint8Array(randomFillSync(Buffer.alloc(n)))

async function prepare(sizes: number[], note?: string) {
  return prepareFileSecret({
    files: sizes.map((size, i) => ({ name: `f${i}`, type: '', size })),
    ...(note === undefined ? {} : { note }),
    ttl: 3600,
    maxViews: 1,
    origin: server.url,
  })
}

async function* inPieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
}

async function reveal(link: string): Promise<RevealedFiles> {
  const recipient = await createRecipient(parseSecretLink(link).k, { api: createClient({ baseUrl: server.url }) })
  await recipient.meta()
  await recipient.unlock()
  const { files } = await recipient.reveal()
  if (!files) throw new Error('not a file secret')
  return files
}

async function readAll(files: RevealedFiles, file: number): Promise<Buffer> {
  const out: Uint8Array[] = []
  for await (const piece of downloadFile(createClient({ baseUrl: server.url }), files, file)) out.push(piece)
  return Buffer.concat(out)
}

describe('a file secret, creator to recipient', () => {
  it('round-trips two files and a note, then the claim is closed', async () => {
    const data = [random(2 * CHUNK_BYTES + 3), random(10)]
    const prepared = await prepare(
      data.map((d) => d.length),
      'a note',
    )
    const progress: number[] = []
    await uploadFileSecret(createClient({ baseUrl: server.url }), prepared, (f) => inPieces(data[f]!, 65_536), {
      onProgress: (n) => progress.push(n),
    })
    expect(progress.reduce((a, b) => a + b)).toBe(prepared.request.files!.reduce((a, b) => a + b))

    const files = await reveal(prepared.link)
    expect(files.manifest).toEqual({
      files: [
        { name: 'f0', type: '', size: data[0]!.length },
        { name: 'f1', type: '', size: 10 },
      ],
      note: 'a note',
    })
    expect((await readAll(files, 0)).equals(data[0]!)).toBe(true)
    expect((await readAll(files, 1)).equals(data[1]!)).toBe(true)
    expect(await files.finish()).toBe(true)
    // Acknowledged: this claim reads nothing more.
    await expect(readAll(files, 1)).rejects.toMatchObject({ status: 404 })
  })

  it('resends a chunk whose answer was lost with the very same bytes, never encrypted again', async () => {
    const sent = new Map<string, Uint8Array[]>()
    let dropped = false
    const api = createClient({
      baseUrl: server.url,
      fetch: async (input, init) => {
        const res = await fetch(input, init)
        if (!String(input).endsWith('/secrets/chunk')) return res
        const headers = new Headers(init!.headers)
        const at = `${headers.get('burnlink-file')}/${headers.get('burnlink-chunk')}`
        sent.set(at, [...(sent.get(at) ?? []), new Uint8Array(init!.body as Uint8Array)])
        // The server stored the first chunk, and its answer never arrives.
        if (at === '0/1' && !dropped) {
          dropped = true
          throw new TypeError('connection reset')
        }
        return res
      },
    })
    // Every read of this source gives other bytes, as a file changing on disk would: a
    // resend that read and encrypted again would send other bytes under the same nonce.
    const read: Uint8Array[] = []
    const source = () => {
      const bytes = random(3 * CHUNK_BYTES)
      read.push(bytes)
      return [bytes]
    }
    const prepared = await prepare([3 * CHUNK_BYTES])
    await uploadFileSecret(api, prepared, source, { retry: { firstDelayMs: 10 } })
    expect(read).toHaveLength(1)
    const tries = sent.get('0/1')!
    expect(tries).toHaveLength(2)
    expect(Buffer.from(tries[0]!).equals(tries[1]!)).toBe(true)
    expect((await readAll(await reveal(prepared.link), 0)).equals(read[0]!)).toBe(true)
  })

  it('aborts the upload when the source fails: nothing can be committed or revealed', async () => {
    const prepared = await prepare([2 * CHUNK_BYTES])
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield random(CHUNK_BYTES + 1)
      throw new Error('disk gone')
    }
    const api = createClient({ baseUrl: server.url })
    await expect(uploadFileSecret(api, prepared, () => failing())).rejects.toThrow('disk gone')
    // Aborted: the upload token no longer opens anything.
    await expect(api.commit({ sid: prepared.sid, ut: prepared.ut })).rejects.toBeInstanceOf(ApiError)
    await expect(api.commit({ sid: prepared.sid, ut: prepared.ut })).rejects.toMatchObject({ status: 404 })
  })
})
