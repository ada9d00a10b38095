import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeB64u, encodeB64u } from '@burnlink/shared'
import { fromB64u, toB64u } from '../src/bytes.ts'

describe('server base64url', () => {
  it('agrees byte for byte with the shared strict codec on every canonical string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (bytes) => {
        const s = encodeB64u(bytes)
        expect(toB64u(bytes)).toBe(s)
        expect(new Uint8Array(fromB64u(s))).toEqual(decodeB64u(s))
      }),
      { numRuns: 500 },
    )
  })

  it('encodes views into larger buffers by their own bytes only', () => {
    const backing = new Uint8Array([1, 2, 3, 4, 5, 6])
    expect(toB64u(backing.subarray(2, 4))).toBe(encodeB64u(new Uint8Array([3, 4])))
  })
})
