/**
 * An independent reference for the `requests` section of vectors.json (protocol.md §12):
 * Node's own crypto (createECDH, hkdfSync, createCipheriv), nothing imported from shared/src.
 * vectors.json's section is exactly `requestsSection()` (request-reference.test.ts checks
 * it), so the vectors stay reproducible by code other than the code they test. To change
 * them, change this file and write its output into the JSON.
 */
import { createCipheriv, createECDH, createHash, hkdfSync } from 'node:crypto'

const L = 'burnlink/v1'
const FRAME_SIZES = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url')
const fromHex = (s: string) => Buffer.from(s, 'hex')
const sha256 = (...parts: Uint8Array[]) => createHash('sha256').update(Buffer.concat(parts)).digest()
const label = (purpose: string) => Buffer.from(`${L} ${purpose}`)
const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, bytes: number) =>
  Buffer.from(hkdfSync('sha256', ikm, salt, info, bytes))

function gcm(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer {
  const c = createCipheriv('aes-256-gcm', key, nonce)
  c.setAAD(aad)
  return Buffer.concat([nonce, c.update(plaintext), c.final(), c.getAuthTag()])
}

/** A §5 text frame in the smallest bucket. */
function frame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8')
  const out = Buffer.alloc(FRAME_SIZES.find((f) => f >= payload.length + 5)!)
  out[0] = 1
  out.writeUInt32BE(payload.length, 1)
  payload.copy(out, 5)
  return out
}

/** The P-256 pair of a fixed scalar: the uncompressed point and the JWK a WebCrypto client imports. */
function pair(dHex: string) {
  const ecdh = createECDH('prime256v1')
  ecdh.setPrivateKey(fromHex(dHex))
  const point = ecdh.getPublicKey()
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    x: b64u(point.subarray(1, 33)),
    y: b64u(point.subarray(33)),
    d: b64u(fromHex(dHex)),
  }
  return { ecdh, point, jwk }
}

const INPUTS = {
  n: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
  d: 'c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721',
  e: '519b423d715f8b581f4fa8ee59f4771a5b44c8130b4e3eacca54a56dda72b464',
  note_nonce: 'a0a1a2a3a4a5a6a7a8a9aaab',
  answer_nonce: 'b0b1b2b3b4b5b6b7b8b9babb',
  note_text: 'Please send the staging database password. \u2014 Ops',
  answer_text: 'hunter2 \u{1F511} (rotated 2026-12-01)',
  origin: 'https://burnlink.example',
}

/** The other party of the negative cases: a key the server might swap in. */
const OTHER_D = '2a9a2b2f7e4f8bbd0b1c1ce1b2c6fd54f0a6d2b3f8e2c3f5d0a1b2c3d4e5f607'

function derive(nHex: string, dHex: string, eHex: string) {
  const n = fromHex(nHex)
  const requester = pair(dHex)
  const responder = pair(eHex)
  const Q = requester.point
  const E = responder.point
  const rid = hkdf(n, Buffer.alloc(0), label('request id'), 16)
  const qa = hkdf(n, Buffer.alloc(0), label('request access'), 32)
  const nk = hkdf(n, rid, label('request note'), 32)
  const fp = sha256(label('request key'), Uint8Array.of(0), rid, Q).subarray(0, 16)
  const col = hkdf(fromHex(dHex), rid, label('request collect'), 32)
  const z = responder.ecdh.computeSecret(Q)
  const akInfo = Buffer.concat([label('request answer'), Uint8Array.of(0), Q, E])
  const ak = hkdf(z, rid, akInfo, 32)
  return { n, requester, responder, Q, E, rid, qa, nk, fp, col, z, ak }
}

export function requestsSection() {
  const v = derive(INPUTS.n, INPUTS.d, INPUTS.e)
  const noteAad = Buffer.concat([label('request note'), Uint8Array.of(0), v.rid, v.Q])
  const answerAad = Buffer.concat([label('request answer'), Uint8Array.of(0), v.rid, v.Q, v.E])
  const note = gcm(v.nk, fromHex(INPUTS.note_nonce), noteAad, frame(INPUTS.note_text))
  const ans = gcm(v.ak, fromHex(INPUTS.answer_nonce), answerAad, frame(INPUTS.answer_text))
  const other = pair(OTHER_D)
  const swappedFp = sha256(label('request key'), Uint8Array.of(0), v.rid, other.point).subarray(0, 16)
  // The same answer opened with the wrong scalar: its z, hence ak, differs.
  const wrongZ = v.responder.ecdh.computeSecret(other.point)
  return {
    description:
      'protocol.md §12: one request with a note and its answer. d and e are fixed P-256 scalars (JWK d); ' +
      'Q and E their uncompressed points. negative: what a client must refuse, with its reason.',
    inputs: {
      ...INPUTS,
      requester_jwk: v.requester.jwk,
      responder_jwk: v.responder.jwk,
    },
    outputs: {
      rid_b64u: b64u(v.rid),
      qa_b64u: b64u(v.qa),
      qv_b64u: b64u(sha256(v.qa)),
      nk: hex(v.nk),
      Q_b64u: b64u(v.Q),
      E_b64u: b64u(v.E),
      fp_b64u: b64u(v.fp),
      col_b64u: b64u(v.col),
      cv_b64u: b64u(sha256(v.col)),
      z: hex(v.z),
      ak: hex(v.ak),
      note_aad: hex(noteAad),
      answer_aad: hex(answerAad),
      note_b64u: b64u(note),
      ans_b64u: b64u(ans),
      request_link: `${INPUTS.origin}/q#1.${b64u(v.n)}.${b64u(v.fp)}`,
      collect_link: `${INPUTS.origin}/c#1.${b64u(v.rid)}.${v.requester.jwk.d}.${b64u(v.Q)}`,
    },
    negative: [
      {
        name: 'swapped public key',
        other_Q_b64u: b64u(other.point),
        other_fp_b64u: b64u(swappedFp),
        error: 'request_key',
      },
      { name: 'wrong private key', other_jwk: other.jwk, other_z: hex(wrongZ), error: 'auth' },
      { name: 'swapped ephemeral key', E_b64u: b64u(other.point), error: 'auth' },
      { name: 'another request id', rid_b64u: b64u(sha256(v.rid).subarray(0, 16)), error: 'auth' },
    ],
  }
}
