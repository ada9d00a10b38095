/**
 * Secret and manage links (protocol.md §6). Everything identifying lives in the fragment,
 * which browsers never send, so the path is the same for every secret.
 */
import { decodeB64u, encodeB64u } from './base64url.ts'
import { ProtocolError } from './errors.ts'
import { splitLinkKey } from './keys.ts'
import { FORMAT, KEY_BYTES, PKH_BYTES, PROTOCOL_VERSION, SID_BYTES, TOKEN_BYTES } from './limits.ts'
import { concatBytes } from './webcrypto.ts'

/**
 * The app's page paths, one home for the web router, the server that serves the pages and
 * the links built here. New pages (requests, collect) are added here first.
 */
export const PAGE_PATHS = {
  create: '/',
  secret: '/s',
  manage: '/r',
  links: '/links',
  request: '/request',
  respond: '/q',
  collect: '/c',
} as const

const SECRET_PATH = PAGE_PATHS.secret
const MANAGE_PATH = PAGE_PATHS.manage

export function trimOrigin(origin: string): string {
  return origin.replace(/\/+$/, '')
}

/** Splits `1.<a>.<b>...` into exactly `count` canonical b64u fields of the given sizes. */
export function parseFragment(
  hash: string,
  sizes: readonly number[],
  what: string,
  expected: number = PROTOCOL_VERSION,
): Uint8Array[] {
  const [version, ...fields] = (hash.startsWith('#') ? hash.slice(1) : hash).split('.')
  if (version !== String(expected)) throw new ProtocolError('link', `not a version ${expected} ${what}`)
  if (fields.length !== sizes.length) throw new ProtocolError('link', `this ${what} is incomplete or damaged`)
  try {
    return fields.map((f, i) => decodeB64u(f, sizes[i]))
  } catch {
    throw new ProtocolError('link', `this ${what} is incomplete or damaged`)
  }
}

/** A full pasted link: its base (origin plus any path prefix the app is served under) and fragment. */
export function splitLink(url: string, path: string, what: string): { origin: string; hash: string } {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ProtocolError('link', `not a ${what}: not a URL`)
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || !parsed.pathname.endsWith(path)) {
    throw new ProtocolError('link', `not a ${what}`)
  }
  return { origin: parsed.origin + parsed.pathname.slice(0, -path.length), hash: parsed.hash }
}

/**
 * The secret link of a link key (keys.ts): `2.<k>.<pkh>` for `k ‖ pkh` (format 2), `1.<k>`
 * for a lone `k` (format 1, what links already sent look like).
 */
export function secretLink(origin: string, key: Uint8Array): string {
  const { k, pkh } = splitLinkKey(key)
  const fragment = pkh ? `${FORMAT.signed}.${encodeB64u(k)}.${encodeB64u(pkh)}` : `${FORMAT.unsigned}.${encodeB64u(k)}`
  return `${trimOrigin(origin)}${SECRET_PATH}#${fragment}`
}

/** The link key the fragment carries: `k ‖ pkh` from a format 2 link, `k` from a format 1 one. */
export function parseSecretFragment(hash: string): Uint8Array {
  const format = (hash.startsWith('#') ? hash.slice(1) : hash).split('.')[0]
  if (format !== String(FORMAT.signed)) return parseFragment(hash, [KEY_BYTES], 'secret link')[0]!
  return concatBytes(...parseFragment(hash, [KEY_BYTES, PKH_BYTES], 'secret link', FORMAT.signed))
}

/** `k` is the link key: `k ‖ pkh` from a format 2 link (see keys.ts). */
export function parseSecretLink(url: string): { origin: string; k: Uint8Array } {
  const { origin, hash } = splitLink(url, SECRET_PATH, 'secret link')
  return { origin, k: parseSecretFragment(hash) }
}

/** `sid` and `mt` as the b64u strings the API uses; both are checked for canonical form. */
export function manageLink(origin: string, sid: string, mt: string): string {
  const fragment = `${PROTOCOL_VERSION}.${sid}.${mt}`
  parseManageFragment(fragment)
  return `${trimOrigin(origin)}${MANAGE_PATH}#${fragment}`
}

export function parseManageFragment(hash: string): { sid: string; mt: string } {
  const [sid, mt] = parseFragment(hash, [SID_BYTES, TOKEN_BYTES], 'manage link')
  return { sid: encodeB64u(sid!), mt: encodeB64u(mt!) }
}

export function parseManageLink(url: string): { origin: string; sid: string; mt: string } {
  const { origin, hash } = splitLink(url, MANAGE_PATH, 'manage link')
  return { origin, ...parseManageFragment(hash) }
}
