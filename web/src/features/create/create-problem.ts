import { ApiError } from '@burnlink/shared'
import { errorMessage } from '../../lib/error-message.ts'

/** Why creating failed, as a message key and its values; the page words it in the reader's language. */
export interface CreateProblem {
  key: string
  params: Record<string, string>
}

/**
 * Why creating secrets failed. Apart from lib/problems.ts, whose words are about opening and
 * managing (and which the create page would otherwise load up front): here nothing was saved.
 * The server's own message stays English, so a refusal is named by its error code.
 */
export function createProblem(error: unknown): CreateProblem {
  if (!(error instanceof ApiError)) return { key: 'create.error.encrypt', params: { reason: errorMessage(error) } }
  // Only after the create was retried for a while (storeSecret). The server may have stored
  // it meanwhile, but nobody holds its link, so there is nothing to open or manage.
  if (error.code === 'network' || error.code === 'unavailable') return { key: 'create.error.unavailable', params: {} }
  if (error.code === 'rate_limited') return { key: 'create.error.rateLimited', params: {} }
  if (error.code === 'payload_too_large') return { key: 'create.error.tooLarge', params: {} }
  return { key: 'create.error.refused', params: { code: error.code } }
}
