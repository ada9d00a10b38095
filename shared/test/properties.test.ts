/**
 * Property tests for the protocol code (issue 7): random inputs through the public API,
 * checked against statements that do not reuse the code under test where an independent
 * oracle exists (Node's lenient base64url decoder, the spec's bucket rule).
 */
import { Buffer } from 'node:buffer'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ARGON2,
  b64uLength,
  CT_LENGTHS,
  decodeB64u,
  decryptSecret,
  deriveAccess,
  deriveReveal,
  encodeB64u,
  encodeHeader,
  FRAME_OVERHEAD,
  FRAME_SIZES,
  isCanonicalB64u,
  manageLink,
  MAX_CT_BYTES,
  MAX_PAYLOAD_BYTES,
  NONCE_BYTES,
  open,
  parseHeader,
  parseManageFragment,
  parseSecretFragment,
  parseSecretLink,
  PayloadType,
  prepareSecret,
  seal,
  secretLink,
  sha256,
  TAG_BYTES,
  unlockSecret,
  validateRedirectUrl,
} from '@burnlink/shared'
import type { Header } from '@burnlink/shared'
import { rejection } from './vectors-runner.ts'

const ORIGIN = 'https://burn.example'
const FAST_KDF = { m: ARGON2.minM, t: ARGON2.minT }
const B64U_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const encoder = new TextEncoder()

const utf8Length = (s: string) => encoder.encode(s).length

/** What UTF-8 can carry of a JS string: each lone surrogate becomes U+FFFD. */
const wellFormed = (s: string) =>
  s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')

/** Node's decoder accepts every sloppy spelling and its encoder writes the canonical one. */
const nodeCanonical = (s: string) => s.length > 0 && Buffer.from(s, 'base64url').toString('base64url') === s

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = new Uint8Array(bytes)
  out[bit >> 3]! ^= 1 << (bit & 7)
  return out
}

const bytesOf = (n: number) => fc.uint8Array({ minLength: n, maxLength: n })
const key = bytesOf(32)

/** Both header kinds; `P` stands in for the Argon2id output, which would only slow these runs down. */
const headerAndP = fc.oneof(
  fc.constant({ header: { kdf: 'none' } as Header, P: new Uint8Array(0) }),
  fc
    .record({
      m: fc.integer({ min: ARGON2.minM, max: ARGON2.maxM }),
      t: fc.integer({ min: ARGON2.minT, max: ARGON2.maxT }),
      salt: bytesOf(16),
      P: bytesOf(32),
    })
    .map(({ P, ...cost }) => ({ header: { kdf: 'argon2id', p: 1, ...cost } as Header, P })),
)

/** Texts whose UTF-8 size sits within a few bytes of a bucket edge, ending in random code points. */
const edgeText = fc
  .record({
    edge: fc.constantFrom(...FRAME_SIZES.map((f) => f - FRAME_OVERHEAD)),
    delta: fc.integer({ min: -2, max: 2 }),
    tail: fc.string({ unit: 'binary', maxLength: 6 }),
  })
  .map(({ edge, delta, tail }) => 'x'.repeat(Math.max(0, edge + delta - utf8Length(tail))) + tail)

/** Code points that decoders like to drop or rewrite: BOM, NUL, noncharacters, lone surrogates. */
const awkwardChar = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.constantFrom('\ufeff', '\u0000', '\ufffd', '\uffff', '\u{10ffff}', '\u2028', '\r\n', '\u200d'),
  },
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
)

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: Math.ceil(MAX_PAYLOAD_BYTES / 4) + 64, size: 'max' }),
  { weight: 2, arbitrary: fc.string({ unit: awkwardChar, maxLength: 40 }) },
  { weight: 4, arbitrary: edgeText },
)

function isRedirectable(url: string): boolean {
  try {
    validateRedirectUrl(url)
    return true
  } catch {
    return false
  }
}

const httpsUrl = fc
  .webUrl({ validSchemes: ['https'], withQueryParameters: true, withFragments: true })
  .filter(isRedirectable)

const payload = fc.oneof(
  { weight: 3, arbitrary: fc.record({ type: fc.constant(PayloadType.text), text: anyText }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant(PayloadType.redirect), text: httpsUrl }) },
)

/** The creator's side of the key schedule, with the `hdr` the envelope is bound to. */
async function sealWith(k: Uint8Array, P: Uint8Array, header: Header, type: PayloadType, text: string) {
  const hdr = encodeHeader(header)
  const { sid } = await deriveAccess(k)
  const { cek } = await deriveReveal(k, P, sid)
  return { hdr, sid, cek, ct: await seal(cek, sid, hdr, type, text) }
}

describe('seal and open', () => {
  it('round-trips any text or https redirect in the smallest bucket that fits', async () => {
    await fc.assert(
      fc.asyncProperty(key, headerAndP, payload, async (k, { header, P }, { type, text }) => {
        const bytes = utf8Length(text)
        if (bytes > MAX_PAYLOAD_BYTES) {
          expect(await rejection(() => sealWith(k, P, header, type, text))).toBe('payload')
          return
        }
        const { hdr, ct } = await sealWith(k, P, header, type, text)
        const bucket = CT_LENGTHS.indexOf(ct.length)
        expect(bucket).toBeGreaterThanOrEqual(0)
        const room = (ctLength: number) => ctLength - NONCE_BYTES - TAG_BYTES - FRAME_OVERHEAD
        expect(room(ct.length)).toBeGreaterThanOrEqual(bytes)
        if (bucket > 0) expect(room(CT_LENGTHS[bucket - 1]!)).toBeLessThan(bytes)

        // The recipient derives everything again from the link key alone.
        const { sid } = await deriveAccess(k)
        const { cek } = await deriveReveal(k, P, sid)
        expect(await open(cek, sid, hdr, ct)).toEqual({ type, text: wellFormed(text) })
      }),
      { numRuns: 300 },
    )
  }, 20_000)

  it('delivers a redirect as the normalised URL the creator sealed', async () => {
    await fc.assert(
      fc.asyncProperty(httpsUrl, async (url) => {
        const prepared = await prepareSecret({
          type: PayloadType.redirect,
          text: url,
          ttl: 60,
          maxViews: 1,
          origin: ORIGIN,
        })
        const { k } = parseSecretLink(prepared.link)
        const unlocked = await unlockSecret({ k, hdr: prepared.request.hdr })
        expect(await decryptSecret(unlocked, prepared.request.ct)).toEqual({
          type: PayloadType.redirect,
          text: new URL(url).href,
        })
      }),
      { numRuns: 50 },
    )
  })
})

describe('passphrases', () => {
  // Letters with precomposed and decomposed spellings, Hangul jamo, a compatibility ligature.
  const composable = fc.constantFrom(
    ...['e', 'a', 'o', 'n', 'A', ' ', '\u0301', '\u0300', '\u0308', '\u0327', '\u030a', '\u0323'],
    ...['\u00e9', '\u00c5', '\u212b', '\u1e9b', '\u1ec7', '\u01d6', '\u1100', '\u1161', '\u11a8', '\uac00', '\ufb01'],
  )
  const passphrase = fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: composable, minLength: 1, maxLength: 10 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }) },
  )
  const form = fc.constantFrom<(s: string) => string>(
    (s) => s,
    (s) => s.normalize('NFC'),
    (s) => s.normalize('NFD'),
  )
  /** Near misses of `p`: no trimming, compatibility forms are not canonical ones, empty is no passphrase. */
  const nearMisses = (p: string) => [`${p} `, ` ${p}`, p.normalize('NFKC'), p.slice(1), '']

  async function recipient(prepared: Awaited<ReturnType<typeof prepareSecret>>, passphrase: string) {
    const unlocked = await unlockSecret({ k: parseSecretLink(prepared.link).k, passphrase, hdr: prepared.request.hdr })
    const revAccepted = encodeB64u(await sha256(decodeB64u(unlocked.rev))) === prepared.request.rv
    return { revAccepted, opened: await rejection(() => decryptSecret(unlocked, prepared.request.ct)) }
  }

  it('opens with any canonically equivalent spelling and fails with any other passphrase', async () => {
    await fc.assert(
      fc.asyncProperty(passphrase, form, form, passphrase, async (p, creatorForm, recipientForm, other) => {
        const prepared = await prepareSecret({
          type: PayloadType.text,
          text: 'hunter2',
          passphrase: creatorForm(p),
          ttl: 60,
          maxViews: 1,
          origin: ORIGIN,
          kdf: FAST_KDF,
        })
        expect(await recipient(prepared, recipientForm(p))).toEqual({ revAccepted: true, opened: 'accepted' })
        for (const wrong of [...nearMisses(p), other]) {
          if (wrong.normalize('NFC') === p.normalize('NFC')) continue
          expect(await recipient(prepared, wrong)).toEqual({ revAccepted: false, opened: 'auth' })
        }
      }),
      { numRuns: 8 },
    )
  }, 30_000)
})

describe('tampering', () => {
  const secret = fc.record({
    k: key,
    kdf: headerAndP,
    text: fc.string({ unit: 'binary', maxLength: 600 }),
  })
  const sealSecret = ({ k, kdf, text }: { k: Uint8Array; kdf: { header: Header; P: Uint8Array }; text: string }) =>
    sealWith(k, kdf.P, kdf.header, PayloadType.text, text)

  it('fails on every single bit flip in hdr and sid, and on sampled flips anywhere in ct', async () => {
    await fc.assert(
      fc.asyncProperty(secret, fc.array(fc.nat(), { minLength: 1, maxLength: 16 }), async (s, ctBits) => {
        const { hdr, sid, cek, ct } = await sealSecret(s)
        const ctBitCount = ct.length * 8
        // The ends of the nonce and the tag always, then random positions.
        for (const bit of [0, ctBitCount - 1, ...ctBits.map((b) => b % ctBitCount)]) {
          expect(await rejection(() => open(cek, sid, hdr, flipBit(ct, bit)))).toBe('auth')
        }
        for (let bit = 0; bit < sid.length * 8; bit++) {
          expect(await rejection(() => open(cek, flipBit(sid, bit), hdr, ct))).toBe('auth')
        }
        for (let bit = 0; bit < hdr.length * 8; bit++) {
          const flipped = flipBit(hdr, bit)
          // A header has no spare bits: a flip is refused or reads back as a different header.
          const parsed = await rejection(() => parseHeader(flipped))
          if (parsed === 'accepted') expect(encodeHeader(parseHeader(flipped))).toEqual(flipped)
          else expect(parsed).toBe('header')
          expect(await rejection(() => open(cek, sid, flipped, ct))).toBe('auth')
        }
      }),
      { numRuns: 40 },
    )
  }, 20_000)

  const otherLength = fc.oneof(
    fc.integer({ min: 0, max: MAX_CT_BYTES + 64 }),
    fc.constantFrom(...CT_LENGTHS),
    fc.constantFrom(...CT_LENGTHS).chain((n) => fc.integer({ min: n - 2, max: n + 2 })),
  )

  it('fails on any truncation or extension of ct, as auth only when the length is itself valid', async () => {
    await fc.assert(
      fc.asyncProperty(secret, otherLength, fc.integer({ min: 0, max: 255 }), async (s, length, fill) => {
        const { hdr, sid, cek, ct } = await sealSecret(s)
        fc.pre(length !== ct.length)
        const changed = new Uint8Array(length).fill(fill)
        changed.set(ct.subarray(0, length))
        const expected = CT_LENGTHS.includes(length) ? 'auth' : 'ct_length'
        expect(await rejection(() => open(cek, sid, hdr, changed))).toBe(expected)
      }),
      { numRuns: 150 },
    )
  })
})

describe('canonical base64url', () => {
  const b64uChar = fc.constantFrom(...B64U_ALPHABET)
  const sloppyChar = fc.oneof(
    { weight: 8, arbitrary: b64uChar },
    { weight: 1, arbitrary: fc.constantFrom('=', '+', '/', ' ', '\n', '\t', '\r', '\u00e9', '\u0000') },
  )
  const someBytes = fc.uint8Array({ minLength: 1, maxLength: 100 })

  /** Canonical iff Node re-encodes it unchanged; then both decoders give the same bytes. */
  async function agreesWithNode(s: string) {
    expect(isCanonicalB64u(s)).toBe(nodeCanonical(s))
    if (isCanonicalB64u(s)) {
      const bytes = decodeB64u(s)
      expect(encodeB64u(bytes)).toBe(s)
      expect(Buffer.from(bytes).equals(Buffer.from(s, 'base64url'))).toBe(true)
    } else {
      expect(await rejection(() => decodeB64u(s))).toBe('b64u')
    }
  }

  it('round-trips any bytes, spelled exactly as Node spells them', () => {
    fc.assert(
      fc.property(someBytes, (bytes) => {
        const s = encodeB64u(bytes)
        expect(s).toBe(Buffer.from(bytes).toString('base64url'))
        expect(s.length).toBe(b64uLength(bytes.length))
        expect(isCanonicalB64u(s)).toBe(true)
        expect(decodeB64u(s)).toEqual(bytes)
        expect(decodeB64u(s, bytes.length)).toEqual(bytes)
      }),
      { numRuns: 500 },
    )
  })

  it('encodes no bytes as the empty string, which it refuses to decode', async () => {
    expect(encodeB64u(new Uint8Array(0))).toBe('')
    expect(await rejection(() => decodeB64u(''))).toBe('b64u')
    expect(await rejection(() => decodeB64u('', 0))).toBe('b64u')
  })

  it('accepts exactly the canonical strings over a sloppy alphabet', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: sloppyChar, maxLength: 40 }), agreesWithNode), { numRuns: 2000 })
  })

  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('append' as const), char: sloppyChar }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), char: sloppyChar }),
    fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: sloppyChar }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  )

  it('accepts a mutated encoding only when it is the canonical spelling of other bytes', async () => {
    await fc.assert(
      fc.asyncProperty(someBytes, mutation, async (bytes, m) => {
        const s = encodeB64u(bytes)
        const at = 'at' in m ? m.at % (s.length + 1) : s.length
        const tail = m.kind === 'insert' || m.kind === 'append' ? s.slice(at) : s.slice(at + 1)
        const mutated = s.slice(0, at) + ('char' in m ? m.char : '') + tail
        await agreesWithNode(mutated)
        if (mutated !== s && isCanonicalB64u(mutated)) expect(decodeB64u(mutated)).not.toEqual(bytes)
      }),
      { numRuns: 2000 },
    )
  })

  it('refuses the spellings a lenient decoder would take for the same bytes', async () => {
    const lastCharSpare = fc.integer({ min: 1, max: 15 })
    await fc.assert(
      fc.asyncProperty(someBytes, lastCharSpare, fc.constantFrom('=', '=='), async (bytes, spare, padding) => {
        const s = encodeB64u(bytes)
        const sameBytes = [`${s}${padding}`, s.replace(/-/g, '+').replace(/_/g, '/')].filter((v) => v !== s)
        const mask = [0, 0x0f, 0x03][bytes.length % 3]!
        if (spare & mask) {
          const last = B64U_ALPHABET.indexOf(s.at(-1)!) | (spare & mask)
          sameBytes.push(s.slice(0, -1) + B64U_ALPHABET[last]!)
        }
        for (const variant of sameBytes) {
          expect(Buffer.from(variant, 'base64url').equals(Buffer.from(bytes))).toBe(true)
          expect(isCanonicalB64u(variant)).toBe(false)
          expect(await rejection(() => decodeB64u(variant))).toBe('b64u')
        }
      }),
      { numRuns: 500 },
    )
  })

  it('with an expected size, refuses every string of another length', async () => {
    const anyString = fc.oneof(fc.string({ unit: sloppyChar, maxLength: 140 }), someBytes.map(encodeB64u))
    await fc.assert(
      fc.asyncProperty(anyString, fc.integer({ min: 0, max: 100 }), async (s, n) => {
        const outcome = await rejection(() => decodeB64u(s, n))
        if (s.length !== b64uLength(n)) expect(outcome).toBe('b64u')
        else expect(outcome).toBe(nodeCanonical(s) ? 'accepted' : 'b64u')
      }),
      { numRuns: 1000 },
    )
  })
})

describe('links', () => {
  const origin = fc.webUrl({ validSchemes: ['https', 'http'], withQueryParameters: false, withFragments: false })

  it('carries any key through a secret link, and sid and mt through a manage link', () => {
    // A format 1 key alone, or a format 2 key with its pkh.
    fc.assert(
      fc.property(origin, fc.oneof(key, bytesOf(48)), bytesOf(16), bytesOf(32), (o, k, sid, mt) => {
        const link = secretLink(o, k)
        expect(parseSecretFragment(link.split('#')[1]!)).toEqual(k)
        expect(parseSecretLink(link).k).toEqual(k)
        const ref = { sid: encodeB64u(sid), mt: encodeB64u(mt) }
        expect(parseManageFragment(manageLink(o, ref.sid, ref.mt).split('#')[1]!)).toEqual(ref)
      }),
      { numRuns: 300 },
    )
  })

  const fragmentChar = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...B64U_ALPHABET) },
    { weight: 1, arbitrary: fc.constantFrom('.', '#', '=', '+', '/', ' ', '1', '2', '\u00e9', '%') },
  )
  const fragmentEdit = fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), char: fragmentChar }),
    fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: fragmentChar }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('hash' as const) }),
  )

  it('parses a mutated fragment only when it still spells a key, and the same key only when unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(key, fc.array(fragmentEdit, { minLength: 1, maxLength: 3 }), async (k, edits) => {
        const fragment = secretLink(ORIGIN, k).split('#')[1]!
        let mutated = fragment
        for (const e of edits) {
          if (e.kind === 'hash') {
            mutated = `#${mutated}`
            continue
          }
          const at = e.at % (mutated.length + 1)
          const tail = e.kind === 'insert' ? mutated.slice(at) : mutated.slice(at + 1)
          mutated = mutated.slice(0, at) + ('char' in e ? e.char : '') + tail
        }
        const hash = mutated.startsWith('#') ? mutated.slice(1) : mutated
        const spellsKey = /^1\.[A-Za-z0-9_-]{43}$/.test(hash) && nodeCanonical(hash.slice(2))
        const outcome = await rejection(() => parseSecretFragment(mutated))
        if (!spellsKey) {
          expect(['link', 'b64u']).toContain(outcome)
          return
        }
        const parsed = parseSecretFragment(mutated)
        expect(Buffer.from(parsed).equals(Buffer.from(hash.slice(2), 'base64url'))).toBe(true)
        expect(Buffer.from(parsed).equals(Buffer.from(k))).toBe(hash === fragment)
      }),
      { numRuns: 2000 },
    )
  })
})
