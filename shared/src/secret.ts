/**
 * The creator's and the recipient's flows, shared by the web app and the CLI so both write
 * and read the same bytes. The link key `k` stays inside these functions: what they hand
 * back for requests is only ever sid, acc, rev and the verifiers.
 */
import { decodeB64u, encodeB64u } from './base64url.ts'
import { open, seal } from './envelope.ts'
import { ProtocolError } from './errors.ts'
import { encodeHeader, newHeader, parseHeader } from './header.ts'
import type { Argon2Cost } from './header.ts'
import { deriveAccess, derivePassphraseKey, deriveReveal } from './keys.ts'
import { KEY_BYTES, PayloadType, REDIRECT_URL_MAX_CHARS, TOKEN_BYTES } from './limits.ts'
import { manageLink, secretLink } from './links.ts'
import type { CreateSecretRequest, MetaRequest } from './schemas.ts'
import { randomBytes, sha256 } from './webcrypto.ts'

export type RedirectPolicy = { allowHttp?: boolean }

/**
 * The target of a redirect secret, as the normalised URL to navigate to. Checked when
 * sealing and again when opening, since the opener cannot trust what the creator's
 * client let through.
 */
export function validateRedirectUrl(url: string, { allowHttp = false }: RedirectPolicy = {}): string {
  const tooLong = `the redirect URL is too long: at most ${REDIRECT_URL_MAX_CHARS} characters`
  if (url.length > REDIRECT_URL_MAX_CHARS) throw new ProtocolError('payload', tooLong)
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ProtocolError('payload', 'the redirect target is not a valid URL')
  }
  if (parsed.protocol !== 'https:' && !(allowHttp && parsed.protocol === 'http:')) {
    throw new ProtocolError(
      'payload',
      allowHttp ? 'the redirect URL must use https or http' : 'the redirect URL must use https',
    )
  }
  if (parsed.username || parsed.password) {
    throw new ProtocolError('payload', 'the redirect URL must not contain a user name or password')
  }
  if (parsed.href.length > REDIRECT_URL_MAX_CHARS) throw new ProtocolError('payload', tooLong)
  return parsed.href
}

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

export async function prepareSecret(o: PrepareSecretOptions): Promise<PreparedSecret> {
  const text = o.type === PayloadType.redirect ? validateRedirectUrl(o.text, o) : o.text
  const k = randomBytes(KEY_BYTES)
  const mtBytes = randomBytes(TOKEN_BYTES)
  const header = newHeader(o.passphrase, o.kdf)
  const hdr = encodeHeader(header)
  const [{ sid: sidBytes, acc }, P] = await Promise.all([
    deriveAccess(k),
    derivePassphraseKey(o.passphrase ?? '', header),
  ])
  const { rev, cek } = await deriveReveal(k, P, sidBytes)
  const ct = await seal(cek, sidBytes, hdr, o.type, text)
  const [av, rv, mv] = await Promise.all([sha256(acc), sha256(rev), sha256(mtBytes)])
  const sid = encodeB64u(sidBytes)
  const mt = encodeB64u(mtBytes)
  return {
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
  }
}

/** The body of the recipient's `meta` request (and of a recipient's `burn`). */
export async function openSecretLink(k: Uint8Array): Promise<MetaRequest> {
  const { sid, acc } = await deriveAccess(k)
  return { sid: encodeB64u(sid), acc: encodeB64u(acc) }
}

/** Whether the header `meta` returned asks for a passphrase; refuses headers no client accepts. */
export function needsPassphrase(hdr: string): boolean {
  return parseHeader(decodeB64u(hdr)).kdf !== 'none'
}

export interface UnlockedSecret {
  /** For the reveal request. */
  rev: string
  cek: CryptoKey
  sidBytes: Uint8Array
  hdrBytes: Uint8Array
}

/**
 * Derives what the reveal request and the decryption need. With a passphrase header this runs
 * Argon2id with the header's costs, after checking them against the bounds.
 */
export async function unlockSecret(o: { k: Uint8Array; passphrase?: string; hdr: string }): Promise<UnlockedSecret> {
  const hdrBytes = decodeB64u(o.hdr)
  const header = parseHeader(hdrBytes)
  if (header.kdf !== 'none' && o.passphrase === undefined) {
    throw new TypeError('this secret needs a passphrase: check needsPassphrase(hdr) first')
  }
  const [{ sid: sidBytes }, P] = await Promise.all([deriveAccess(o.k), derivePassphraseKey(o.passphrase ?? '', header)])
  const { rev, cek } = await deriveReveal(o.k, P, sidBytes)
  return { rev: encodeB64u(rev), cek, sidBytes, hdrBytes }
}

/** Opens the `ct` a reveal returned; a redirect target is re-validated before anyone navigates to it. */
export async function decryptSecret(
  unlocked: UnlockedSecret,
  ct: string,
  policy: RedirectPolicy = {},
): Promise<{ type: PayloadType; text: string }> {
  const opened = await open(unlocked.cek, unlocked.sidBytes, unlocked.hdrBytes, decodeB64u(ct))
  if (opened.type !== PayloadType.redirect) return opened
  return { type: opened.type, text: validateRedirectUrl(opened.text, policy) }
}
