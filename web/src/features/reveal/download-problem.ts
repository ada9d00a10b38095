import { ApiError, ProtocolError } from '@burnlink/shared'
import { errorMessage } from '../../lib/error-message.ts'

/** Why a file could not be saved, as a message key and its values; each cause has its own words. */
export interface DownloadProblem {
  key: string
  params: Record<string, string>
}

/**
 * Chunk reads answer 404 alike for a closed window, a deleted secret and a wrong claim
 * (nothing to tell an outsider), so after a reveal any of them means the window is over.
 */
export function downloadProblem(error: unknown): DownloadProblem {
  // Chunks that open but are not the ones the creator signed (protocol.md §10.7): not damage on the way.
  if (error instanceof ProtocolError && error.reason === 'files_digest') {
    return { key: 'reveal.files.error.notFromCreator', params: {} }
  }
  if (error instanceof ProtocolError && error.reason.startsWith('chunk_')) {
    return { key: 'reveal.files.error.damaged', params: {} }
  }
  if (error instanceof ApiError) {
    if (error.code === 'window_closed' || error.code === 'not_found' || error.code === 'gone') {
      return { key: 'reveal.files.error.windowClosed', params: {} }
    }
    if (
      error.code === 'network' ||
      error.code === 'unavailable' ||
      error.code === 'rate_limited' ||
      error.status >= 500
    ) {
      return { key: 'reveal.files.error.unavailable', params: {} }
    }
  }
  if ((error as Error | undefined)?.name === 'QuotaExceededError')
    return { key: 'reveal.files.error.diskFull', params: {} }
  return { key: 'reveal.files.error.unexpected', params: { reason: errorMessage(error) } }
}
