import { describe, expect, it } from 'vitest'
import { ARGON2, encodeHeader, newHeader, parseHeader, signedHeaderPart } from '@burnlink/shared'
import type { Header } from '@burnlink/shared'
import { rejection } from './vectors-runner.ts'

function argon2Header(h: Header) {
  if (h.kdf !== 'argon2id') throw new Error(`expected an Argon2id header, got ${h.kdf}`)
  return h
}

describe('header', () => {
  it.each([undefined, ''])('has no KDF without a passphrase (%j)', (passphrase) => {
    expect(newHeader(passphrase)).toEqual({ kdf: 'none' })
    expect(Array.from(encodeHeader(newHeader(passphrase)))).toEqual([1, 0])
  })

  it('uses the default costs and a random 16-byte salt with a passphrase', () => {
    const [a, b] = [newHeader('pw'), newHeader('pw')].map(argon2Header)
    expect(a).toMatchObject({ kdf: 'argon2id', ...ARGON2.defaults })
    expect(a!.salt).toHaveLength(16)
    expect(a!.salt).not.toEqual(b!.salt)
  })

  it('round-trips through bytes, also from a view into a larger buffer', () => {
    const h = newHeader('pw', { m: ARGON2.maxM, t: ARGON2.minT })
    const bytes = encodeHeader(h)
    expect(bytes.length).toBe(24)
    const padded = new Uint8Array(30)
    padded.set(bytes, 3)
    expect(parseHeader(padded.subarray(3, 27))).toEqual(h)
  })

  it.each([
    { m: ARGON2.minM - 1, t: 3 },
    { m: ARGON2.maxM + 1, t: 3 },
    { m: 65536.5, t: 3 },
    { m: 65536, t: ARGON2.minT - 1 },
    { m: 65536, t: ARGON2.maxT + 1 },
  ])('refuses to write costs a client would refuse to read: %j', async (cost) => {
    expect(await rejection(() => newHeader('pw', cost))).toBe('header')
  })

  it('refuses to encode a salt of the wrong size', async () => {
    const h = { kdf: 'argon2id', m: 65536, t: 3, p: 1, salt: new Uint8Array(15) } as const
    expect(await rejection(() => encodeHeader(h))).toBe('header')
  })
})

describe('format 2 header', () => {
  const pk = Uint8Array.of(4, ...Array.from({ length: 64 }, (_, i) => i))
  const sig = Uint8Array.from({ length: 64 }, (_, i) => 255 - i)

  it.each([newHeader(), newHeader('pw', { m: ARGON2.minM, t: ARGON2.minT })])(
    'round-trips with its key and signature, and without the signature is the signed part',
    (kdf) => {
      const bytes = encodeHeader({ ...kdf, pk, sig })
      expect(bytes[0]).toBe(2)
      expect(parseHeader(bytes)).toEqual({ ...kdf, pk, sig })
      expect(signedHeaderPart(bytes)).toEqual(encodeHeader({ ...kdf, pk }))
      expect(signedHeaderPart(encodeHeader(kdf))).toEqual(encodeHeader(kdf))
    },
  )

  it('refuses a truncated or overlong one, a compressed key, and a signature without a key', async () => {
    const bytes = encodeHeader({ kdf: 'none', pk, sig })
    for (const n of [1, 2, 66, 67, 130, 132]) {
      const cut = new Uint8Array(n)
      cut.set(bytes.subarray(0, n))
      expect(await rejection(() => parseHeader(cut)), `${n} bytes`).toBe('header')
    }
    const compressed = Uint8Array.from(bytes)
    compressed[2] = 2
    expect(await rejection(() => parseHeader(compressed))).toBe('header')
    expect(await rejection(() => encodeHeader({ kdf: 'none', sig }))).toBe('header')
    expect(await rejection(() => encodeHeader({ kdf: 'none', pk: pk.subarray(1) }))).toBe('header')
  })
})
