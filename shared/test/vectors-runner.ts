/**
 * Known-answer checks for vectors.json through the public API only, with no test framework
 * and no runtime-specific import: vitest runs it under Node and the browser test bundles it
 * into Chromium, so both runtimes are held to the same bytes.
 */
import {
  contentAad,
  decodeB64u,
  decryptSecret,
  deriveAccess,
  derivePassphraseKey,
  deriveReveal,
  encodeB64u,
  encodeFrame,
  encodeHeader,
  manageLink,
  open,
  parseHeader,
  parseManageFragment,
  parseSecretFragment,
  ProtocolError,
  seal,
  secretLink,
  sha256,
  unlockSecret,
} from '@burnlink/shared'
import type { Header, PayloadType } from '@burnlink/shared'

export interface Vector {
  name: string
  inputs: {
    k: string
    mt: string
    nonce: string
    type: number
    payload_text: string
    payload_hex: string
    salt?: string
    m?: number
    t?: number
    p?: number
    passphrase?: string
    passphrase_utf8?: string
    passphrase_nfc_utf8?: string
  }
  /** Optional fields (P) read back from JSON as possibly undefined. */
  outputs: Record<string, string | number | undefined>
}
export interface B64uNegative {
  input: string
  bytes: number
  error: string
  why: string
}
export interface HdrNegative {
  hdr: string
  error: string
  why: string
}
export interface CtNegative {
  name: string
  k: string
  hdr: string
  ct_b64u: string
  error: string
  why: string
  passphrase?: string
  frame?: string
  aad?: string
}
export interface VectorFile {
  vectors: Vector[]
  negative: { b64u: B64uNegative[]; hdr: HdrNegative[]; ct: CtNegative[] }
}
export interface CheckResult {
  name: string
  ok: boolean
  detail?: string
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

export function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16))
}

const ORIGIN = 'https://burnlink.example'
const encoder = new TextEncoder()

function vectorHeader(i: Vector['inputs']): Header {
  if (i.salt === undefined) return { kdf: 'none' }
  return { kdf: 'argon2id', m: i.m!, t: i.t!, p: 1, salt: fromHex(i.salt) }
}

export interface Computed {
  /** Same names and encodings as a vector's outputs, except `cek`, which cannot be exported. */
  outputs: Record<string, string | number>
  /** Sealing with the vector's cek gives our ct byte for byte, which proves our cek equal. */
  cekMatches: boolean
  /** The vector's own ct opened with our derived key. */
  opened: { type: PayloadType; text: string }
  /** The vector's fragments parsed back. */
  linkKey: string
  manageRef: { sid: string; mt: string }
  passphraseUtf8?: string
  passphraseNfcUtf8?: string
}

/** Runs the whole key schedule once (Argon2id included) and recomputes every output. */
export async function computeVector(v: Vector): Promise<Computed> {
  const i = v.inputs
  const k = fromHex(i.k)
  const mt = fromHex(i.mt)
  const nonce = fromHex(i.nonce)
  const type = i.type as PayloadType
  const header = vectorHeader(i)
  const hdr = encodeHeader(header)
  const { sid, acc } = await deriveAccess(k)
  const P = await derivePassphraseKey(i.passphrase ?? '', header)
  const { rev, cek } = await deriveReveal(k, P, sid)
  const ct = await seal(cek, sid, hdr, type, i.payload_text, nonce)
  const vectorCek = await crypto.subtle.importKey('raw', fromHex(String(v.outputs.cek)), 'AES-GCM', false, ['encrypt'])
  const ctUnderVectorCek = await seal(vectorCek, sid, hdr, type, i.payload_text, nonce)
  const sidB64u = encodeB64u(sid)
  const outputs: Record<string, string | number> = {
    sid: toHex(sid),
    sid_b64u: sidB64u,
    acc: toHex(acc),
    rev: toHex(rev),
    av: toHex(await sha256(acc)),
    rv: toHex(await sha256(rev)),
    mv: toHex(await sha256(mt)),
    hdr: toHex(hdr),
    aad: toHex(contentAad(sid, hdr)),
    frame_len: encodeFrame(type, encoder.encode(i.payload_text)).length,
    ct_len: ct.length,
    ct_b64u: encodeB64u(ct),
    ct_sha256: toHex(await sha256(ct)),
    link_fragment: secretLink(ORIGIN, k).split('#')[1]!,
    manage_fragment: manageLink(ORIGIN, sidB64u, encodeB64u(mt)).split('#')[1]!,
  }
  if (P.length > 0) outputs.P = toHex(P)
  const computed: Computed = {
    outputs,
    cekMatches: toHex(ct) === toHex(ctUnderVectorCek),
    opened: await open(cek, sid, hdr, decodeB64u(String(v.outputs.ct_b64u))),
    linkKey: toHex(parseSecretFragment(String(v.outputs.link_fragment))),
    manageRef: parseManageFragment(String(v.outputs.manage_fragment)),
  }
  if (i.passphrase !== undefined) {
    computed.passphraseUtf8 = toHex(encoder.encode(i.passphrase))
    computed.passphraseNfcUtf8 = toHex(encoder.encode(i.passphrase.normalize('NFC')))
  }
  return computed
}

/** Every way `got` differs from the vector, as readable lines; empty when it conforms. */
export function vectorMismatches(v: Vector, got: Computed): string[] {
  const wrong: string[] = []
  const check = (what: string, actual: unknown, expected: unknown) => {
    if (actual !== expected) wrong.push(`${what}: got ${String(actual)}, expected ${String(expected)}`)
  }
  for (const [field, expected] of Object.entries(v.outputs)) {
    if (field === 'cek') check('cek (sealing under it)', got.cekMatches, true)
    else check(field, got.outputs[field], expected)
  }
  check('opened type', got.opened.type, v.inputs.type)
  check('opened text', got.opened.text, v.inputs.payload_text)
  check('payload_hex', toHex(encoder.encode(v.inputs.payload_text)), v.inputs.payload_hex)
  check('link key parsed back', got.linkKey, v.inputs.k)
  check('manage sid parsed back', got.manageRef.sid, v.outputs.sid_b64u)
  check('manage mt parsed back', got.manageRef.mt, encodeB64u(fromHex(v.inputs.mt)))
  check('passphrase_utf8', got.passphraseUtf8, v.inputs.passphrase_utf8)
  check('passphrase_nfc_utf8', got.passphraseNfcUtf8, v.inputs.passphrase_nfc_utf8)
  return wrong
}

/** The ProtocolError reason `run` fails with, 'accepted' if it does not fail. */
export async function rejection(run: () => unknown): Promise<string> {
  try {
    await run()
    return 'accepted'
  } catch (e) {
    return e instanceof ProtocolError ? e.reason : `unexpected ${String(e)}`
  }
}

export function rejectB64u(n: B64uNegative): Promise<string> {
  return rejection(() => decodeB64u(n.input, n.bytes))
}

export function rejectHdr(n: HdrNegative): Promise<string> {
  return rejection(() => parseHeader(fromHex(n.hdr)))
}

/** Opens the entry the way a recipient does: header from meta, passphrase, reveal, decrypt. */
export function rejectCt(n: CtNegative): Promise<string> {
  return rejection(async () => {
    const unlocked = await unlockSecret({ k: fromHex(n.k), passphrase: n.passphrase, hdr: encodeB64u(fromHex(n.hdr)) })
    return decryptSecret(unlocked, n.ct_b64u)
  })
}

export async function runVectors(file: VectorFile): Promise<CheckResult[]> {
  const results: CheckResult[] = []
  const record = (name: string, problems: string[]) =>
    results.push(problems.length === 0 ? { name, ok: true } : { name, ok: false, detail: problems.join('; ') })
  const expectReason = async (name: string, expected: string, reason: Promise<string>) => {
    const got = await reason
    record(name, got === expected ? [] : [`rejected with ${got}, expected ${expected}`])
  }
  for (const v of file.vectors) {
    try {
      record(`vector ${v.name}`, vectorMismatches(v, await computeVector(v)))
    } catch (e) {
      record(`vector ${v.name}`, [`threw ${String(e)}`])
    }
  }
  for (const n of file.negative.b64u)
    await expectReason(`b64u ${JSON.stringify(n.input)} (${n.why})`, n.error, rejectB64u(n))
  for (const n of file.negative.hdr)
    await expectReason(`hdr ${JSON.stringify(n.hdr)} (${n.why})`, n.error, rejectHdr(n))
  for (const n of file.negative.ct) await expectReason(`ct ${n.name}`, n.error, rejectCt(n))
  return results
}
