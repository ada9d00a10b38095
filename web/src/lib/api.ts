import { ApiError, createClient, type BurnRequest } from '@burnlink/shared'

/** The one API client of the app; '' targets this page's own origin (CSP connect-src 'self'). */
export const api = createClient({ baseUrl: '' })

/**
 * Burns a secret. A 410 says it ended meanwhile (viewed, expired or burned): nobody can open
 * it any more, which is all a burn asks for, so that counts as done. Other failures throw.
 */
export async function burnSecret(request: BurnRequest): Promise<void> {
  try {
    await api.burn(request)
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 'gone')) throw e
  }
}
