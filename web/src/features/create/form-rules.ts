import { MAX_PAYLOAD_BYTES, ProtocolError, validateRedirectUrl } from '@burnlink/shared'

/** The form's rules, shared by the inputs that show a problem and the form that blocks on it. */

const encoder = new TextEncoder()

export function utf8Length(text: string): number {
  return encoder.encode(text).length
}

export function textTooLong(text: string): boolean {
  return utf8Length(text) > MAX_PAYLOAD_BYTES
}

/** The sentence to show under a link secret's URL, or null when the protocol accepts it. */
export function redirectUrlProblem(url: string, allowHttp: boolean): string | null {
  if (url.trim() === '') return 'Enter the address the link should lead to.'
  try {
    validateRedirectUrl(url.trim(), { allowHttp })
    return null
  } catch (e) {
    const message = e instanceof ProtocolError ? e.message : 'the address is not valid'
    return `${message.charAt(0).toUpperCase()}${message.slice(1)}.`
  }
}

/** How many links (one per person) a single submission may create. */
export const BATCH = { min: 2, max: 50 } as const

/** Whether a number typed as "how many people" can make a batch. */
export function isBatchSize(n: number): boolean {
  return Number.isInteger(n) && n >= BATCH.min && n <= BATCH.max
}
