/**
 * Known-answer checks for vectors.json through the public API only, with no test framework
 * and no runtime-specific import: vitest runs it under Node and the browser test bundles it
 * into Chromium, so both runtimes are held to the same bytes.
 */
import {
  CHUNK_BYTES,
  checkSigner,
  chunkAad,
  concatBytes,
  chunkNonce,
  contentAad,
  dataChunkBytes,
  decodeB64u,
  decryptFile,
  decryptSecret,
  deriveAccess,
  deriveFileKey,
  derivePassphraseKey,
  deriveReveal,
  deriveUploadToken,
  encodeB64u,
  encodeFrame,
  encodeHeader,
  encryptChunk,
  encryptFile,
  fileDigest,
  fileLayout,
  filesMessage,
  manageLink,
  open,
  paddedChunkBytes,
  parseHeader,
  parseManageFragment,
  parseManifest,
  parseSecretFragment,
  PayloadType,
  ProtocolError,
  publicKeyHash,
  seal,
  secretLink,
  sha256,
  signContent,
  signedMessage,
  signFiles,
  storedChunkBytes,
  storedLayout,
  unlockSecret,
  verifyContent,
  verifyFiles,
} from '@burnlink/shared'
import type { ChunkContext, Header } from '@burnlink/shared'

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
export interface PaddingRow {
  size: number
  padded: number
  chunks: number
  stored: number
  last_stored: number
}
export interface ChunkVector {
  file: number
  chunk: number
  last: boolean
  nonce: string
  aad: string
  data_len: number
  padded_len: number
  plaintext_sha256: string
  stored_len: number
  stored_sha256: string
  tag: string
  stored_b64u?: string
}
export interface FileSecretVector {
  name: string
  inputs: { k: string; P: string; hdr: string; manifest_nonce: string; manifest_text: string; fill: number[] }
  outputs: {
    sid: string
    fk: string
    ut: string
    ut_b64u: string
    uv: string
    manifest_ct_b64u: string
    stored: number[]
    chunks: ChunkVector[]
  }
}
/** One served chunk: a vector chunk [file, chunk], possibly damaged, or bytes of its own. */
export interface ServedChunk {
  chunk?: number[]
  flip_bit?: number
  cut?: number
  append_hex?: string
  stored_b64u?: string
}
export interface ChunkNegative {
  name: string
  secret: string
  file: number
  P?: string
  serve: ServedChunk[]
  error: string
  why: string
}
export interface ManifestNegative {
  text: string
  error: string
  why: string
}
export interface StoredNegative {
  stored: number
  why: string
}
export interface FilesSection {
  chunk_bytes: number
  padding: PaddingRow[]
  secrets: FileSecretVector[]
  negative: { chunks: ChunkNegative[]; manifest: ManifestNegative[]; stored: StoredNegative[] }
}
export interface SignedVector {
  name: string
  inputs: Omit<Vector['inputs'], 'payload_hex'> & { signer_jwk: JsonWebKey; sig: string }
  outputs: Record<string, string | undefined>
}
export interface SignedNegative {
  name: string
  link_fragment: string
  hdr: string
  ct_b64u: string
  passphrase?: string
  error: string
  why: string
}
/** A format 2 file secret and its files signature (protocol.md §10.7). */
export interface SignedFilesVector {
  name: string
  inputs: SignedVector['inputs'] & {
    files: { name: string; type: string; size: number; fill: number }[]
    fsig_sig: string
  }
  outputs: Record<string, string | number[] | string[] | string[][]> & {
    link_fragment: string
    hdr: string
    stored: number[]
    chunk_digests: string[][]
    file_digests: string[]
    files_message: string
    fsig_b64u: string
  }
}
export interface SignedFilesNegative {
  name: string
  fsig_b64u?: string
  file?: number
  replace?: { chunk: number; stored_b64u: string }
  error: string
  why: string
}
export interface SignedSection {
  vectors: SignedVector[]
  negative: SignedNegative[]
  files?: { vector: SignedFilesVector; negative: SignedFilesNegative[] }
}
export interface VectorFile {
  vectors: Vector[]
  negative: { b64u: B64uNegative[]; hdr: HdrNegative[]; ct: CtNegative[] }
  files?: FilesSection
  signed?: SignedSection
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

function vectorHeader(i: Pick<Vector['inputs'], 'salt' | 'm' | 't'>): Header {
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

const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const

/**
 * Recomputes a format 2 secret from its inputs (protocol.md §5.1): pk, pkh, the key
 * schedule, both header forms, the envelope and the signed message; opens the vector's own
 * signed ct as a recipient does; and signs the same bytes with our own code under the
 * vector's key, which must verify (ECDSA is randomised: signatures are not compared).
 */
export async function signedMismatches(v: SignedVector): Promise<string[]> {
  const wrong: string[] = []
  const check = (what: string, actual: unknown, expected: unknown) => {
    if (actual !== expected) wrong.push(`${what}: got ${String(actual)}, expected ${String(expected)}`)
  }
  const i = v.inputs
  const o = v.outputs
  const { d: _d, ...publicJwk } = i.signer_jwk
  const [sk, pub] = await Promise.all([
    crypto.subtle.importKey('jwk', i.signer_jwk, ECDSA_P256, false, ['sign']),
    crypto.subtle.importKey('jwk', publicJwk, ECDSA_P256, true, ['verify']),
  ])
  const pk = new Uint8Array(await crypto.subtle.exportKey('raw', pub))
  const pkh = await publicKeyHash(pk)
  const key = concatBytes(fromHex(i.k), pkh)
  const kdf = vectorHeader(i)
  const header = { ...kdf, pk }
  const hdrs = encodeHeader(header)
  const hdr = encodeHeader({ ...header, sig: fromHex(i.sig) })
  const { sid, acc } = await deriveAccess(key)
  const P = await derivePassphraseKey(i.passphrase ?? '', header)
  const { rev, cek } = await deriveReveal(key, P, sid)
  const type = i.type as PayloadType
  const ct = await seal(cek, sid, hdrs, type, i.payload_text, fromHex(i.nonce))
  const vectorCek = await crypto.subtle.importKey('raw', fromHex(o.cek!), 'AES-GCM', false, ['encrypt'])
  const underVectorCek = await seal(vectorCek, sid, hdrs, type, i.payload_text, fromHex(i.nonce))
  const sidB64u = encodeB64u(sid)
  const got: Record<string, string> = {
    pk: toHex(pk),
    pkh: toHex(pkh),
    sid: toHex(sid),
    sid_b64u: sidB64u,
    acc: toHex(acc),
    rev: toHex(rev),
    av: toHex(await sha256(acc)),
    rv: toHex(await sha256(rev)),
    mv: toHex(await sha256(fromHex(i.mt))),
    hdrs: toHex(hdrs),
    hdr: toHex(hdr),
    aad: toHex(contentAad(sid, hdrs)),
    m_sha256: toHex(await sha256(signedMessage(sid, hdrs, ct))),
    ct_b64u: encodeB64u(ct),
    link_fragment: secretLink(ORIGIN, key).split('#')[1]!,
    manage_fragment: manageLink(ORIGIN, sidB64u, encodeB64u(fromHex(i.mt))).split('#')[1]!,
  }
  if (P.length > 0) got.P = toHex(P)
  for (const [field, expected] of Object.entries(o)) {
    if (field === 'cek') check('cek (sealing under it)', toHex(ct), toHex(underVectorCek))
    else check(field, got[field], expected)
  }
  const linkKey = parseSecretFragment(String(o.link_fragment))
  check('link key parsed back', toHex(linkKey), toHex(key))
  const unlocked = await unlockSecret({ k: linkKey, passphrase: i.passphrase, hdr: encodeB64u(hdr) })
  const opened = await decryptSecret(unlocked, String(o.ct_b64u))
  check('opened type', opened.type, type)
  check('opened text', opened.text, i.payload_text)
  const ours = encodeHeader({ ...header, sig: await signContent(sk, sid, hdrs, ct) })
  check('our signature verifies', await rejection(() => verifyContent(sid, ours, ct)), 'accepted')
  check('our header passes the link check', await rejection(() => checkSigner(linkKey, parseHeader(ours))), 'accepted')
  return wrong
}

/** Opens the negative the way a recipient does: its link, header, passphrase and ct. */
export function rejectSigned(n: SignedNegative): Promise<string> {
  return rejection(async () => {
    const k = parseSecretFragment(n.link_fragment)
    const unlocked = await unlockSecret({ k, passphrase: n.passphrase, hdr: encodeB64u(fromHex(n.hdr)) })
    return decryptSecret(unlocked, n.ct_b64u)
  })
}

const FILES_ONLY_OUTPUTS = new Set([
  'fk',
  'ut_b64u',
  'uv',
  'stored',
  'chunk_digests',
  'file_digests',
  'files_message',
  'fsig_b64u',
])

/** The vector's secret as its recipient holds it after the reveal: keys, header and each file's size. */
async function signedFilesSecret(v: SignedFilesVector) {
  const key = parseSecretFragment(v.outputs.link_fragment)
  const unlocked = await unlockSecret({ k: key, hdr: encodeB64u(fromHex(v.outputs.hdr)) })
  const sizes = parseManifest(v.inputs.payload_text).files.map((f) => f.size)
  const ctx: ChunkContext = { fk: unlocked.fk, sid: unlocked.sidBytes, hdr: unlocked.hdrBytes, sizes }
  const stored = await Promise.all(
    v.inputs.files.map((f, file) => collect(encryptFile(ctx, file, filePieces(f.size, f.fill)))),
  )
  return { ctx, stored }
}

/**
 * Recomputes a format 2 file secret (protocol.md §10.7): its signed manifest as
 * `signedMismatches` does, every chunk's digest, each file's digest and the signed message;
 * verifies the vector's fsig, signs the same digests with our own code (which must verify)
 * and reads every file back against the signed digests.
 */
export async function signedFilesMismatches(v: SignedFilesVector): Promise<string[]> {
  const base = Object.fromEntries(Object.entries(v.outputs).filter(([field]) => !FILES_ONLY_OUTPUTS.has(field)))
  const wrong = await signedMismatches({ name: v.name, inputs: v.inputs, outputs: base as Record<string, string> })
  const check = (what: string, actual: unknown, expected: unknown) => {
    if (actual !== expected) wrong.push(`${what}: got ${String(actual)}, expected ${String(expected)}`)
  }
  const o = v.outputs
  const { ctx, stored } = await signedFilesSecret(v)
  check('stored', ctx.sizes.map((size) => fileLayout(size).stored).join(), o.stored.join())
  const digests: Uint8Array[] = []
  for (const [file, chunks] of stored.entries()) {
    const chunkDigests = await Promise.all(chunks.map(sha256))
    check(`file ${file} chunk_digests`, chunkDigests.map(toHex).join(), o.chunk_digests[file]!.join())
    digests.push(await fileDigest(chunkDigests))
  }
  check('file_digests', digests.map(toHex).join(), o.file_digests.join())
  check('files_message', toHex(filesMessage(ctx.sid, ctx.hdr, digests)), o.files_message)
  const fsig = decodeB64u(o.fsig_b64u)
  check('fsig ends in fsig_sig', toHex(fsig.subarray(-64)), v.inputs.fsig_sig)
  const verified = await verifyFiles(ctx.sid, ctx.hdr, fsig, ctx.sizes.length).catch(() => [])
  check('the vector fsig verifies, naming the digests', verified.map(toHex).join(), o.file_digests.join())
  const sk = await crypto.subtle.importKey('jwk', v.inputs.signer_jwk, ECDSA_P256, false, ['sign'])
  const ours = await signFiles(sk, ctx.sid, ctx.hdr, digests)
  check('our fsig verifies', await rejection(() => verifyFiles(ctx.sid, ctx.hdr, ours, digests.length)), 'accepted')
  for (const [file, chunks] of stored.entries()) {
    const read = rejection(() => collect(decryptFile({ ...ctx, digests }, file, chunks)))
    check(`file ${file} read against the signed digests`, await read, 'accepted')
  }
  return wrong
}

/**
 * Checks the negative's fsig as a recipient does right after the reveal; with `replace`,
 * reads file `file` against the vector's (good) fsig with one chunk replaced.
 */
export async function rejectSignedFiles(v: SignedFilesVector, n: SignedFilesNegative): Promise<string> {
  const { ctx, stored } = await signedFilesSecret(v)
  const fsig = n.fsig_b64u === undefined ? undefined : decodeB64u(n.fsig_b64u)
  return rejection(async () => {
    const digests = await verifyFiles(ctx.sid, ctx.hdr, fsig, ctx.sizes.length)
    if (n.file === undefined || !n.replace) return
    const chunks = [...stored[n.file]!]
    chunks[n.replace.chunk] = decodeB64u(n.replace.stored_b64u)
    await collect(decryptFile({ ...ctx, digests }, n.file, chunks))
  })
}

/** Every way our layout of `row.size` differs from the row; empty when it conforms. */
export function paddingMismatches(row: PaddingRow): string[] {
  const layout = fileLayout(row.size)
  const got = {
    padded: layout.padded,
    chunks: layout.chunks,
    stored: layout.stored,
    last_stored: storedChunkBytes(layout, layout.chunks - 1),
  }
  const wrong = Object.entries(got).flatMap(([field, value]) =>
    value === row[field as keyof PaddingRow]
      ? []
      : [`${field}: got ${value}, expected ${row[field as keyof PaddingRow]}`],
  )
  const back = storedLayout(row.stored)
  if (JSON.stringify(back) !== JSON.stringify(layout)) wrong.push(`stored size read back as ${JSON.stringify(back)}`)
  return wrong
}

/** Byte i of a vector file is (i + fill) mod 251. */
function fileBytes(fill: number, start: number, end: number): Uint8Array {
  return Uint8Array.from({ length: Math.max(0, end - start) }, (_, i) => (start + i + fill) % 251)
}

/** The file's bytes in pieces that do not line up with chunks, as a disk or a network would give them. */
async function* filePieces(size: number, fill: number): AsyncGenerator<Uint8Array> {
  const PIECE = 100_003
  for (let at = 0; at < size; at += PIECE) yield fileBytes(fill, at, Math.min(at + PIECE, size))
}

function fileChunkData(size: number, fill: number, chunk: number): Uint8Array {
  const start = chunk * CHUNK_BYTES
  return fileBytes(fill, start, start + dataChunkBytes(size, chunk))
}

interface FileSecretKeys {
  ctx: ChunkContext
  k: Uint8Array
  P: Uint8Array
  sid: Uint8Array
  hdr: Uint8Array
}

async function fileSecretKeys(v: FileSecretVector, P = v.inputs.P): Promise<FileSecretKeys> {
  const k = fromHex(v.inputs.k)
  const hdr = fromHex(v.inputs.hdr)
  const { sid } = await deriveAccess(k)
  const sizes = parseManifest(v.inputs.manifest_text).files.map((f) => f.size)
  const fk = await deriveFileKey(k, fromHex(P), sid)
  return { ctx: { fk, sid, hdr, sizes }, k, P: fromHex(P), sid, hdr }
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const c of chunks) out.push(c)
  return out
}

/**
 * Recomputes a file secret: sid, ut, uv, the manifest envelope, the stored sizes, and every
 * chunk through the streaming encryptor (fed in pieces that straddle chunk edges), then
 * decrypts them all back. Every way it differs from the vector, as readable lines.
 */
export async function fileSecretMismatches(v: FileSecretVector): Promise<string[]> {
  const wrong: string[] = []
  const check = (what: string, actual: unknown, expected: unknown) => {
    if (actual !== expected) wrong.push(`${what}: got ${String(actual)}, expected ${String(expected)}`)
  }
  const { ctx, k, P, sid, hdr } = await fileSecretKeys(v)
  const o = v.outputs
  check('sid', toHex(sid), o.sid)
  const ut = await deriveUploadToken(k)
  check('ut', toHex(ut), o.ut)
  check('ut_b64u', encodeB64u(ut), o.ut_b64u)
  check('uv', toHex(await sha256(ut)), o.uv)

  const { cek } = await deriveReveal(k, P, sid)
  const nonce = fromHex(v.inputs.manifest_nonce)
  const ct = await seal(cek, sid, hdr, PayloadType.attachment, v.inputs.manifest_text, nonce)
  check('manifest_ct_b64u', encodeB64u(ct), o.manifest_ct_b64u)
  const opened = await open(cek, sid, hdr, decodeB64u(o.manifest_ct_b64u))
  check('manifest opened: type', opened.type, PayloadType.attachment)
  check('manifest opened: text', opened.text, v.inputs.manifest_text)
  check('stored', ctx.sizes.map((size) => fileLayout(size).stored).join(), o.stored.join())

  const expected = [...o.chunks]
  for (const [file, size] of ctx.sizes.entries()) {
    const fill = v.inputs.fill[file]!
    const layout = fileLayout(size)
    const stored = await collect(encryptFile(ctx, file, filePieces(size, fill)))
    check(`file ${file} chunk count`, stored.length, layout.chunks)
    for (const [chunk, bytes] of stored.entries()) {
      const want = expected.shift()
      const at = `file ${file} chunk ${chunk}`
      if (!want || want.file !== file || want.chunk !== chunk) {
        wrong.push(`${at}: not the next chunk of the vector`)
        continue
      }
      const last = chunk === layout.chunks - 1
      const padded = new Uint8Array(paddedChunkBytes(layout, chunk))
      padded.set(fileChunkData(size, fill, chunk))
      check(`${at} last`, last, want.last)
      check(`${at} nonce`, toHex(chunkNonce(file, chunk, last)), want.nonce)
      check(`${at} aad`, toHex(chunkAad(sid, hdr, ctx.sizes.length, layout.chunks)), want.aad)
      check(`${at} data_len`, dataChunkBytes(size, chunk), want.data_len)
      check(`${at} padded_len`, padded.length, want.padded_len)
      check(`${at} plaintext_sha256`, toHex(await sha256(padded)), want.plaintext_sha256)
      check(`${at} stored_len`, bytes.length, want.stored_len)
      check(`${at} stored_sha256`, toHex(await sha256(bytes)), want.stored_sha256)
      check(`${at} tag`, toHex(bytes.subarray(bytes.length - 16)), want.tag)
      if (want.stored_b64u !== undefined) check(`${at} stored_b64u`, encodeB64u(bytes), want.stored_b64u)
    }
    const back = await collect(decryptFile(ctx, file, stored))
    const joined = new Uint8Array(back.reduce((n, b) => n + b.length, 0))
    back.reduce((at, b) => (joined.set(b, at), at + b.length), 0)
    check(`file ${file} decrypted`, toHex(await sha256(joined)), toHex(await sha256(fileBytes(fill, 0, size))))
  }
  check('chunks left in the vector', expected.length, 0)

  // Sealing under the vector's fk gives our bytes, which proves our non-extractable fk equal.
  const vectorFk = await crypto.subtle.importKey('raw', fromHex(o.fk), 'AES-GCM', false, ['encrypt'])
  const first = o.chunks[0]!
  const data = fileChunkData(ctx.sizes[first.file]!, v.inputs.fill[first.file]!, first.chunk)
  const underVectorFk = await encryptChunk({ ...ctx, fk: vectorFk }, first.file, first.chunk, data)
  check('fk (sealing under it)', toHex(await sha256(underVectorFk)), first.stored_sha256)
  return wrong
}

async function servedBytes(v: FileSecretVector, ctx: ChunkContext, item: ServedChunk): Promise<Uint8Array> {
  if (item.stored_b64u !== undefined) return decodeB64u(item.stored_b64u)
  const [file, chunk] = item.chunk as [number, number]
  const data = fileChunkData(ctx.sizes[file]!, v.inputs.fill[file]!, chunk)
  let bytes = await encryptChunk(ctx, file, chunk, data)
  if (item.flip_bit !== undefined) bytes[item.flip_bit >> 3]! ^= 1 << (item.flip_bit & 7)
  if (item.cut !== undefined) bytes = bytes.subarray(0, bytes.length - item.cut)
  if (item.append_hex !== undefined) {
    const longer = new Uint8Array(bytes.length + item.append_hex.length / 2)
    longer.set(bytes)
    longer.set(fromHex(item.append_hex), bytes.length)
    bytes = longer
  }
  return bytes
}

/** Decrypts the served chunks as the negative's file, with fk from its P when it names one. */
export async function rejectChunks(files: FilesSection, n: ChunkNegative): Promise<string> {
  const v = files.secrets.find((s) => s.name === n.secret)
  if (!v) return `unknown secret ${n.secret}`
  const { ctx } = await fileSecretKeys(v)
  const served = await Promise.all(n.serve.map((item) => servedBytes(v, ctx, item)))
  const { ctx: opener } = await fileSecretKeys(v, n.P)
  return rejection(() => collect(decryptFile(opener, n.file, served)))
}

export function rejectManifest(n: ManifestNegative): Promise<string> {
  return rejection(() => parseManifest(n.text))
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
  for (const v of file.signed?.vectors ?? []) {
    try {
      record(`signed ${v.name}`, await signedMismatches(v))
    } catch (e) {
      record(`signed ${v.name}`, [`threw ${String(e)}`])
    }
  }
  for (const n of file.signed?.negative ?? []) await expectReason(`signed ${n.name}`, n.error, rejectSigned(n))
  const signedFiles = file.signed?.files
  if (signedFiles) {
    const { vector } = signedFiles
    try {
      record(`signed files ${vector.name}`, await signedFilesMismatches(vector))
    } catch (e) {
      record(`signed files ${vector.name}`, [`threw ${String(e)}`])
    }
    for (const n of signedFiles.negative) {
      await expectReason(`signed files ${n.name}`, n.error, rejectSignedFiles(vector, n))
    }
  }
  if (!file.files) return results
  const { padding, secrets, negative } = file.files
  for (const row of padding) record(`files padding ${row.size}`, paddingMismatches(row))
  for (const v of secrets) {
    try {
      record(`files secret ${v.name}`, await fileSecretMismatches(v))
    } catch (e) {
      record(`files secret ${v.name}`, [`threw ${String(e)}`])
    }
  }
  for (const n of negative.chunks) await expectReason(`files chunks ${n.name}`, n.error, rejectChunks(file.files, n))
  for (const n of negative.manifest) await expectReason(`files manifest (${n.why})`, n.error, rejectManifest(n))
  for (const n of negative.stored) {
    record(`files stored ${n.stored} (${n.why})`, storedLayout(n.stored) ? ['accepted'] : [])
  }
  return results
}
