/**
 * The ciphertext envelope (protocol.md §5): a padded frame sealed with AES-256-GCM, bound by
 * its AAD to one secret id and one header, so a blob cannot be swapped between secrets and a
 * header cannot be downgraded without the tag failing.
 */
import { ProtocolError } from './errors.ts'
import {
  CT_LENGTHS,
  FRAME_OVERHEAD,
  FRAME_SIZES,
  LABEL,
  MAX_PAYLOAD_BYTES,
  NONCE_BYTES,
  PayloadType,
} from './limits.ts'
import { concatBytes, randomBytes, subtle } from './webcrypto.ts'

const encoder = new TextEncoder()
// ignoreBOM keeps a leading U+FEFF as the creator wrote it; fatal rejects invalid UTF-8,
// encoded surrogates included.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(PayloadType))

export function contentAad(sid: Uint8Array, hdr: Uint8Array): Uint8Array<ArrayBuffer> {
  return concatBytes(encoder.encode(`${LABEL} content`), Uint8Array.of(0), sid, hdr)
}

/** type (u8) ‖ length (u32) ‖ payload ‖ zeros, in the smallest bucket that fits. */
export function encodeFrame(type: PayloadType, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  if (payload.length > MAX_PAYLOAD_BYTES) {
    throw new ProtocolError('payload', `the secret is too large: at most ${MAX_PAYLOAD_BYTES} bytes`)
  }
  const size = FRAME_SIZES.find((f) => f >= payload.length + FRAME_OVERHEAD)!
  const frame = new Uint8Array(size)
  frame[0] = type
  new DataView(frame.buffer).setUint32(1, payload.length)
  frame.set(payload, FRAME_OVERHEAD)
  return frame
}

export function decodeFrame(frame: Uint8Array): { type: PayloadType; text: string } {
  const length = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(1)
  if (length > frame.length - FRAME_OVERHEAD)
    throw new ProtocolError('frame_length', 'payload length exceeds the frame')
  const end = FRAME_OVERHEAD + length
  if (frame.subarray(end).some((b) => b !== 0)) throw new ProtocolError('frame_padding', 'frame padding is not zero')
  const type = frame[0]!
  if (!KNOWN_TYPES.has(type)) throw new ProtocolError('frame_type', `unknown payload type ${type}`)
  let text: string
  try {
    text = strictUtf8.decode(frame.subarray(FRAME_OVERHEAD, end))
  } catch {
    throw new ProtocolError('frame_utf8', 'payload is not valid UTF-8')
  }
  return { type: type as PayloadType, text }
}

/** `nonce` is for known-answer tests only; leave it out to get a fresh random one. */
export async function seal(
  cek: CryptoKey,
  sid: Uint8Array,
  hdr: Uint8Array,
  type: PayloadType,
  payload: string,
  nonce: Uint8Array = randomBytes(NONCE_BYTES),
): Promise<Uint8Array> {
  const frame = encodeFrame(type, encoder.encode(payload))
  const iv = new Uint8Array(nonce)
  if (iv.length !== NONCE_BYTES) throw new RangeError(`the nonce must be ${NONCE_BYTES} bytes`)
  const body = await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: contentAad(sid, hdr) }, cek, frame)
  return concatBytes(iv, new Uint8Array(body))
}

export async function open(
  cek: CryptoKey,
  sid: Uint8Array,
  hdr: Uint8Array,
  ct: Uint8Array,
): Promise<{ type: PayloadType; text: string }> {
  if (!CT_LENGTHS.includes(ct.length)) throw new ProtocolError('ct_length', 'ciphertext has an invalid length')
  const api = subtle()
  let frame: Uint8Array
  try {
    const iv = ct.slice(0, NONCE_BYTES)
    const body = ct.slice(NONCE_BYTES)
    frame = new Uint8Array(await api.decrypt({ name: 'AES-GCM', iv, additionalData: contentAad(sid, hdr) }, cek, body))
  } catch {
    throw new ProtocolError('auth', 'the secret could not be decrypted: wrong passphrase or damaged data')
  }
  return decodeFrame(frame)
}
