import { MAX_PAYLOAD_BYTES, REDIRECT_URL_MAX_CHARS, validateRedirectUrl } from '@burnlink/shared'

/** The form's rules, shared by the inputs that show a problem and the form that blocks on it. */

const encoder = new TextEncoder()

export function utf8Length(text: string): number {
  return encoder.encode(text).length
}

export function textTooLong(text: string): boolean {
  return utf8Length(text) > MAX_PAYLOAD_BYTES
}

/** Why the protocol refuses a link secret's URL, or null when it accepts it. */
export type RedirectUrlProblem = 'empty' | 'notUrl' | 'scheme' | 'credentials' | 'tooLong'

/**
 * The protocol decides (validateRedirectUrl); this only names which of its rules the URL
 * broke, in the order it checks them, so the page can say it in the reader's language.
 */
export function redirectUrlProblem(url: string, allowHttp: boolean): RedirectUrlProblem | null {
  const trimmed = url.trim()
  if (trimmed === '') return 'empty'
  try {
    validateRedirectUrl(trimmed, { allowHttp })
    return null
  } catch {
    if (trimmed.length > REDIRECT_URL_MAX_CHARS || !URL.canParse(trimmed)) {
      return trimmed.length > REDIRECT_URL_MAX_CHARS ? 'tooLong' : 'notUrl'
    }
    const parsed = new URL(trimmed)
    if (parsed.protocol !== 'https:' && !(allowHttp && parsed.protocol === 'http:')) return 'scheme'
    return parsed.username || parsed.password ? 'credentials' : 'tooLong'
  }
}

/** How many links (one per person) a single submission may create. */
export const BATCH = { min: 2, max: 50 } as const

/** Whether a number typed as "how many people" can make a batch. */
export function isBatchSize(n: number): boolean {
  return Number.isInteger(n) && n >= BATCH.min && n <= BATCH.max
}
