/**
 * The public envelope header (protocol.md §5): version and passphrase KDF parameters. It is
 * stored by the server and returned by `meta`, so a client must bound-check it before
 * spending memory on Argon2id: a hostile server could otherwise ask for 4 TiB.
 */
import { ProtocolError } from './errors.ts'
import { ARGON2, HEADER_BYTES, PROTOCOL_VERSION, SALT_BYTES } from './limits.ts'
import { randomBytes } from './webcrypto.ts'

export type Header = { kdf: 'none' } | { kdf: 'argon2id'; m: number; t: number; p: 1; salt: Uint8Array }
export type Argon2Cost = { m: number; t: number }

const KDF_NONE = 0
const KDF_ARGON2ID = 1

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

/** A fresh header: Argon2id with a random salt when there is a passphrase (empty means none). */
export function newHeader(passphrase?: string, cost: Argon2Cost = ARGON2.defaults): Header {
  if (!passphrase) return { kdf: 'none' }
  checkArgon2(cost.m, cost.t, 1, SALT_BYTES)
  return { kdf: 'argon2id', m: cost.m, t: cost.t, p: 1, salt: randomBytes(SALT_BYTES) }
}

/** Refuses to write a header that `parseHeader` would refuse to read. */
export function encodeHeader(h: Header): Uint8Array {
  if (h.kdf === 'none') return Uint8Array.of(PROTOCOL_VERSION, KDF_NONE)
  checkArgon2(h.m, h.t, h.p, h.salt.length)
  const out = new Uint8Array(HEADER_BYTES.argon2id)
  const view = new DataView(out.buffer)
  out[0] = PROTOCOL_VERSION
  out[1] = KDF_ARGON2ID
  view.setUint32(2, h.m)
  out[6] = h.t
  out[7] = h.p
  out.set(h.salt, 8)
  return out
}

export function parseHeader(bytes: Uint8Array): Header {
  if (bytes.length < 2) throw new ProtocolError('header', 'header is truncated')
  if (bytes[0] !== PROTOCOL_VERSION) throw new ProtocolError('header', `unsupported header version ${bytes[0]}`)
  const kdf = bytes[1]
  if (kdf === KDF_NONE) {
    if (bytes.length !== HEADER_BYTES.none) {
      throw new ProtocolError('header', `a header without KDF is ${HEADER_BYTES.none} bytes`)
    }
    return { kdf: 'none' }
  }
  if (kdf !== KDF_ARGON2ID) throw new ProtocolError('header', `unknown KDF ${kdf}`)
  if (bytes.length !== HEADER_BYTES.argon2id) {
    throw new ProtocolError('header', `an Argon2id header is ${HEADER_BYTES.argon2id} bytes`)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const m = view.getUint32(2)
  const t = bytes[6]!
  const p = bytes[7]!
  checkArgon2(m, t, p, bytes.length - 8)
  return { kdf: 'argon2id', m, t, p: 1, salt: bytes.slice(8) }
}
