/**
 * Redirect targets (protocol.md §10): checked when sealing and again when opening. Apart from
 * the sealing code, so that the create form can check a URL as it is typed without loading it.
 */
import { ProtocolError } from './errors.ts'
import { REDIRECT_URL_MAX_CHARS } from './limits.ts'

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
