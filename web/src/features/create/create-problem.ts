import { ApiError } from '@burnlink/shared'
import { errorMessage } from '../../lib/error-message.ts'

/**
 * Why creating secrets failed, in words. Apart from lib/problems.ts, whose words are about
 * opening and managing (and which the create page would otherwise load up front): here
 * nothing was saved, and the server's reason for refusing is worth showing.
 */
export function createProblemText(error: unknown): string {
  if (!(error instanceof ApiError)) return `The secret could not be encrypted: ${errorMessage(error)}.`
  // Only after the create was retried for a while (storeSecret). The server may have stored
  // it meanwhile, but nobody holds its link, so there is nothing to open or manage.
  if (error.code === 'network' || error.code === 'unavailable')
    return 'The server did not answer, even after trying again for a while. No link was made: try again in a moment.'
  if (error.code === 'rate_limited') return 'Too many secrets from here in a short time. Wait a minute, then try again.'
  if (error.code === 'payload_too_large') return 'The secret is too large for this server.'
  return `The server refused the secret: ${error.message}.`
}
