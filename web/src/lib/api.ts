import { createClient } from '@burnlink/shared'

/** The one API client of the app; '' targets this page's own origin (CSP connect-src 'self'). */
export const api = createClient({ baseUrl: '' })
