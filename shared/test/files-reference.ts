/**
 * An independent reference for the `files` section of vectors.json (protocol.md §10): Node's
 * own crypto (hkdfSync, createCipheriv) and Padmé as the paper writes it, in BigInt, with
 * nothing imported from shared/src. vectors.json's section is exactly `filesSection()`
 * (files-reference.test.ts checks it), so the vectors stay reproducible by code other than
 * the code they test. To change them, change this file and write its output into the JSON.
 */
import { createCipheriv, createHash, hkdfSync } from 'node:crypto'

const L = 'burnlink/v1'
const CS = 1_048_576
const TAG = 16
const MIN_PADDED = 256
const FRAME_SIZES = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url')
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest()
const u32 = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}
const hkdf = (ikm: Uint8Array, salt: Uint8Array, purpose: string, bytes: number) =>
  Buffer.from(hkdfSync('sha256', ikm, salt, `${L} ${purpose}`, bytes))

/** PURBs (PETS 2019), Algorithm 1: E = floor(log2 L), S = floor(log2 E) + 1, round up to 2^(E - S). */
export function padme(length: number): number {
  const n = BigInt(length)
  if (n < 2n) return length
  const e = BigInt(n.toString(2).length - 1)
  const s = BigInt(e.toString(2).length)
  const mask = (1n << (e - s)) - 1n
  return Number((n + mask) & ~mask)
}

export function layout(size: number) {
  const padded = padme(Math.max(size, MIN_PADDED))
  const chunks = Math.ceil(padded / CS)
  return { padded, chunks, stored: padded + TAG * chunks, last_stored: padded - (chunks - 1) * CS + TAG }
}

export function gcm(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(aad)
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
}

export const nonceOf = (file: number, chunk: number, last: boolean) =>
  Buffer.concat([u32(file), u32(chunk), Buffer.from([0, 0, 0, last ? 1 : 0])])
export const aadOf = (sid: Uint8Array, hdr: Uint8Array, fileCount: number, chunks: number) =>
  Buffer.concat([Buffer.from(`${L} chunk`), Buffer.from([0]), sid, hdr, u32(fileCount), u32(chunks)])

/** The padded plaintext of one chunk: byte i of file f is (i + fill) mod 251, then zeros. */
export function chunkPlaintext(size: number, fill: number, chunk: number): Buffer {
  const { padded } = layout(size)
  const start = chunk * CS
  const out = Buffer.alloc(Math.min(CS, padded - start))
  for (let i = start; i < Math.min(start + CS, size); i++) out[i - start] = (i + fill) % 251
  return out
}

interface FileInput {
  name: string
  type: string
  size: number
  fill: number
}
interface SecretInput {
  name: string
  description: string
  k: string
  P: string
  hdr: string
  manifest_nonce: string
  note?: string
  files: FileInput[]
}

const SECRETS: SecretInput[] = [
  {
    name: 'four-files-nopass',
    description:
      'No passphrase. File 0: three full chunks, the last ending in 1,000 bytes of padding. File 1: empty, ' +
      'one 256-byte chunk of padding. File 2: 100 bytes, non-ASCII name, one chunk. File 3: CS + 1 bytes, ' +
      'padded to CS + 32,768: a full chunk, then a short last one.',
    k: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
    P: '',
    hdr: '0100',
    manifest_nonce: '606162636465666768696a6b',
    note: 'the cluster credentials, as promised',
    files: [
      { name: 'kubeconfig.yaml', type: 'application/yaml', size: 3 * CS - 1000, fill: 0 },
      { name: 'empty.txt', type: 'text/plain', size: 0, fill: 1 },
      { name: 'r\u00e9sum\u00e9 \u{1f512}.pdf', type: 'application/pdf', size: 100, fill: 2 },
      { name: 'dump.bin', type: '', size: CS + 1, fill: 3 },
    ],
  },
  {
    name: 'one-file-argon2id',
    description: "With a passphrase: k, hdr and P are text-argon2id's, so fk takes ikm = k || P. One 5-byte file.",
    k: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
    P: '2fa938b76795ed1b135470f200aeb2625af900263e9981ea2e0954461d0986ea',
    hdr: '0101000100000301505152535455565758595a5b5c5d5e5f',
    manifest_nonce: '707172737475767778797a7b',
    files: [{ name: 'hello.txt', type: 'text/plain; charset=utf-8', size: 5, fill: 4 }],
  },
]

function keysOf(s: SecretInput) {
  const k = Buffer.from(s.k, 'hex')
  const ikm = Buffer.concat([k, Buffer.from(s.P, 'hex')])
  const sid = hkdf(k, Buffer.alloc(0), 'sid', 16)
  const ut = hkdf(k, Buffer.alloc(0), 'upload', 32)
  return {
    sid,
    hdr: Buffer.from(s.hdr, 'hex'),
    cek: hkdf(ikm, sid, 'content', 32),
    fk: hkdf(ikm, sid, 'file', 32),
    ut,
  }
}

function manifestText(s: SecretInput): string {
  const files = s.files.map(({ name, type, size }) => ({ name, type, size }))
  return JSON.stringify(s.note === undefined ? { files } : { files, note: s.note })
}

/** The envelope of protocol.md §5 around the manifest: frame type 0x03 in the smallest bucket. */
function manifestCt(s: SecretInput): Buffer {
  const { sid, hdr, cek } = keysOf(s)
  const payload = Buffer.from(manifestText(s))
  const frame = Buffer.alloc(FRAME_SIZES.find((f) => f >= payload.length + 5)!)
  frame[0] = 3
  frame.writeUInt32BE(payload.length, 1)
  payload.copy(frame, 5)
  const nonce = Buffer.from(s.manifest_nonce, 'hex')
  const aad = Buffer.concat([Buffer.from(`${L} content`), Buffer.from([0]), sid, hdr])
  return Buffer.concat([nonce, gcm(cek, nonce, aad, frame)])
}

/** A chunk sealed under any nonce, AAD and plaintext: the negatives' wrong variants. */
function sealRaw(s: SecretInput, nonce: Buffer, aad: Buffer, plaintext: Buffer): Buffer {
  return gcm(keysOf(s).fk, nonce, aad, plaintext)
}

function sealChunk(s: SecretInput, file: number, chunk: number): Buffer {
  const { sid, hdr } = keysOf(s)
  const f = s.files[file]!
  const { chunks } = layout(f.size)
  return sealRaw(
    s,
    nonceOf(file, chunk, chunk === chunks - 1),
    aadOf(sid, hdr, s.files.length, chunks),
    chunkPlaintext(f.size, f.fill, chunk),
  )
}

/** Short chunks are written out whole; long ones by length, digest and tag. */
const INLINE_MAX = 1024

function secretVector(s: SecretInput) {
  const { sid, hdr, fk, ut } = keysOf(s)
  const chunks = s.files.flatMap((f, file) => {
    const { chunks: n } = layout(f.size)
    return Array.from({ length: n }, (_, chunk) => {
      const stored = sealChunk(s, file, chunk)
      const plaintext = chunkPlaintext(f.size, f.fill, chunk)
      return {
        file,
        chunk,
        last: chunk === n - 1,
        nonce: hex(nonceOf(file, chunk, chunk === n - 1)),
        aad: hex(aadOf(sid, hdr, s.files.length, n)),
        data_len: Math.max(0, Math.min(CS, f.size - chunk * CS)),
        padded_len: plaintext.length,
        plaintext_sha256: hex(sha256(plaintext)),
        stored_len: stored.length,
        stored_sha256: hex(sha256(stored)),
        tag: hex(stored.subarray(stored.length - TAG)),
        ...(stored.length <= INLINE_MAX ? { stored_b64u: b64u(stored) } : {}),
      }
    })
  })
  const { name, description, files, ...rest } = s
  return {
    name,
    description,
    inputs: { ...rest, manifest_text: manifestText(s), fill: files.map((f) => f.fill) },
    outputs: {
      sid: hex(sid),
      fk: hex(fk),
      ut: hex(ut),
      ut_b64u: b64u(ut),
      uv: hex(sha256(ut)),
      manifest_ct_b64u: b64u(manifestCt(s)),
      stored: files.map((f) => layout(f.size).stored),
      chunks,
    },
  }
}

/** A chunk as a negative serves it: a vector chunk, possibly damaged, or bytes of its own. */
type Serve = { chunk: [number, number]; flip_bit?: number; cut?: number; append_hex?: string } | { stored_b64u: string }

interface ChunkNegative {
  name: string
  secret: string
  file: number
  P?: string
  serve: Serve[]
  error: string
  why: string
}

function chunkNegatives(): ChunkNegative[] {
  const [four, argon] = SECRETS as [SecretInput, SecretInput]
  const { sid, hdr } = keysOf(four)
  const f2 = four.files[2]!
  const f1 = four.files[1]!
  const of = (f: number, j: number): Serve => ({ chunk: [f, j] })
  const withNonzero = (size: number, fill: number, at: number) => {
    const p = chunkPlaintext(size, fill, 0)
    p[at] = 1
    return p
  }
  return [
    {
      name: 'reordered',
      secret: four.name,
      file: 0,
      serve: [of(0, 0), of(0, 2), of(0, 1)],
      error: 'chunk_auth',
      why: 'chunks 1 and 2 swapped',
    },
    {
      name: 'files-swapped',
      secret: four.name,
      file: 1,
      serve: [of(2, 0)],
      error: 'chunk_auth',
      why: "file 2's chunk served as file 1's (same stored size)",
    },
    {
      name: 'file-swapped-same-index',
      secret: four.name,
      file: 3,
      serve: [of(0, 0), of(3, 1)],
      error: 'chunk_auth',
      why: "file 0's first chunk served as file 3's first chunk (same size, same chunk index)",
    },
    {
      name: 'middle-dropped',
      secret: four.name,
      file: 0,
      serve: [of(0, 0), of(0, 2)],
      error: 'chunk_auth',
      why: 'chunk 1 left out, so the final chunk arrives at index 1',
    },
    {
      name: 'truncated',
      secret: four.name,
      file: 0,
      serve: [of(0, 0), of(0, 1)],
      error: 'chunk_missing',
      why: 'the final chunk left out: every chunk served opens, the count is short',
    },
    {
      name: 'empty-file-missing',
      secret: four.name,
      file: 1,
      serve: [],
      error: 'chunk_missing',
      why: 'an empty file still has one chunk',
    },
    {
      name: 'duplicated',
      secret: four.name,
      file: 0,
      serve: [of(0, 0), of(0, 0), of(0, 1), of(0, 2)],
      error: 'chunk_auth',
      why: 'chunk 0 served twice',
    },
    {
      name: 'final-duplicated',
      secret: four.name,
      file: 0,
      serve: [of(0, 0), of(0, 1), of(0, 2), of(0, 2)],
      error: 'chunk_extra',
      why: 'the final chunk served again after the end',
    },
    {
      name: 'ciphertext-bit-flipped',
      secret: four.name,
      file: 3,
      serve: [{ chunk: [3, 0], flip_bit: 8000 }, of(3, 1)],
      error: 'chunk_auth',
      why: 'bit 8,000 (lowest bit of byte 1,000) of chunk 0 flipped',
    },
    {
      name: 'tag-bit-flipped',
      secret: four.name,
      file: 2,
      serve: [{ chunk: [2, 0], flip_bit: 271 * 8 }],
      error: 'chunk_auth',
      why: 'lowest bit of the last tag byte flipped',
    },
    {
      name: 'final-cut',
      secret: four.name,
      file: 3,
      serve: [of(3, 0), { chunk: [3, 1], cut: 1 }],
      error: 'chunk_length',
      why: 'the last byte of the final chunk cut off',
    },
    {
      name: 'extended',
      secret: four.name,
      file: 2,
      serve: [{ chunk: [2, 0], append_hex: '00' }],
      error: 'chunk_length',
      why: 'one byte appended to a chunk',
    },
    {
      name: 'nonzero-padding',
      secret: four.name,
      file: 2,
      serve: [
        {
          stored_b64u: b64u(
            sealRaw(four, nonceOf(2, 0, true), aadOf(sid, hdr, 4, 1), withNonzero(f2.size, f2.fill, 255)),
          ),
        },
      ],
      error: 'chunk_padding',
      why: 'sealed with a valid tag, the last padding byte 0x01',
    },
    {
      name: 'empty-file-nonzero-padding',
      secret: four.name,
      file: 1,
      serve: [
        {
          stored_b64u: b64u(
            sealRaw(four, nonceOf(1, 0, true), aadOf(sid, hdr, 4, 1), withNonzero(f1.size, f1.fill, 0)),
          ),
        },
      ],
      error: 'chunk_padding',
      why: 'an empty file is all padding; sealed with a valid tag, its first byte 0x01',
    },
    {
      name: 'last-flag-clear',
      secret: four.name,
      file: 2,
      serve: [
        {
          stored_b64u: b64u(
            sealRaw(four, nonceOf(2, 0, false), aadOf(sid, hdr, 4, 1), chunkPlaintext(f2.size, f2.fill, 0)),
          ),
        },
      ],
      error: 'chunk_auth',
      why: 'the right plaintext sealed with the last flag 0x00: the flag is in the nonce',
    },
    {
      name: 'aad-file-count',
      secret: four.name,
      file: 2,
      serve: [
        {
          stored_b64u: b64u(
            sealRaw(four, nonceOf(2, 0, true), aadOf(sid, hdr, 3, 1), chunkPlaintext(f2.size, f2.fill, 0)),
          ),
        },
      ],
      error: 'chunk_auth',
      why: 'sealed with a file count of 3 in the AAD, as if a file had been dropped',
    },
    {
      name: 'aad-chunk-count',
      secret: four.name,
      file: 2,
      serve: [
        {
          stored_b64u: b64u(
            sealRaw(four, nonceOf(2, 0, true), aadOf(sid, hdr, 4, 2), chunkPlaintext(f2.size, f2.fill, 0)),
          ),
        },
      ],
      error: 'chunk_auth',
      why: "sealed with the file's chunk count 2 in the AAD",
    },
    {
      name: 'wrong-passphrase-key',
      secret: argon.name,
      file: 0,
      P: '00'.repeat(32),
      serve: [of(0, 0)],
      error: 'chunk_auth',
      why: 'fk derived with another P, as from a wrong passphrase',
    },
    {
      name: 'passphrase-key-left-out',
      secret: argon.name,
      file: 0,
      P: '',
      serve: [of(0, 0)],
      error: 'chunk_auth',
      why: 'fk derived from k alone, without P',
    },
  ]
}

const PADDING_SIZES = [
  0,
  1,
  255,
  256,
  257,
  1000,
  CS - 1,
  CS,
  CS + 1,
  2 * CS + 1,
  3 * CS - 1000,
  25 * CS,
  2 ** 30,
  2 ** 30 + 1,
  2 ** 48,
]

const MANIFEST_NEGATIVES: { text: string; why: string }[] = [
  { text: '{"files":[{"name":"a","type":"","size":1}]', why: 'not JSON: a brace missing' },
  { text: '[]', why: 'not an object' },
  { text: '{"files":[]}', why: 'no file' },
  { text: '{"files":[{"name":"","type":"","size":1}]}', why: 'empty name' },
  { text: `{"files":[{"name":"${'a'.repeat(256)}","type":"","size":1}]}`, why: 'a 256-character name' },
  { text: '{"files":[{"name":"a\\u0000b","type":"","size":1}]}', why: 'NUL in a name' },
  { text: '{"files":[{"name":"a\\ud800","type":"","size":1}]}', why: 'a lone surrogate in a name' },
  { text: `{"files":[{"name":"a","type":"${'x'.repeat(128)}","size":1}]}`, why: 'a 128-character type' },
  { text: '{"files":[{"name":"a","type":"text/\\u00e9","size":1}]}', why: 'a type that is not printable ASCII' },
  { text: '{"files":[{"name":"a","type":"","size":-1}]}', why: 'a negative size' },
  { text: '{"files":[{"name":"a","type":"","size":1.5}]}', why: 'a fractional size' },
  { text: '{"files":[{"name":"a","type":"","size":"1"}]}', why: 'a size as a string' },
  { text: `{"files":[{"name":"a","type":"","size":${2 ** 48 + 1}}]}`, why: 'a size over 2^48' },
  { text: '{"files":[{"name":"a","size":1}]}', why: 'no type' },
  { text: '{"files":[{"name":"a","type":"","size":1,"chunks":1}]}', why: 'an unknown field in a file' },
  { text: '{"v":1,"files":[{"name":"a","type":"","size":1}]}', why: 'an unknown field in the manifest' },
  { text: '{"files":[{"name":"a","type":"","size":1}],"note":7}', why: 'a note that is not a string' },
]

const STORED_NEGATIVES: { stored: number; why: string }[] = [
  { stored: 0, why: 'nothing stored' },
  { stored: 17, why: 'one plaintext byte: below the 256-byte minimum' },
  { stored: 271, why: '255 padded bytes: below the minimum' },
  { stored: 273, why: '257 padded bytes: not a Padm\u00e9 size' },
  { stored: CS + TAG + 16, why: 'a second chunk of 16 bytes holds no plaintext' },
  { stored: CS + TAG + 17, why: 'CS + 1 padded bytes: not a Padm\u00e9 size' },
  {
    stored: 2 ** 48 + 2 ** 42 + 16 * (2 ** 28 + 2 ** 22),
    why: 'the Padm\u00e9 size after 2^48: over the largest file',
  },
  { stored: 272.5, why: 'not an integer' },
]

export function filesSection() {
  return {
    description:
      'Attachments (protocol.md \u00a710): padding, the key derivations fk and ut, the manifest envelope and every chunk of two secrets, and what a recipient must refuse.',
    conventions: [
      `CS = ${CS}. A file of size bytes is padded with zeros to padme(max(size, ${MIN_PADDED})) and cut into ceil(padded / CS) chunks; chunk j holds padded bytes [j*CS, min((j+1)*CS, padded)).`,
      'Byte i of file f is (i + fill[f]) mod 251: the plaintexts are not written out.',
      'stored = AES-256-GCM(fk, nonce, aad, padded chunk) || 16-byte tag; stored_b64u is given when stored_len <= 1024, otherwise stored_sha256 and tag.',
      "outputs.stored is the create request's files array: each file's stored bytes, padded + 16 per chunk.",
      'P is hex (empty without a passphrase); fk and ut are given in hex for debugging, fk is used only as a non-extractable key.',
      'manifest_ct_b64u is the envelope (protocol.md \u00a75) of manifest_text, frame type 3, sealed with cek and manifest_nonce.',
      "negative.chunks: the items of serve are decrypted in order as file `file` of `secret` (with fk from P when P is given); chunk [f, j] is that secret's stored chunk, flip_bit counts from bit 0 = lowest bit of byte 0, cut drops bytes from the end. negative.manifest: texts a recipient refuses. negative.stored: sizes the server refuses in a create request.",
    ],
    chunk_bytes: CS,
    padding: PADDING_SIZES.map((size) => ({ size, ...layout(size) })),
    secrets: SECRETS.map(secretVector),
    negative: {
      chunks: chunkNegatives(),
      manifest: MANIFEST_NEGATIVES.map((n) => ({ ...n, error: 'manifest' })),
      stored: STORED_NEGATIVES,
    },
  }
}
