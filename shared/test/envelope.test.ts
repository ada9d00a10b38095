import { beforeAll, describe, expect, it } from 'vitest'
import {
  deriveAccess,
  deriveReveal,
  encodeFrame,
  encodeHeader,
  MAX_PAYLOAD_BYTES,
  open,
  PayloadType,
  randomBytes,
  seal,
} from '@burnlink/shared'
import { rejection } from './vectors-runner.ts'

const hdr = encodeHeader({ kdf: 'none' })
let sid: Uint8Array
let cek: CryptoKey

beforeAll(async () => {
  const k = randomBytes(32)
  sid = (await deriveAccess(k)).sid
  cek = (await deriveReveal(k, new Uint8Array(0), sid)).cek
})

describe('frame buckets', () => {
  it.each([
    [0, 256],
    [251, 256],
    [252, 512],
    [507, 512],
    [508, 1024],
    [MAX_PAYLOAD_BYTES, 65536],
  ])('a %i-byte payload fills a %i-byte frame', (bytes, frame) => {
    expect(encodeFrame(PayloadType.text, new Uint8Array(bytes)).length).toBe(frame)
  })

  it('refuses one byte more than the largest frame holds', async () => {
    expect(await rejection(() => encodeFrame(PayloadType.text, new Uint8Array(MAX_PAYLOAD_BYTES + 1)))).toBe('payload')
    expect(await rejection(() => seal(cek, sid, hdr, PayloadType.text, 'x'.repeat(MAX_PAYLOAD_BYTES + 1)))).toBe(
      'payload',
    )
  })

  it('writes type, big-endian length, payload and zero padding', () => {
    const frame = encodeFrame(PayloadType.redirect, Uint8Array.of(0xaa, 0xbb))
    expect(Array.from(frame.subarray(0, 8))).toEqual([2, 0, 0, 0, 2, 0xaa, 0xbb, 0])
    expect(frame.subarray(7).every((b) => b === 0)).toBe(true)
  })
})

describe('seal and open', () => {
  it.each([
    ['empty', ''],
    ['a leading byte-order mark', '\uFEFFhello'],
    ['multi-byte text filling the 256 bucket exactly', '€'.repeat(83) + 'ab'],
    ['the largest payload', 'x'.repeat(MAX_PAYLOAD_BYTES)],
  ])('round-trips %s', async (_, text) => {
    const ct = await seal(cek, sid, hdr, PayloadType.text, text)
    expect(await open(cek, sid, hdr, ct)).toEqual({ type: PayloadType.text, text })
  })

  it('uses a fresh nonce each time', async () => {
    const a = await seal(cek, sid, hdr, PayloadType.text, 'same')
    const b = await seal(cek, sid, hdr, PayloadType.text, 'same')
    expect(a.subarray(0, 12)).not.toEqual(b.subarray(0, 12))
  })

  it('binds the ciphertext to its sid and header', async () => {
    const ct = await seal(cek, sid, hdr, PayloadType.text, 'bound')
    const otherSid = sid.map((b, i) => (i === 0 ? b ^ 1 : b))
    const otherHdr = encodeHeader({ kdf: 'argon2id', m: 65536, t: 3, p: 1, salt: new Uint8Array(16) })
    expect(await rejection(() => open(cek, otherSid, hdr, ct))).toBe('auth')
    expect(await rejection(() => open(cek, sid, otherHdr, ct))).toBe('auth')
  })

  it('refuses a nonce that is not 12 bytes', async () => {
    await expect(seal(cek, sid, hdr, PayloadType.text, 'x', new Uint8Array(16))).rejects.toThrow(RangeError)
  })

  it('keeps the content key non-extractable', async () => {
    expect(cek.extractable).toBe(false)
    await expect(crypto.subtle.exportKey('raw', cek)).rejects.toThrow()
  })
})
