/**
 * Canonical base64url (RFC 4648 §5, no padding): the one binary-to-text encoding on the wire.
 *
 * Decoding is strict on purpose: one byte string has exactly one accepted spelling, so a
 * token cannot be varied to dodge a rate limit or a log filter (protocol.md §2). Node's
 * `Buffer.from(s, 'base64url')` would accept "Zh", "Zg" and "Zg==" alike, and is not
 * available in browsers anyway.
 */
import { ProtocolError } from './errors.ts'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const LOOKUP = new Int16Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i

/** Characters needed for `bytes` bytes without padding. */
export function b64uLength(bytes: number): number {
  return Math.ceil((bytes * 4) / 3)
}

export function encodeB64u(bytes: Uint8Array): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = bytes[i]! << 16
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!
  }
  return out
}

/**
 * True when `s` is the canonical spelling of some byte string: only alphabet characters, a
 * length that a whole number of bytes produces, and zero bits after the last byte.
 * O(length) with no allocation, so schemas can call it on every request.
 */
export function isCanonicalB64u(s: string): boolean {
  if (s.length === 0 || s.length % 4 === 1) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 128 || LOOKUP[c]! < 0) return false
  }
  const last = LOOKUP[s.charCodeAt(s.length - 1)]!
  const rem = s.length % 4
  // 2 chars carry 1 byte (4 spare bits), 3 chars carry 2 bytes (2 spare bits).
  if (rem === 2) return (last & 0x0f) === 0
  if (rem === 3) return (last & 0x03) === 0
  return true
}

/** Decodes canonical base64url; with `expectedBytes`, also insists on that exact size. */
export function decodeB64u(s: string, expectedBytes?: number): Uint8Array {
  if (expectedBytes !== undefined && s.length !== b64uLength(expectedBytes)) {
    throw new ProtocolError('b64u', `expected ${expectedBytes} bytes of base64url`)
  }
  if (!isCanonicalB64u(s)) throw new ProtocolError('b64u', 'not canonical base64url')
  const out = new Uint8Array(Math.floor((s.length * 3) / 4))
  let o = 0
  let i = 0
  for (; i + 3 < s.length; i += 4) {
    const n =
      (LOOKUP[s.charCodeAt(i)]! << 18) |
      (LOOKUP[s.charCodeAt(i + 1)]! << 12) |
      (LOOKUP[s.charCodeAt(i + 2)]! << 6) |
      LOOKUP[s.charCodeAt(i + 3)]!
    out[o++] = n >> 16
    out[o++] = (n >> 8) & 255
    out[o++] = n & 255
  }
  const rest = s.length - i
  if (rest >= 2) {
    const n =
      (LOOKUP[s.charCodeAt(i)]! << 18) |
      (LOOKUP[s.charCodeAt(i + 1)]! << 12) |
      (rest === 3 ? LOOKUP[s.charCodeAt(i + 2)]! << 6 : 0)
    out[o++] = n >> 16
    if (rest === 3) out[o++] = (n >> 8) & 255
  }
  return out
}
