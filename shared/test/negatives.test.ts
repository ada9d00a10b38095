import { describe, expect, it } from 'vitest'
import { decodeB64u, decodeFrame, deriveAccess, deriveReveal, NONCE_BYTES } from '@burnlink/shared'
import { fromHex, rejectB64u, rejectCt, rejectHdr, rejection, toHex } from './vectors-runner.ts'
import file from './vectors.json'

const { b64u, hdr, ct } = file.negative

describe('b64u negatives', () => {
  it.each(b64u)('$input as $bytes bytes: $why', async (n) => {
    expect(await rejectB64u(n)).toBe(n.error)
  })
})

describe('hdr negatives', () => {
  it.each(hdr)('"$hdr": $why', async (n) => {
    expect(await rejectHdr(n)).toBe(n.error)
  })
})

describe('ct negatives', () => {
  it.each(ct)(
    '$name: $why',
    async (n) => {
      expect(await rejectCt(n)).toBe(n.error)
    },
    60_000,
  )

  // The frame entries carry a valid tag, so each must be caught by the frame check it names.
  const frames = ct.flatMap((n) => (n.frame && !n.aad ? [{ ...n, frame: n.frame }] : []))
  it.each(frames)('$name: the frame alone fails with its reason', async (n) => {
    expect(await rejection(() => decodeFrame(fromHex(n.frame)))).toBe(n.error)
  })

  // Only the AAD is wrong in these: under the AAD they were sealed with, they open.
  const aads = ct.flatMap((n) => (n.aad && n.frame ? [{ ...n, aad: n.aad, frame: n.frame }] : []))
  it.each(aads)('$name: opens under the AAD it was sealed with', async (n) => {
    const k = fromHex(n.k)
    const { sid } = await deriveAccess(k)
    const { cek } = await deriveReveal(k, new Uint8Array(0), sid)
    const bytes = decodeB64u(n.ct_b64u)
    const frame = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.slice(0, NONCE_BYTES), additionalData: fromHex(n.aad) },
      cek,
      bytes.slice(NONCE_BYTES),
    )
    expect(toHex(new Uint8Array(frame))).toBe(n.frame)
  })
})
