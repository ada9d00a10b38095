import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  AttachmentManifest,
  CHUNK_BYTES,
  encodeManifest,
  fileLayout,
  MAX_FILE_SIZE,
  MIN_PADDED_FILE_BYTES,
  padme,
  parseManifest,
  STORED_CHUNK_BYTES,
  storedChunkBytes,
  storedLayout,
} from '@burnlink/shared'
import { rejection } from './vectors-runner.ts'

const CS = CHUNK_BYTES

describe('padme', () => {
  it.each([
    [0, 0],
    [1, 1],
    [7, 7],
    [9, 10],
    [256, 256],
    [257, 272],
    [1000, 1024],
    [CS, CS],
    [CS + 1, CS + 32768],
    [2 ** 30 + 1, 2 ** 30 + 2 ** 25],
    [2 ** 53 - 1, 2 ** 53],
  ])('pads %i to %i', (length, padded) => {
    expect(padme(length)).toBe(padded)
  })

  it('refuses what is not a length', () => {
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53]) expect(() => padme(bad)).toThrow(RangeError)
  })

  it('never shrinks, is a fixed point on its outputs, grows monotonically and costs at most 12 %', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 2 ** 52 }), fc.integer({ min: 0, max: 2 ** 20 }), (n, more) => {
        const p = padme(n)
        expect(p).toBeGreaterThanOrEqual(n)
        expect(padme(p)).toBe(p)
        expect(padme(n + more)).toBeGreaterThanOrEqual(p)
        expect((p - n) / n).toBeLessThanOrEqual(0.12)
      }),
      { numRuns: 2000 },
    )
  })
})

describe('file layout', () => {
  it('pads small files to 256 bytes in one chunk, the empty file included', () => {
    for (const size of [0, 1, MIN_PADDED_FILE_BYTES]) {
      expect(fileLayout(size)).toEqual({ padded: 256, chunks: 1, stored: 272 })
    }
  })

  it('fills every chunk but the last, which holds 1..CS bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 64 * CS }), (size) => {
        const layout = fileLayout(size)
        expect(layout.padded).toBe(padme(Math.max(size, 256)))
        expect(layout.chunks).toBe(Math.ceil(layout.padded / CS))
        for (let j = 0; j < layout.chunks - 1; j++) expect(storedChunkBytes(layout, j)).toBe(STORED_CHUNK_BYTES)
        const last = storedChunkBytes(layout, layout.chunks - 1)
        expect(last).toBeGreaterThanOrEqual(17)
        expect(last).toBeLessThanOrEqual(STORED_CHUNK_BYTES)
        expect((layout.chunks - 1) * STORED_CHUNK_BYTES + last).toBe(layout.stored)
      }),
    )
  })

  it('refuses sizes past the largest file and chunk indices outside the file', () => {
    expect(() => fileLayout(MAX_FILE_SIZE + 1)).toThrow(RangeError)
    expect(() => fileLayout(-1)).toThrow(RangeError)
    const layout = fileLayout(CS + 1)
    expect(() => storedChunkBytes(layout, 2)).toThrow(RangeError)
    expect(() => storedChunkBytes(layout, -1)).toThrow(RangeError)
  })

  it('reads a stored size back to its layout, and only the stored size of some file', () => {
    const size = fc.oneof(fc.integer({ min: 0, max: 64 * CS }), fc.integer({ min: 0, max: MAX_FILE_SIZE }))
    fc.assert(
      fc.property(size, (n) => {
        const layout = fileLayout(n)
        expect(storedLayout(layout.stored)).toEqual(layout)
      }),
      { numRuns: 1000 },
    )
    // Any number a client sends. Only one padded size could store b bytes, b less 16 per chunk
    // of it; b is accepted exactly when a file of that size stores b bytes.
    const largest = fileLayout(MAX_FILE_SIZE).stored
    const stored = fc.oneof(fc.integer({ min: -10, max: 3 * STORED_CHUNK_BYTES }), fc.integer({ min: 0, max: largest }))
    fc.assert(
      fc.property(stored, (b) => {
        const candidate = Math.max(0, b - 16 * Math.ceil(b / STORED_CHUNK_BYTES))
        const stores = b > 0 && fileLayout(candidate).stored === b
        expect(storedLayout(b)).toEqual(stores ? fileLayout(candidate) : undefined)
      }),
      { numRuns: 5000 },
    )
  })
})

describe('manifest', () => {
  const entry = fc.record({
    name: fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
      .filter((s) => s.length <= 255 && !s.includes('\0')),
    type: fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 127 }),
    size: fc.integer({ min: 0, max: MAX_FILE_SIZE }),
  })
  const manifest = fc.record(
    { files: fc.array(entry, { minLength: 1, maxLength: 10 }), note: fc.string({ unit: 'grapheme' }) },
    { requiredKeys: ['files'] },
  )

  it('round-trips any manifest through its JSON text', () => {
    fc.assert(
      fc.property(manifest, (m) => {
        expect(parseManifest(encodeManifest(m))).toEqual(m)
      }),
      { numRuns: 300 },
    )
  })

  it('keeps a hostile name as the sender wrote it: sanitising is for whoever saves the file', () => {
    const names = ['../../etc/passwd', 'a\u202egnp.exe', 'con', '\u{1f512}\u200d', 'x'.repeat(255)]
    for (const name of names) {
      expect(parseManifest(encodeManifest({ files: [{ name, type: '', size: 1 }] })).files[0]!.name).toBe(name)
    }
  })

  it('refuses to write what it would refuse to read', async () => {
    const bad = { files: [{ name: 'a\u0000', type: '', size: 1 }] }
    expect(await rejection(() => encodeManifest(bad))).toBe('payload')
    expect(AttachmentManifest.safeParse(bad).success).toBe(false)
  })
})
