import { describe, expect, it } from 'vitest'
import { rejectSignedFiles, signedFilesMismatches, signedMismatches, rejectSigned } from './vectors-runner.ts'
import { signedSection } from './signed-reference.ts'
import file from './vectors.json'

describe('the signed section of vectors.json (format 2)', () => {
  it('is exactly what the independent reference computes, its signatures verifying there', () => {
    expect(file.signed).toEqual(signedSection(file.signed))
  })

  it('reuses text-nopass: the same k, mt, nonce and text, so only pkh changes sid', () => {
    const [plain] = file.vectors
    const [signed] = file.signed.vectors
    expect(signed!.inputs).toMatchObject({ k: plain!.inputs.k, mt: plain!.inputs.mt, nonce: plain!.inputs.nonce })
    expect(signed!.outputs.acc).toBe(plain!.outputs.acc)
    expect(signed!.outputs.sid).not.toBe(plain!.outputs.sid)
  })
})

describe.each(file.signed.vectors)('signed vector $name', (v) => {
  it('is reproduced by the shared code, opened, and signed again verifiably', async () => {
    expect(await signedMismatches(v)).toEqual([])
  })

  it('is refused once its own signature is flipped', async () => {
    const hdr = v.outputs.hdr.slice(0, -2) + (parseInt(v.outputs.hdr.slice(-2), 16) ^ 1).toString(16).padStart(2, '0')
    const { link_fragment, ct_b64u } = v.outputs
    const n = { name: 'flip', link_fragment, hdr, ct_b64u, passphrase: v.inputs.passphrase, error: '', why: '' }
    expect(await rejectSigned(n)).toBe('signature')
  })
})

describe.each(file.signed.negative)('signed negative $name', (n) => {
  it(`is refused: ${n.why}`, async () => {
    expect(await rejectSigned(n)).toBe(n.error)
  })
})

describe('signed files vector (protocol.md §10.7)', () => {
  const { vector, negative } = file.signed.files

  it('is reproduced by the shared code: chunk and file digests, the signed message, a verifying fsig', async () => {
    expect(await signedFilesMismatches(vector)).toEqual([])
  })

  it.each(negative)('refuses $name: $why', async (n) => {
    expect(await rejectSignedFiles(vector, n)).toBe(n.error)
  })
})
