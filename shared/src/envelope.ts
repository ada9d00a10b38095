/**
 * The ciphertext envelope (protocol.md §5): a padded frame sealed with AES-256-GCM, bound by
 * its AAD to one secret id and one header, so a blob cannot be swapped between secrets and a
 * header cannot be downgraded without the tag failing. In format 2 the creator's one-off
 * key also signs it (§5.1): the tag proves only that whoever made it held the link key,
 * which every recipient does; the signature proves it was the link's creator.
 */
import { ProtocolError } from './errors.ts'
import { headerFormat, parseHeader, signedHeaderPart } from './header.ts'
import {
  CT_LENGTHS,
  FORMAT,
  FRAME_OVERHEAD,
  FRAME_SIZES,
  LABEL,
  MAX_PAYLOAD_BYTES,
  NONCE_BYTES,
  PayloadType,
} from './limits.ts'
import { concatBytes, ownBytes, randomBytes, subtle } from './webcrypto.ts'

const encoder = new TextEncoder()
// ignoreBOM keeps a leading U+FEFF as the creator wrote it; fatal rejects invalid UTF-8,
// encoded surrogates included.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(PayloadType))

/** `hdrs` is the header as signed: without its signature (all of a format 1 header). */
export function contentAad(sid: Uint8Array, hdrs: Uint8Array): Uint8Array<ArrayBuffer> {
  return concatBytes(encoder.encode(`${LABEL} content`), Uint8Array.of(0), sid, hdrs)
}

/** M = L ‖ " sign" ‖ 0x00 ‖ sid ‖ hdrs ‖ ct, what the creator signs (protocol.md §5.1). */
export function signedMessage(sid: Uint8Array, hdrs: Uint8Array, ct: Uint8Array): Uint8Array<ArrayBuffer> {
  return concatBytes(encoder.encode(`${LABEL} sign`), Uint8Array.of(0), sid, hdrs, ct)
}

const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const

/** ECDSA P-256 with SHA-256, P1363 (64 bytes): the creator's signatures (protocol.md §5.1, §10.7). */
export async function signWith(sk: CryptoKey, message: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await subtle().sign(ECDSA_SHA256, sk, message))
}

/** Whether `sig` verifies over `message` with `pk`; a `pk` that is not a P-256 point does not. */
export async function verifiesWith(
  pk: Uint8Array,
  sig: Uint8Array,
  message: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  try {
    const key = await subtle().importKey('raw', ownBytes(pk), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
    return await subtle().verify(ECDSA_SHA256, key, ownBytes(sig), message)
  } catch {
    return false
  }
}

/** The creator's signature (P1363, 64 bytes) over sid, `hdrs` (which holds its public key) and ct. */
export async function signContent(
  sk: CryptoKey,
  sid: Uint8Array,
  hdrs: Uint8Array,
  ct: Uint8Array,
): Promise<Uint8Array> {
  return signWith(sk, signedMessage(sid, hdrs, ct))
}

/** `files_digest`: a file whose chunks are not the ones the creator signed (protocol.md §10.7). */
export function notFromCreator(reason: 'signature' | 'files_digest' = 'signature'): ProtocolError {
  return new ProtocolError(reason, "this secret's content was not made by the link's creator")
}

/**
 * Checks a format 2 header's signature over sid, the header and ct with the header's own
 * key; that this key is the link's is `checkSigner`'s part (recipient.ts). A key that is not
 * a P-256 point fails like a wrong signature.
 */
export async function verifyContent(sid: Uint8Array, hdr: Uint8Array, ct: Uint8Array): Promise<void> {
  const { pk, sig } = parseHeader(hdr)
  if (!pk || !sig || !(await verifiesWith(pk, sig, signedMessage(sid, signedHeaderPart(hdr), ct)))) {
    throw notFromCreator()
  }
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

/**
 * `hdrs` is the header as it will be signed (format 2: without the signature, which covers
 * this ct). `nonce` is for known-answer tests only; leave it out to get a fresh random one.
 */
export async function seal(
  cek: CryptoKey,
  sid: Uint8Array,
  hdrs: Uint8Array,
  type: PayloadType,
  payload: string,
  nonce: Uint8Array = randomBytes(NONCE_BYTES),
): Promise<Uint8Array> {
  const frame = encodeFrame(type, encoder.encode(payload))
  const iv = new Uint8Array(nonce)
  if (iv.length !== NONCE_BYTES) throw new RangeError(`the nonce must be ${NONCE_BYTES} bytes`)
  const body = await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: contentAad(sid, hdrs) }, cek, frame)
  return concatBytes(iv, new Uint8Array(body))
}

/** `hdr` is the whole stored header: a format 2 one's signature is checked before anything is decrypted. */
export async function open(
  cek: CryptoKey,
  sid: Uint8Array,
  hdr: Uint8Array,
  ct: Uint8Array,
): Promise<{ type: PayloadType; text: string }> {
  if (!CT_LENGTHS.includes(ct.length)) throw new ProtocolError('ct_length', 'ciphertext has an invalid length')
  if (headerFormat(hdr) === FORMAT.signed) await verifyContent(sid, hdr, ct)
  const aad = contentAad(sid, signedHeaderPart(hdr))
  const api = subtle()
  let frame: Uint8Array
  try {
    const iv = ct.slice(0, NONCE_BYTES)
    const body = ct.slice(NONCE_BYTES)
    frame = new Uint8Array(await api.decrypt({ name: 'AES-GCM', iv, additionalData: aad }, cek, body))
  } catch {
    throw new ProtocolError('auth', 'the secret could not be decrypted: wrong passphrase or damaged data')
  }
  return decodeFrame(frame)
}
