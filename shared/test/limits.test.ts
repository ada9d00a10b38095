import { describe, expect, it } from 'vitest'
import {
  CT_LENGTHS,
  Hdr,
  HEADER_BYTES,
  MAX_CT_BYTES,
  MAX_HEADER_BYTES,
  MAX_PAYLOAD_BYTES,
  encodeB64u,
  encodeHeader,
  newHeader,
} from '@burnlink/shared'

/** The derived sizes, pinned to the numbers protocol.md §5 states. */
describe('sizes', () => {
  it('has the ciphertext lengths of protocol.md, the largest being MAX_CT_BYTES', () => {
    expect(CT_LENGTHS).toEqual([284, 540, 1052, 2076, 4124, 8220, 16412, 32796, 65564])
    expect(MAX_CT_BYTES).toBe(65564)
    expect(MAX_PAYLOAD_BYTES).toBe(65531)
  })

  it('has the header sizes encodeHeader writes, and the schema takes exactly those', () => {
    expect(HEADER_BYTES).toEqual({ none: 2, argon2id: 24, signedNone: 131, signedArgon2id: 153 })
    // The store keeps the header's length in one byte (protocol.md §8).
    expect(MAX_HEADER_BYTES).toBe(153)
    const signer = { pk: Uint8Array.of(4, ...new Uint8Array(64)), sig: new Uint8Array(64) }
    expect(encodeHeader(newHeader())).toHaveLength(HEADER_BYTES.none)
    expect(encodeHeader(newHeader('pw'))).toHaveLength(HEADER_BYTES.argon2id)
    expect(encodeHeader({ ...newHeader(), ...signer })).toHaveLength(HEADER_BYTES.signedNone)
    expect(encodeHeader({ ...newHeader('pw'), ...signer })).toHaveLength(HEADER_BYTES.signedArgon2id)
    const sizes: number[] = Object.values(HEADER_BYTES)
    for (let n = 1; n <= MAX_HEADER_BYTES + 1; n++) {
      const valid = sizes.includes(n)
      expect(Hdr.safeParse(encodeB64u(new Uint8Array(n))).success, `${n} bytes`).toBe(valid)
    }
  })
})
