/**
 * Secrets built by hand with the shared primitives, as any client could build them: under a
 * link key someone holds (protocol.md §5.1, a link holder re-creating a record that is gone),
 * or signed by a creator whose client let through what ours refuse. The apps never do this;
 * tests use it to show what the recipient's side refuses.
 */
import {
  concatBytes,
  deriveAccess,
  deriveReveal,
  encodeB64u,
  encodeHeader,
  newSigningKey,
  randomBytes,
  seal,
  secretLink,
  sha256,
  signContent,
  KEY_BYTES,
  TOKEN_BYTES,
  type CreateSecretRequest,
  type PayloadType,
} from '@burnlink/shared'

export interface Content {
  type: PayloadType
  text: string
}

/** Who signs: a key pair (format 2), the creator's stored header replayed as it is, or nobody (format 1). */
export type Signer = { sk: CryptoKey; pk: Uint8Array } | { hdr: Uint8Array } | undefined

const b64uSha256 = async (b: Uint8Array) => encodeB64u(await sha256(b))

/** A create request for `content` under the link key `key` (no passphrase, one view, an hour). */
export async function createRequestUnder(
  key: Uint8Array,
  content: Content,
  signer?: Signer,
): Promise<CreateSecretRequest> {
  const { sid, acc } = await deriveAccess(key)
  const { rev, cek } = await deriveReveal(key, new Uint8Array(0), sid)
  const hdrs =
    signer === undefined
      ? encodeHeader({ kdf: 'none' })
      : 'hdr' in signer
        ? signer.hdr.subarray(0, -64)
        : encodeHeader({ kdf: 'none', pk: signer.pk })
  const ct = await seal(cek, sid, hdrs, content.type, content.text)
  const hdr =
    signer === undefined
      ? hdrs
      : 'hdr' in signer
        ? signer.hdr
        : concatBytes(hdrs, await signContent(signer.sk, sid, hdrs, ct))
  return {
    v: 1,
    sid: encodeB64u(sid),
    hdr: encodeB64u(hdr),
    ct: encodeB64u(ct),
    av: await b64uSha256(acc),
    rv: await b64uSha256(rev),
    mv: await b64uSha256(randomBytes(TOKEN_BYTES)),
    ttl: 3600,
    maxViews: 1,
  }
}

/** A format 2 secret of `content`, signed by its own new creator: its link and its create request. */
export async function signedSecret(origin: string, content: Content) {
  const signer = await newSigningKey()
  const key = concatBytes(randomBytes(KEY_BYTES), signer.pkh)
  return { link: secretLink(origin, key), request: await createRequestUnder(key, content, signer) }
}
