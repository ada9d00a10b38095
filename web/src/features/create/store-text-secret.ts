import { storeSecret, type CreateSecretRequest, type RetryOptions } from '@burnlink/shared'
import { api } from '../../lib/api.ts'

/**
 * Sends a sealed text or link secret. A module of its own so that the API client, and zod that
 * checks its answers, load just after the create page shows instead of with it.
 */
export const storeTextSecret = (request: CreateSecretRequest, options: RetryOptions) =>
  storeSecret(api, request, options)
