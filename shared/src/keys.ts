/**
 * Key schedule (protocol.md §4). Everything the server sees (sid, acc, rev) is an HKDF
 * output of the link key, under labels that keep each value useless for the others' jobs.
 *
 * Every function here takes the link key as a secret link carries it: `k` alone (format 1,
 * 32 bytes) or `k ‖ pkh` (format 2, 48 bytes), so that callers pass one value from
 * `parseSecretLink` to `createRecipient` whatever the format. Only sid depends on `pkh`.
 */
import { ProtocolError } from './errors.ts'
import type { Header } from './header.ts'
import { KEY_BYTES, LABEL, PKH_BYTES, SID_BYTES, TOKEN_BYTES } from './limits.ts'
import { concatBytes, ownBytes, sha256, subtle } from './webcrypto.ts'

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

/** A link key split into `k` and, in format 2, the hash of the creator's public key. */
export function splitLinkKey(key: Uint8Array): { k: Uint8Array; pkh?: Uint8Array } {
  if (key.length === KEY_BYTES) return { k: key }
  if (key.length === KEY_BYTES + PKH_BYTES) return { k: key.subarray(0, KEY_BYTES), pkh: key.subarray(KEY_BYTES) }
  throw new ProtocolError('link', `the link key must be ${KEY_BYTES} or ${KEY_BYTES + PKH_BYTES} bytes`)
}

/** `pkh`: the first 16 bytes of SHA-256 of the uncompressed public key (protocol.md §5.1). */
export async function publicKeyHash(pk: Uint8Array): Promise<Uint8Array> {
  return (await sha256(pk)).slice(0, PKH_BYTES)
}

const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const

/**
 * A one-off signing key for one secret (protocol.md §5.1). The private half is
 * non-extractable and is dropped with this object once the content is signed: nobody, the
 * creator included, can sign for that link again.
 */
export async function newSigningKey(): Promise<{ sk: CryptoKey; pk: Uint8Array; pkh: Uint8Array }> {
  const pair = await subtle().generateKey(ECDSA_P256, false, ['sign', 'verify'])
  const pk = new Uint8Array(await subtle().exportKey('raw', pair.publicKey))
  return { sk: pair.privateKey, pk, pkh: await publicKeyHash(pk) }
}

/** The two values every request carries: the secret's id and the proof of holding its link. */
export async function deriveAccess(key: Uint8Array): Promise<{ sid: Uint8Array; acc: Uint8Array }> {
  const { k, pkh } = splitLinkKey(key)
  const base = await hkdfBase(k)
  const [sid, acc] = await Promise.all([
    pkh ? hkdfBytes(base, pkh, 'sid v2', SID_BYTES) : hkdfBytes(base, EMPTY, 'sid', SID_BYTES),
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
  key: Uint8Array,
  P: Uint8Array,
  sid: Uint8Array,
): Promise<{ rev: Uint8Array; cek: CryptoKey }> {
  const base = await hkdfBase(concatBytes(splitLinkKey(key).k, P))
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
export async function deriveFileKey(key: Uint8Array, P: Uint8Array, sid: Uint8Array): Promise<CryptoKey> {
  const base = await hkdfBase(concatBytes(splitLinkKey(key).k, P))
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
export async function deriveUploadToken(key: Uint8Array): Promise<Uint8Array> {
  return hkdfBytes(await hkdfBase(splitLinkKey(key).k), EMPTY, 'upload', TOKEN_BYTES)
}
