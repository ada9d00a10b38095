import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fileLayout, MAX_FILE_SIZE, padme, storedChunkBytes } from '@burnlink/shared'
import { filesSection, layout as referenceLayout, padme as referencePadme } from './files-reference.ts'
import file from './vectors.json'

describe('the files section of vectors.json', () => {
  it('is exactly what the independent reference computes', () => {
    expect(file.files).toEqual(filesSection())
  })

  it('reuses the passphrase vector: the same k, hdr and P as text-argon2id', () => {
    const argon = file.vectors.find((v) => v.name === 'text-argon2id')!
    const secret = file.files.secrets.find((s) => s.name === 'one-file-argon2id')!
    expect(secret.inputs).toMatchObject({ k: argon.inputs.k, hdr: argon.outputs.hdr, P: argon.outputs.P })
  })
})

describe('padding agrees with the reference', () => {
  const size = fc.oneof(
    fc.integer({ min: 0, max: 4096 }),
    fc.integer({ min: 0, max: 64 * 1_048_576 }),
    fc.integer({ min: 0, max: MAX_FILE_SIZE }),
    // Just below and above powers of two, where E and S change.
    fc
      .record({ e: fc.integer({ min: 1, max: 48 }), d: fc.integer({ min: -3, max: 3 }) })
      .map(({ e, d }) => Math.min(MAX_FILE_SIZE, Math.max(0, 2 ** e + d))),
  )

  it('padme, and every layout figure', () => {
    fc.assert(
      fc.property(size, (n) => {
        expect(padme(n)).toBe(referencePadme(n))
        const ours = fileLayout(n)
        const ref = referenceLayout(n)
        expect(ours).toEqual({ padded: ref.padded, chunks: ref.chunks, stored: ref.stored })
        expect(storedChunkBytes(ours, ours.chunks - 1)).toBe(ref.last_stored)
      }),
      { numRuns: 2000 },
    )
  })
})
