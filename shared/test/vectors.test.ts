import { beforeAll, describe, expect, it } from 'vitest'
import { storedLayout } from '@burnlink/shared'
import {
  computeVector,
  fileSecretMismatches,
  paddingMismatches,
  rejectChunks,
  rejectManifest,
  runVectors,
  vectorMismatches,
} from './vectors-runner.ts'
import type { Computed } from './vectors-runner.ts'
import file from './vectors.json'

// Argon2id at 64 MiB runs once per vector, in beforeAll, not once per field.
const ARGON2_TIMEOUT = 60_000

describe.each(file.vectors)('vector $name', (v) => {
  let got: Computed
  beforeAll(async () => {
    got = await computeVector(v)
  }, ARGON2_TIMEOUT)

  const fields = Object.keys(v.outputs).filter((f) => f !== 'cek')
  it.each(fields)('%s', (field) => {
    expect(got.outputs[field]).toBe(v.outputs[field as keyof typeof v.outputs])
  })

  it('cek: sealing under the vector cek gives the same ct as our non-extractable key', () => {
    expect(got.cekMatches).toBe(true)
  })

  it('opens ct_b64u to payload_text with its type', () => {
    expect(got.opened).toEqual({ type: v.inputs.type, text: v.inputs.payload_text })
  })

  it('parses link_fragment and manage_fragment back', () => {
    expect(got.linkKey).toBe(v.inputs.k)
    expect(got.manageRef.sid).toBe(v.outputs.sid_b64u)
  })

  it('checks every field in one pass (what the browser runs)', () => {
    expect(vectorMismatches(v, got)).toEqual([])
  })
})

describe('runVectors', () => {
  it(
    'passes every vector and every negative',
    async () => {
      const results = await runVectors(file)
      const { padding, secrets, negative } = file.files
      const expected =
        file.vectors.length +
        file.negative.b64u.length +
        file.negative.hdr.length +
        file.negative.ct.length +
        padding.length +
        secrets.length +
        negative.chunks.length +
        negative.manifest.length +
        negative.stored.length +
        file.signed.vectors.length +
        file.signed.negative.length +
        1 +
        file.signed.files.negative.length
      expect(results).toHaveLength(expected)
      expect(results.filter((r) => !r.ok)).toEqual([])
    },
    4 * ARGON2_TIMEOUT,
  )

  it('reports a vector that does not match', async () => {
    const [first] = file.vectors
    const tampered = { ...first!, outputs: { ...first!.outputs, acc: '00'.repeat(32) } }
    const results = await runVectors({ vectors: [tampered], negative: { b64u: [], hdr: [], ct: [] } })
    expect(results).toEqual([{ name: 'vector text-nopass', ok: false, detail: expect.stringContaining('acc: got') }])
  })

  it('reports a negative that is accepted', async () => {
    const results = await runVectors({
      vectors: [],
      negative: { b64u: [{ input: 'Zg', bytes: 1, error: 'b64u', why: 'valid' }], hdr: [], ct: [] },
    })
    expect(results[0]).toMatchObject({ ok: false, detail: 'rejected with accepted, expected b64u' })
  })
})

const files = file.files

describe('files: padding', () => {
  it.each(files.padding)('a $size-byte file pads to $padded bytes in $chunks chunks, $stored stored', (row) => {
    expect(paddingMismatches(row)).toEqual([])
  })
})

describe.each(files.secrets)('files: secret $name', (v) => {
  it('reproduces sid, ut, uv, the manifest envelope, the stored sizes and every chunk', async () => {
    expect(await fileSecretMismatches(v)).toEqual([])
  })
})

describe('files: negatives', () => {
  it.each(files.negative.chunks)('chunks $name: $why', async (n) => {
    expect(await rejectChunks(files, n)).toBe(n.error)
  })

  it.each(files.negative.manifest)('manifest: $why', async (n) => {
    expect(await rejectManifest(n)).toBe(n.error)
  })

  it.each(files.negative.stored)('stored size $stored: $why', (n) => {
    expect(storedLayout(n.stored)).toBeUndefined()
  })
})
