/**
 * The creator's flow, shared by the web app and the CLI so both write the same bytes (the
 * recipient's is in recipient.ts). The link key `k` stays inside: what goes into the request
 * is only ever sid and the verifiers.
 */
import { encodeB64u } from './base64url.ts'
import { validateRedirectUrl } from './redirect.ts'
import type { RedirectPolicy } from './redirect.ts'
import { seal, signContent } from './envelope.ts'
import { encodeHeader, newHeader } from './header.ts'
import type { Argon2Cost } from './header.ts'
import { deriveAccess, derivePassphraseKey, deriveReveal, newSigningKey } from './keys.ts'
import { KEY_BYTES, PayloadType, TOKEN_BYTES } from './limits.ts'
import { manageLink, secretLink } from './links.ts'
import { withRetries } from './client.ts'
import type { Client, RetryOptions } from './client.ts'
import type { CreateSecretRequest, CreateSecretResponse } from './schemas.ts'
import { concatBytes, randomBytes, sha256 } from './webcrypto.ts'

export interface PrepareSecretOptions extends RedirectPolicy {
  type: PayloadType
  text: string
  /** Empty or absent means no passphrase. */
  passphrase?: string
  ttl: number
  maxViews: number
  /** Where the app is served; the links are built on it. */
  origin: string
  /** Argon2id costs, within the bounds every client accepts; defaults to ARGON2.defaults. */
  kdf?: Argon2Cost
}

export interface PreparedSecret {
  request: CreateSecretRequest
  link: string
  manageLink: string
  sid: string
  mt: string
}

/** A prepared secret with what a file secret derives further from the same keys (file-send.ts). */
export interface SealedSecret {
  prepared: PreparedSecret
  /** The link key as the link carries it: `k ‖ pkh` (keys.ts takes it as it is). */
  k: Uint8Array
  /** The passphrase key; empty without a passphrase. */
  P: Uint8Array
  sidBytes: Uint8Array
  /** The whole header, signature included: what the server stores and the chunks' AAD binds. */
  hdr: Uint8Array
  /** The one-off signing key, non-extractable: a file secret signs its files with it at the commit (§10.7). */
  sk: CryptoKey
}

/**
 * `prepareSecret`, also handing back the link key and the passphrase key: a file secret
 * derives its chunk key and upload token from them. Only the creator's own modules call it.
 * Format 2 (protocol.md §5.1): a one-off key pair signs the content, and the link carries
 * the hash of its public key. The private key is never exported: `prepareSecret` drops it
 * here, a file secret keeps it in memory until its commit.
 */
export async function sealSecret(o: PrepareSecretOptions): Promise<SealedSecret> {
  const text = o.type === PayloadType.redirect ? validateRedirectUrl(o.text, o) : o.text
  const mtBytes = randomBytes(TOKEN_BYTES)
  const signer = await newSigningKey()
  const k = concatBytes(randomBytes(KEY_BYTES), signer.pkh)
  const header = { ...newHeader(o.passphrase, o.kdf), pk: signer.pk }
  const hdrs = encodeHeader(header)
  const [{ sid: sidBytes, acc }, P] = await Promise.all([
    deriveAccess(k),
    derivePassphraseKey(o.passphrase ?? '', header),
  ])
  const { rev, cek } = await deriveReveal(k, P, sidBytes)
  const ct = await seal(cek, sidBytes, hdrs, o.type, text)
  const hdr = concatBytes(hdrs, await signContent(signer.sk, sidBytes, hdrs, ct))
  const [av, rv, mv] = await Promise.all([sha256(acc), sha256(rev), sha256(mtBytes)])
  const sid = encodeB64u(sidBytes)
  const mt = encodeB64u(mtBytes)
  const prepared = {
    request: {
      v: 1,
      sid,
      hdr: encodeB64u(hdr),
      ct: encodeB64u(ct),
      av: encodeB64u(av),
      rv: encodeB64u(rv),
      mv: encodeB64u(mv),
      ttl: o.ttl,
      maxViews: o.maxViews,
    },
    link: secretLink(o.origin, k),
    manageLink: manageLink(o.origin, sid, mt),
    sid,
    mt,
  } satisfies PreparedSecret
  return { prepared, k, P, sidBytes, hdr, sk: signer.sk }
}

export async function prepareSecret(o: PrepareSecretOptions): Promise<PreparedSecret> {
  return (await sealSecret(o)).prepared
}

/**
 * Stores a prepared secret. A create that met 503 or no answer is sent again, byte for
 * byte: the server answers the repeat of a create it already stored with 201 and the same
 * expiresAt (protocol.md §7), so a lost answer can neither fail the create nor leave the
 * sender without a link. A 409 means another secret holds the sid: prepare a new one.
 */
export function storeSecret(
  api: Pick<Client, 'create'>,
  request: CreateSecretRequest,
  retry?: RetryOptions,
): Promise<CreateSecretResponse> {
  return withRetries(() => api.create(request), retry)
}
