import { describe, expect, it } from 'vitest'
import {
  ARGON2,
  CreateSecretRequest,
  decodeB64u,
  concatBytes,
  decryptSecret,
  encodeB64u,
  encodeHeader,
  newSigningKey,
  needsPassphrase,
  openSecretLink,
  parseManageLink,
  parseSecretLink,
  PayloadType,
  prepareSecret,
  REDIRECT_URL_MAX_CHARS,
  seal,
  sha256,
  signContent,
  unlockSecret,
  validateRedirectUrl,
} from '@burnlink/shared'
import type { PrepareSecretOptions, PreparedSecret } from '@burnlink/shared'
import { rejection } from './vectors-runner.ts'

const ORIGIN = 'https://burn.example'
const FAST_KDF = { m: ARGON2.minM, t: ARGON2.minT }
const base = { type: PayloadType.text, text: 'hunter2', ttl: 3600, maxViews: 1, origin: ORIGIN }

const b64uSha256 = async (b64u: string) => encodeB64u(await sha256(decodeB64u(b64u)))

/** The recipient's whole flow, from the pasted link to the plaintext, checking what the server would. */
async function recipientOpens(prepared: PreparedSecret, passphrase?: string, allowHttp = false) {
  const { k } = parseSecretLink(prepared.link)
  const meta = await openSecretLink(k)
  expect(meta.sid).toBe(prepared.request.sid)
  expect(await b64uSha256(meta.acc)).toBe(prepared.request.av)
  const unlocked = await unlockSecret({ k, passphrase, hdr: prepared.request.hdr })
  const revAccepted = (await b64uSha256(unlocked.rev)) === prepared.request.rv
  const opened = await decryptSecret(unlocked, prepared.request.ct, { allowHttp })
  return { revAccepted, opened, unlocked }
}

describe('prepareSecret', () => {
  it('builds a valid create request, a secret link and a manage link', async () => {
    const prepared = await prepareSecret({ ...base, maxViews: 3 })
    expect(CreateSecretRequest.parse(prepared.request)).toMatchObject({ v: 1, ttl: 3600, maxViews: 3 })
    expect(prepared.link).toMatch(/^https:\/\/burn\.example\/s#2\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}$/)
    expect(parseManageLink(prepared.manageLink)).toEqual({ origin: ORIGIN, sid: prepared.sid, mt: prepared.mt })
    expect(await b64uSha256(prepared.mt)).toBe(prepared.request.mv)
    const [k, pkh] = prepared.link.split('#2.')[1]!.split('.')
    expect(JSON.stringify(prepared.request)).not.toContain(k)
    expect(JSON.stringify(prepared.request)).not.toContain(pkh)
    expect(needsPassphrase(prepared.request.hdr)).toBe(false)
    expect(await recipientOpens(prepared)).toMatchObject({ revAccepted: true, opened: { type: 1, text: 'hunter2' } })
  })

  it('makes a new key and manage token every time', async () => {
    const [a, b] = await Promise.all([prepareSecret(base), prepareSecret(base)])
    expect(a.link).not.toBe(b.link)
    expect(a.mt).not.toBe(b.mt)
  })

  it('protects a secret with a passphrase, normalised to NFC and not trimmed', async () => {
    const prepared = await prepareSecret({ ...base, passphrase: 'Cafe\u0301 ', kdf: FAST_KDF })
    expect(needsPassphrase(prepared.request.hdr)).toBe(true)
    expect(decodeB64u(prepared.request.hdr).subarray(0, 8)).toEqual(Uint8Array.of(2, 1, 0, 0, 0x4c, 0, 2, 1))
    expect(await recipientOpens(prepared, 'Caf\u00e9 ')).toMatchObject({
      revAccepted: true,
      opened: { text: 'hunter2' },
    })

    const wrong = await rejection(() => recipientOpens(prepared, 'Caf\u00e9'))
    expect(wrong).toBe('auth')
    await expect(unlockSecret({ k: parseSecretLink(prepared.link).k, hdr: prepared.request.hdr })).rejects.toThrow(
      TypeError,
    )
  })

  it('treats an empty passphrase as none', async () => {
    expect(needsPassphrase((await prepareSecret({ ...base, passphrase: '' })).request.hdr)).toBe(false)
  })

  it('refuses Argon2id costs outside the bounds every client accepts', async () => {
    expect(await rejection(() => prepareSecret({ ...base, passphrase: 'pw', kdf: { m: 1024, t: 1 } }))).toBe('header')
  })

  it('seals a redirect as its normalised https URL', async () => {
    const prepared = await prepareSecret({ ...base, type: PayloadType.redirect, text: 'https://Example.com' })
    expect((await recipientOpens(prepared)).opened).toEqual({ type: 2, text: 'https://example.com/' })
  })

  it('allows an http redirect only when both sides allow it', async () => {
    const opts: PrepareSecretOptions = { ...base, type: PayloadType.redirect, text: 'http://intranet.example/' }
    expect(await rejection(() => prepareSecret(opts))).toBe('payload')
    const prepared = await prepareSecret({ ...opts, allowHttp: true })
    expect((await recipientOpens(prepared, undefined, true)).opened.text).toBe('http://intranet.example/')
    expect(await rejection(() => recipientOpens(prepared))).toBe('payload')
  })

  it('refuses content sealed under the link key by anyone but the creator', async () => {
    // Every link holder can derive cek: the tag verifies, only the signature tells them apart.
    const { unlocked } = await recipientOpens(await prepareSecret(base))
    const ct = await seal(unlocked.cek, unlocked.sidBytes, unlocked.hdrBytes.subarray(0, -64), PayloadType.text, 'x')
    expect(await rejection(() => decryptSecret(unlocked, encodeB64u(ct)))).toBe('signature')
  })

  it('re-checks a redirect when opening, whatever the creator sealed', async () => {
    const { unlocked } = await recipientOpens(await prepareSecret(base))
    // A creator whose client let javascript: through: its own key signs it.
    const signer = await newSigningKey()
    const hdrs = encodeHeader({ kdf: 'none', pk: signer.pk })
    const ct = await seal(unlocked.cek, unlocked.sidBytes, hdrs, PayloadType.redirect, 'javascript:alert(1)')
    const hdrBytes = concatBytes(hdrs, await signContent(signer.sk, unlocked.sidBytes, hdrs, ct))
    expect(await rejection(() => decryptSecret({ ...unlocked, hdrBytes }, encodeB64u(ct)))).toBe('payload')
  })
})

describe('validateRedirectUrl', () => {
  const longest = `https://a.example/${'x'.repeat(REDIRECT_URL_MAX_CHARS - 18)}`

  it('accepts https up to the length limit', () => {
    expect(validateRedirectUrl(longest)).toBe(longest)
  })

  it.each([
    ['one character too long', `${longest}x`],
    ['not a URL', 'example.com'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,hi'],
    ['plain http', 'http://example.com/'],
    ['a user name', 'https://user@example.com/'],
    ['a password', 'https://:pw@example.com/'],
  ])('refuses %s', async (_, url) => {
    expect(await rejection(() => validateRedirectUrl(url))).toBe('payload')
  })
})
