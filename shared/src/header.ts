/**
 * The public envelope header (protocol.md §5): format, passphrase KDF parameters and, in
 * format 2, the creator's public key and signature (§5.1). It is stored by the server and
 * returned by `meta`, so a client must bound-check it before spending memory on Argon2id: a
 * hostile server could otherwise ask for 4 TiB.
 */
import { ProtocolError } from './errors.ts'
import { ARGON2, EC_POINT_BYTES, FORMAT, HEADER_BYTES, SALT_BYTES, SIGNATURE_BYTES } from './limits.ts'
import { concatBytes, randomBytes } from './webcrypto.ts'

export type Kdf = { kdf: 'none' } | { kdf: 'argon2id'; m: number; t: number; p: 1; salt: Uint8Array }
/**
 * A header; with `pk` it is format 2. `sig` is absent while the header is being signed:
 * `encodeHeader` then gives `hdrs`, the bytes the signature and the envelope's AAD cover.
 */
export type Header = Kdf & { pk?: Uint8Array; sig?: Uint8Array }
export type Argon2Cost = { m: number; t: number }

const KDF_NONE = 0
const KDF_ARGON2ID = 1
/** An uncompressed SEC1 point starts with this byte. */
const UNCOMPRESSED_POINT = 0x04

function checkArgon2(m: number, t: number, p: number, saltBytes: number): void {
  if (!Number.isInteger(m) || m < ARGON2.minM || m > ARGON2.maxM) {
    throw new ProtocolError('header', `Argon2id memory must be ${ARGON2.minM}..${ARGON2.maxM} KiB`)
  }
  if (!Number.isInteger(t) || t < ARGON2.minT || t > ARGON2.maxT) {
    throw new ProtocolError('header', `Argon2id iterations must be ${ARGON2.minT}..${ARGON2.maxT}`)
  }
  if (p !== 1) throw new ProtocolError('header', 'Argon2id parallelism must be 1')
  if (saltBytes !== SALT_BYTES) throw new ProtocolError('header', `Argon2id salt must be ${SALT_BYTES} bytes`)
}

function checkPublicKey(pk: Uint8Array): void {
  if (pk.length !== EC_POINT_BYTES || pk[0] !== UNCOMPRESSED_POINT) {
    throw new ProtocolError('header', `the public key must be an uncompressed P-256 point (${EC_POINT_BYTES} bytes)`)
  }
}

/** A fresh format 1 header: Argon2id with a random salt when there is a passphrase (empty means none). */
export function newHeader(passphrase?: string, cost: Argon2Cost = ARGON2.defaults): Header {
  if (!passphrase) return { kdf: 'none' }
  checkArgon2(cost.m, cost.t, 1, SALT_BYTES)
  return { kdf: 'argon2id', m: cost.m, t: cost.t, p: 1, salt: randomBytes(SALT_BYTES) }
}

function encodeKdf(h: Kdf, format: number): Uint8Array {
  if (h.kdf === 'none') return Uint8Array.of(format, KDF_NONE)
  checkArgon2(h.m, h.t, h.p, h.salt.length)
  const out = new Uint8Array(HEADER_BYTES.argon2id)
  const view = new DataView(out.buffer)
  out[0] = format
  out[1] = KDF_ARGON2ID
  view.setUint32(2, h.m)
  out[6] = h.t
  out[7] = h.p
  out.set(h.salt, 8)
  return out
}

/** Refuses to write a header that `parseHeader` would refuse to read (a format 2 one without `sig` is `hdrs`). */
export function encodeHeader(h: Header): Uint8Array {
  if (!h.pk) {
    if (h.sig) throw new ProtocolError('header', 'a signature needs a public key')
    return encodeKdf(h, FORMAT.unsigned)
  }
  checkPublicKey(h.pk)
  if (h.sig && h.sig.length !== SIGNATURE_BYTES) {
    throw new ProtocolError('header', `the signature must be ${SIGNATURE_BYTES} bytes`)
  }
  return concatBytes(encodeKdf(h, FORMAT.signed), h.pk, h.sig ?? new Uint8Array(0))
}

/** The format a header says it is, without parsing the rest. */
export function headerFormat(hdr: Uint8Array): number | undefined {
  return hdr[0]
}

/** `hdrs`: what the signature and the envelope's AAD cover, the header without its signature (protocol.md §5). */
export function signedHeaderPart(hdr: Uint8Array): Uint8Array {
  return headerFormat(hdr) === FORMAT.signed ? hdr.subarray(0, hdr.length - SIGNATURE_BYTES) : hdr
}

function parseKdf(bytes: Uint8Array, kdfBytes: number): Kdf {
  const kdf = bytes[1]
  if (kdf === KDF_NONE) {
    if (kdfBytes !== HEADER_BYTES.none) {
      throw new ProtocolError('header', `a header without KDF is ${HEADER_BYTES.none} bytes`)
    }
    return { kdf: 'none' }
  }
  if (kdf !== KDF_ARGON2ID) throw new ProtocolError('header', `unknown KDF ${kdf}`)
  if (kdfBytes !== HEADER_BYTES.argon2id) {
    throw new ProtocolError('header', `an Argon2id header is ${HEADER_BYTES.argon2id} bytes`)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const m = view.getUint32(2)
  const t = bytes[6]!
  const p = bytes[7]!
  checkArgon2(m, t, p, kdfBytes - 8)
  return { kdf: 'argon2id', m, t, p: 1, salt: bytes.slice(8, kdfBytes) }
}

export function parseHeader(bytes: Uint8Array): Header {
  if (bytes.length < 2) throw new ProtocolError('header', 'header is truncated')
  const format = headerFormat(bytes)
  if (format === FORMAT.unsigned) return parseKdf(bytes, bytes.length)
  if (format !== FORMAT.signed) throw new ProtocolError('header', `unsupported header version ${format}`)
  const kdfBytes = bytes.length - EC_POINT_BYTES - SIGNATURE_BYTES
  if (kdfBytes < 2) throw new ProtocolError('header', 'header is truncated')
  const pk = bytes.slice(kdfBytes, kdfBytes + EC_POINT_BYTES)
  checkPublicKey(pk)
  return { ...parseKdf(bytes, kdfBytes), pk, sig: bytes.slice(kdfBytes + EC_POINT_BYTES) }
}
