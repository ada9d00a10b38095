import { createRecipient } from '@burnlink/shared'
import type { Recipient, RecipientOptions } from '@burnlink/shared'
import { api } from '../../lib/api.ts'
import { unlockInWorker } from '../../lib/crypto-worker/client.ts'

/**
 * The page's recipient flow, with the API client and its worker unlock. Loaded on its own
 * (a dynamic import) once the page has painted: the client, zod and the recipient's code are
 * most of the page's script, and its first render needs none of them.
 */
export function startRecipient(
  k: Uint8Array,
  options: Omit<RecipientOptions, 'api' | 'unlockKeys'>,
): Promise<Recipient> {
  return createRecipient(k, { api, unlockKeys: unlockInWorker, ...options })
}
