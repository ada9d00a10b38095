/**
 * Key schedule (protocol.md §4). Everything the server sees (sid, acc, rev) is an HKDF
 * output of the link key, under labels that keep each value useless for the others' jobs.
 */
import { ProtocolError } from './errors.ts'
import type { Header } from './header.ts'
import { KEY_BYTES, LABEL, SID_BYTES, TOKEN_BYTES } from './limits.ts'
import { concatBytes, ownBytes, subtle } from './webcrypto.ts'

const encoder = new TextEncoder()
const EMPTY = new Uint8Array(0)

function info(purpose: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(`${LABEL} ${purpose}`)
}

function hkdfBase(ikm: Uint8Array): Promise<CryptoKey> {
  return subtle().importKey('raw', ownBytes(ikm), 'HKDF', false, ['deriveBits', 'deriveKey'])
}

function hkdfParams(salt: Uint8Array, purpose: string): HkdfParams {
  return { name: 'HKDF', hash: 'SHA-256', salt: ownBytes(salt), info: info(purpose) }
}

async function hkdfBytes(base: CryptoKey, salt: Uint8Array, purpose: string, bytes: number): Promise<Uint8Array> {
  return new Uint8Array(await subtle().deriveBits(hkdfParams(salt, purpose), base, bytes * 8))
}

function checkKey(k: Uint8Array): void {
  if (k.length !== KEY_BYTES) throw new ProtocolError('link', `the link key must be ${KEY_BYTES} bytes`)
}

/** The two values every request carries: the secret's id and the proof of holding its link. */
export async function deriveAccess(k: Uint8Array): Promise<{ sid: Uint8Array; acc: Uint8Array }> {
  checkKey(k)
  const base = await hkdfBase(k)
  const [sid, acc] = await Promise.all([
    hkdfBytes(base, EMPTY, 'sid', SID_BYTES),
    hkdfBytes(base, EMPTY, 'access', TOKEN_BYTES),
  ])
  return { sid, acc }
}

/**
 * `P` for `ikm = k ‖ P`; empty when the header has no KDF (a passphrase is then ignored) and,
 * as protocol.md §4 says, for an empty passphrase, which then fails to open like any wrong one
 * (hash-wasm would throw a plain Error on an empty password instead).
 * NFC so that the same passphrase typed on different keyboards gives the same key; never
 * trimmed, because spaces are characters the creator chose.
 */
export async function derivePassphraseKey(passphrase: string, header: Header): Promise<Uint8Array> {
  if (header.kdf === 'none' || passphrase === '') return EMPTY
  const { argon2id } = await import('hash-wasm')
  return argon2id({
    password: encoder.encode(passphrase.normalize('NFC')),
    salt: header.salt,
    parallelism: header.p,
    iterations: header.t,
    memorySize: header.m,
    hashLength: 32,
    outputType: 'binary',
  })
}

/** `rev` goes to the server; `cek` is derived straight into a non-extractable key and never exists as bytes. */
export async function deriveReveal(
  k: Uint8Array,
  P: Uint8Array,
  sid: Uint8Array,
): Promise<{ rev: Uint8Array; cek: CryptoKey }> {
  checkKey(k)
  const base = await hkdfBase(concatBytes(k, P))
  const [rev, cek] = await Promise.all([
    hkdfBytes(base, sid, 'reveal', TOKEN_BYTES),
    subtle().deriveKey(hkdfParams(sid, 'content'), base, { name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]),
  ])
  return { rev, cek }
}

/**
 * `fk`, the key of every file chunk (protocol.md §10): the same inputs as cek under its own
 * label, so the envelope's random nonces and the chunks' counter nonces never share a key.
 * Non-extractable, like cek.
 */
export async function deriveFileKey(k: Uint8Array, P: Uint8Array, sid: Uint8Array): Promise<CryptoKey> {
  checkKey(k)
  const base = await hkdfBase(concatBytes(k, P))
  return subtle().deriveKey(hkdfParams(sid, 'file'), base, { name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ])
}

/**
 * `ut`, the upload token: proves that a chunk upload, commit or abort comes from the link's
 * creator. The server stores only `uv = SHA-256(ut)` and refuses uploads after the commit,
 * the first moment anyone else can hold the link.
 */
export async function deriveUploadToken(k: Uint8Array): Promise<Uint8Array> {
  checkKey(k)
  return hkdfBytes(await hkdfBase(k), EMPTY, 'upload', TOKEN_BYTES)
}
