/**
 * Secret requests (protocol.md §12): the requester publishes a P-256 public key, a responder
 * encrypts one answer to it, the requester collects it once. The request, respond and collect
 * flows live here, for the web app and the CLI alike, so both write the same bytes.
 *
 * What the server sees: the request id, the public keys, verifiers of the access and collect
 * tokens, and ciphertexts. The request key `n` (note key, access token) and the private key
 * `d` travel only in link fragments.
 */
import { decodeB64u, encodeB64u } from './base64url.ts'
import { isRetryable, withRetries } from './client.ts'
import type { Client, RetryOptions } from './client.ts'
import { decodeFrame, encodeFrame } from './envelope.ts'
import { ApiError, ProtocolError, RevealInDoubtError } from './errors.ts'
import {
  CLAIM_BYTES,
  CLAIM_RETRY,
  CT_LENGTHS,
  EC_POINT_BYTES,
  FINGERPRINT_BYTES,
  KEY_BYTES,
  LABEL,
  NONCE_BYTES,
  PayloadType,
  PROTOCOL_VERSION,
  RID_BYTES,
  TOKEN_BYTES,
} from './limits.ts'
import { PAGE_PATHS, parseFragment, splitLink, trimOrigin } from './links.ts'
import type { AnswerRequest, CollectRef, CreateRequestRequest, RequestStatus } from './schemas.ts'
import { concatBytes, ownBytes, randomBytes, sha256, subtle } from './webcrypto.ts'

const encoder = new TextEncoder()
const EMPTY = new Uint8Array(0)
const P256 = { name: 'ECDH', namedCurve: 'P-256' } as const
/** The private scalar d, and the x and y of Q, are each this long. */
const COORD_BYTES = 32

const label = (purpose: string) => encoder.encode(`${LABEL} ${purpose}`)

async function hkdfBase(ikm: Uint8Array): Promise<CryptoKey> {
  return subtle().importKey('raw', ownBytes(ikm), 'HKDF', false, ['deriveBits', 'deriveKey'])
}

function hkdfParams(salt: Uint8Array, info: Uint8Array): HkdfParams {
  return { name: 'HKDF', hash: 'SHA-256', salt: ownBytes(salt), info: ownBytes(info) }
}

async function hkdfBytes(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, bytes: number): Promise<Uint8Array> {
  return new Uint8Array(await subtle().deriveBits(hkdfParams(salt, info), await hkdfBase(ikm), bytes * 8))
}

/** Straight into a non-extractable AES-GCM key: the note and answer keys never exist as bytes. */
async function hkdfAesKey(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array): Promise<CryptoKey> {
  return subtle().deriveKey(hkdfParams(salt, info), await hkdfBase(ikm), { name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ])
}

/** What the request key `n` gives: the id, the responder's access token and the note key. */
export interface RequestKeys {
  rid: Uint8Array
  qa: Uint8Array
  nk: CryptoKey
}

export async function deriveRequestKeys(n: Uint8Array): Promise<RequestKeys> {
  if (n.length !== KEY_BYTES) throw new ProtocolError('link', `the request key must be ${KEY_BYTES} bytes`)
  const rid = await hkdfBytes(n, EMPTY, label('request id'), RID_BYTES)
  const [qa, nk] = await Promise.all([
    hkdfBytes(n, EMPTY, label('request access'), TOKEN_BYTES),
    hkdfAesKey(n, rid, label('request note')),
  ])
  return { rid, qa, nk }
}

/** Commits the request link to one public key of one request: a server that swaps Q cannot match it. */
export async function keyFingerprint(rid: Uint8Array, Q: Uint8Array): Promise<Uint8Array> {
  return (await sha256(concatBytes(label('request key'), Uint8Array.of(0), rid, Q))).slice(0, FINGERPRINT_BYTES)
}

/** Derived from the private scalar, so the collect link needs no token of its own. */
export function deriveCollectToken(d: Uint8Array, rid: Uint8Array): Promise<Uint8Array> {
  return hkdfBytes(d, rid, label('request collect'), TOKEN_BYTES)
}

/** A P-256 key pair as raw bytes: the 32-byte scalar `d` and the uncompressed point `Q`. */
export interface RequesterKey {
  d: Uint8Array
  Q: Uint8Array
}

function checkPoint(Q: Uint8Array): void {
  if (Q.length !== EC_POINT_BYTES || Q[0] !== 4) throw new ProtocolError('link', 'not an uncompressed P-256 point')
}

function jwkOf({ d, Q }: RequesterKey): JsonWebKey {
  checkPoint(Q)
  if (d.length !== COORD_BYTES) throw new ProtocolError('link', `the private key must be ${COORD_BYTES} bytes`)
  return {
    kty: 'EC',
    crv: 'P-256',
    x: encodeB64u(Q.subarray(1, 1 + COORD_BYTES)),
    y: encodeB64u(Q.subarray(1 + COORD_BYTES)),
    d: encodeB64u(d),
  }
}

/** A fresh pair; `d` leaves WebCrypto once, into the collect link. */
export async function newRequesterKey(): Promise<RequesterKey> {
  const pair = await subtle().generateKey(P256, true, ['deriveBits'])
  const jwk = await subtle().exportKey('jwk', pair.privateKey)
  const Q = new Uint8Array(await subtle().exportKey('raw', pair.publicKey))
  return { d: decodeB64u(jwk.d!, COORD_BYTES), Q }
}

/**
 * The private key for ECDH, non-extractable; also what a page may keep in IndexedDB.
 * WebCrypto refuses a d that does not belong to Q.
 */
export async function importRequesterKey(key: RequesterKey): Promise<CryptoKey> {
  try {
    return await subtle().importKey('jwk', jwkOf(key), P256, false, ['deriveBits'])
  } catch {
    throw new ProtocolError('link', 'the collect link holds no valid key')
  }
}

async function importPoint(Q: Uint8Array): Promise<CryptoKey> {
  checkPoint(Q)
  try {
    return await subtle().importKey('raw', ownBytes(Q), P256, true, [])
  } catch {
    throw new ProtocolError('request_key', 'the public key is not a valid P-256 point')
  }
}

/** z: the x coordinate of the shared point (protocol.md §12.1). */
export async function sharedSecret(privateKey: CryptoKey, peer: Uint8Array): Promise<Uint8Array> {
  const pub = await importPoint(peer)
  return new Uint8Array(await subtle().deriveBits({ name: 'ECDH', public: pub }, privateKey, 256))
}

function answerKey(z: Uint8Array, rid: Uint8Array, Q: Uint8Array, E: Uint8Array): Promise<CryptoKey> {
  return hkdfAesKey(z, rid, concatBytes(label('request answer'), Uint8Array.of(0), Q, E))
}

export const noteAad = (rid: Uint8Array, Q: Uint8Array) => concatBytes(label('request note'), Uint8Array.of(0), rid, Q)
export const answerAad = (rid: Uint8Array, Q: Uint8Array, E: Uint8Array) =>
  concatBytes(label('request answer'), Uint8Array.of(0), rid, Q, E)

async function sealText(key: CryptoKey, aad: Uint8Array, text: string, nonce: Uint8Array): Promise<Uint8Array> {
  if (nonce.length !== NONCE_BYTES) throw new RangeError(`the nonce must be ${NONCE_BYTES} bytes`)
  const iv = ownBytes(nonce)
  const frame = encodeFrame(PayloadType.text, encoder.encode(text))
  const body = await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: ownBytes(aad) }, key, frame)
  return concatBytes(iv, new Uint8Array(body))
}

async function openText(key: CryptoKey, aad: Uint8Array, ct: Uint8Array): Promise<string> {
  if (!CT_LENGTHS.includes(ct.length)) throw new ProtocolError('ct_length', 'ciphertext has an invalid length')
  let frame: Uint8Array
  try {
    const iv = ct.slice(0, NONCE_BYTES)
    const params = { name: 'AES-GCM', iv, additionalData: ownBytes(aad) }
    frame = new Uint8Array(await subtle().decrypt(params, key, ct.slice(NONCE_BYTES)))
  } catch {
    throw new ProtocolError('auth', 'the answer could not be decrypted: wrong key or damaged data')
  }
  const opened = decodeFrame(frame)
  if (opened.type !== PayloadType.text) throw new ProtocolError('frame_type', 'only text answers are known')
  return opened.text
}

/** `nonce` is for known-answer tests only. */
export function sealNote(
  nk: CryptoKey,
  rid: Uint8Array,
  Q: Uint8Array,
  text: string,
  nonce: Uint8Array = randomBytes(NONCE_BYTES),
): Promise<Uint8Array> {
  return sealText(nk, noteAad(rid, Q), text, nonce)
}

export function openNote(nk: CryptoKey, rid: Uint8Array, Q: Uint8Array, note: Uint8Array): Promise<string> {
  return openText(nk, noteAad(rid, Q), note)
}

/** The responder's side: a fresh ephemeral pair per answer unless `ephemeral` is given (known-answer tests). */
export async function sealAnswer(
  rid: Uint8Array,
  Q: Uint8Array,
  text: string,
  fixed: { ephemeral?: RequesterKey; nonce?: Uint8Array } = {},
): Promise<{ E: Uint8Array; ans: Uint8Array }> {
  const eph = fixed.ephemeral ?? (await newRequesterKey())
  const z = await sharedSecret(await importRequesterKey(eph), Q)
  const ak = await answerKey(z, rid, Q, eph.Q)
  const ans = await sealText(ak, answerAad(rid, Q, eph.Q), text, fixed.nonce ?? randomBytes(NONCE_BYTES))
  return { E: eph.Q, ans }
}

export async function openAnswer(
  privateKey: CryptoKey,
  rid: Uint8Array,
  Q: Uint8Array,
  E: Uint8Array,
  ans: Uint8Array,
): Promise<string> {
  const z = await sharedSecret(privateKey, E)
  return openText(await answerKey(z, rid, Q, E), answerAad(rid, Q, E), ans)
}

// Links (protocol.md §12.3).

export function requestLink(origin: string, n: Uint8Array, fp: Uint8Array): string {
  const fragment = `${PROTOCOL_VERSION}.${encodeB64u(n)}.${encodeB64u(fp)}`
  parseRequestFragment(fragment)
  return `${trimOrigin(origin)}${PAGE_PATHS.respond}#${fragment}`
}

export function parseRequestFragment(hash: string): { n: Uint8Array; fp: Uint8Array } {
  const [n, fp] = parseFragment(hash, [KEY_BYTES, FINGERPRINT_BYTES], 'request link')
  return { n: n!, fp: fp! }
}

export function parseRequestLink(url: string): { origin: string; n: Uint8Array; fp: Uint8Array } {
  const { origin, hash } = splitLink(url, PAGE_PATHS.respond, 'request link')
  return { origin, ...parseRequestFragment(hash) }
}

/** Everything the collect link carries. */
export interface CollectKey extends RequesterKey {
  rid: Uint8Array
}

export function collectLink(origin: string, { rid, d, Q }: CollectKey): string {
  const fragment = `${PROTOCOL_VERSION}.${encodeB64u(rid)}.${encodeB64u(d)}.${encodeB64u(Q)}`
  parseCollectFragment(fragment)
  return `${trimOrigin(origin)}${PAGE_PATHS.collect}#${fragment}`
}

export function parseCollectFragment(hash: string): CollectKey {
  const [rid, d, Q] = parseFragment(hash, [RID_BYTES, COORD_BYTES, EC_POINT_BYTES], 'collect link')
  checkPoint(Q!)
  return { rid: rid!, d: d!, Q: Q! }
}

export function parseCollectLink(url: string): CollectKey & { origin: string } {
  const { origin, hash } = splitLink(url, PAGE_PATHS.collect, 'collect link')
  return { origin, ...parseCollectFragment(hash) }
}

// Flows (protocol.md §12.4).

export interface PrepareRequestOptions {
  origin: string
  ttl: number
  /** Shown to the responder; empty or absent: no note. */
  note?: string
}

export interface PreparedRequest {
  request: CreateRequestRequest
  requestLink: string
  collectLink: string
  /** The requester's own reference: status, burn, My links. */
  ref: CollectRef
  key: CollectKey
}

export async function prepareRequest({ origin, ttl, note }: PrepareRequestOptions): Promise<PreparedRequest> {
  const n = randomBytes(KEY_BYTES)
  const [{ rid, qa, nk }, { d, Q }] = await Promise.all([deriveRequestKeys(n), newRequesterKey()])
  const [fp, col, sealed] = await Promise.all([
    keyFingerprint(rid, Q),
    deriveCollectToken(d, rid),
    note ? sealNote(nk, rid, Q, note) : undefined,
  ])
  const [qv, cv] = await Promise.all([sha256(qa), sha256(col)])
  const key = { rid, d, Q }
  return {
    request: {
      v: 1,
      rid: encodeB64u(rid),
      pub: encodeB64u(Q),
      qv: encodeB64u(qv),
      cv: encodeB64u(cv),
      ...(sealed && { note: encodeB64u(sealed) }),
      ttl,
    },
    requestLink: requestLink(origin, n, fp),
    collectLink: collectLink(origin, key),
    ref: { rid: encodeB64u(rid), col: encodeB64u(col) },
    key,
  }
}

export type RequestApi = Client['requests']

/** A create that met 503 or no answer is sent again as it was: the server takes an identical repeat as success. */
export function storeRequest(api: Pick<RequestApi, 'create'>, request: CreateRequestRequest, retry?: RetryOptions) {
  return withRetries(() => api.create(request), retry)
}

export interface OpenedRequest {
  /** Absent when the requester wrote none. */
  note?: string
  expiresAt: string
}

export interface Responder {
  /**
   * Fetches the request (consumes nothing) and checks its public key against the link's
   * fingerprint: a mismatch throws ProtocolError `request_key` and nothing can be answered.
   */
  open(): Promise<OpenedRequest>
  /**
   * Encrypts `text` to the checked key and sends it; a retry after no answer sends the same
   * bytes. An ApiError `already_answered` means someone else answered first.
   */
  answer(text: string, retry?: RetryOptions): Promise<void>
}

export async function createResponder(
  link: { n: Uint8Array; fp: Uint8Array },
  api: Pick<RequestApi, 'open' | 'answer'>,
  retry?: RetryOptions,
): Promise<Responder> {
  const { rid, qa, nk } = await deriveRequestKeys(link.n)
  const access = { rid: encodeB64u(rid), acc: encodeB64u(qa) }
  let checkedKey: Uint8Array | undefined
  // The last answer sealed: sending the same text again (after a lost answer, even once the
  // retries gave up) sends the same bytes, which the server takes as the same answer.
  let sealed: { text: string; body: AnswerRequest } | undefined
  return {
    async open() {
      const r = await withRetries(() => api.open(access), retry)
      const Q = decodeB64u(r.pub, EC_POINT_BYTES)
      const fp = await keyFingerprint(rid, Q)
      if (!fp.every((b, i) => b === link.fp[i])) {
        throw new ProtocolError(
          'request_key',
          'the server sent a public key that does not match the request link: refusing to answer',
        )
      }
      await importPoint(Q)
      checkedKey = Q
      const note = r.note === undefined ? undefined : await openNote(nk, rid, Q, decodeB64u(r.note))
      return { ...(note !== undefined && { note }), expiresAt: r.expiresAt }
    },
    async answer(text, answerRetry = retry) {
      if (!checkedKey) throw new TypeError('call open() first: it checks the key')
      if (sealed?.text !== text) {
        const { E, ans } = await sealAnswer(rid, checkedKey, text)
        sealed = { text, body: { ...access, epk: encodeB64u(E), ans: encodeB64u(ans) } }
      }
      const { body } = sealed
      await withRetries(() => api.answer(body), answerRetry)
    },
  }
}

export interface CollectedAnswer {
  text: string
  /** Settles once the server has forgotten the answer (true) or the ack failed (false, harmless). */
  acked: Promise<boolean>
}

export interface Collector {
  ref: CollectRef
  status(): Promise<RequestStatus>
  /**
   * Collects and decrypts the answer: one view, with a claim, so a retry after no answer
   * cannot lose it (protocol.md §7). ApiError `not_answered` while nobody has answered;
   * RevealInDoubtError when the server never answered.
   */
  collect(): Promise<CollectedAnswer>
  /** Ends the request for everyone; one already over counts as done. */
  burn(): Promise<void>
}

export async function createCollector(
  key: CollectKey,
  api: Pick<RequestApi, 'collect' | 'ack' | 'status' | 'burn'>,
  options: { retry?: RetryOptions; claimRetrySeconds?: number; privateKey?: CryptoKey } = {},
): Promise<Collector> {
  const { retry, claimRetrySeconds = CLAIM_RETRY.defaultSeconds } = options
  const privateKey = options.privateKey ?? (await importRequesterKey(key))
  const ref = { rid: encodeB64u(key.rid), col: encodeB64u(await deriveCollectToken(key.d, key.rid)) }
  const claim = encodeB64u(randomBytes(CLAIM_BYTES))
  let inDoubtSince: number | undefined
  return {
    ref,
    status: () => withRetries(() => api.status(ref), retry),
    async collect() {
      inDoubtSince ??= Date.now()
      let got
      try {
        got = await withRetries(() => api.collect({ ...ref, claim }), retry)
      } catch (e) {
        if (isRetryable(e)) {
          throw new RevealInDoubtError(inDoubtSince + claimRetrySeconds * 1000, { cause: e as ApiError })
        }
        inDoubtSince = undefined
        throw e
      }
      inDoubtSince = undefined
      const text = await openAnswer(
        privateKey,
        key.rid,
        key.Q,
        decodeB64u(got.epk, EC_POINT_BYTES),
        decodeB64u(got.ans),
      )
      const acked = api.ack({ ...ref, claim }).then(
        () => true,
        () => false,
      )
      return { text, acked }
    },
    async burn() {
      try {
        await api.burn(ref)
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 'gone')) throw e
      }
    },
  }
}
