import { ref, shallowRef } from 'vue'
import { ApiError, PayloadType } from '@burnlink/shared'
import { api } from '../api.ts'
import { prepareInWorker } from '../workers/cryptoWorker.ts'

export interface SecretInput {
  text: string
  /** Empty means none. */
  passphrase: string
  ttl: number
  maxViews: number
}

/**
 * What the creator gets back. Deliberately without the key or content beyond the link
 * itself, so a later "My links" entry can be built from `sid`, `mt` and the times.
 */
export interface CreatedSecret {
  link: string
  manageLink: string
  sid: string
  mt: string
  expiresAt: string
  maxViews: number
  hasPassphrase: boolean
}

function describeCreateError(e: unknown): string {
  if (!(e instanceof ApiError)) return `The secret could not be encrypted: ${e instanceof Error ? e.message : String(e)}.`
  if (e.code === 'network' || e.code === 'unavailable') return 'The server is unavailable. Nothing was saved: try again in a moment.'
  if (e.code === 'rate_limited') return 'Too many secrets from here in a short time. Wait a minute, then try again.'
  if (e.code === 'payload_too_large') return 'The secret is too large for this server.'
  return `The server refused the secret: ${e.message}.`
}

export type CreatePhase = 'idle' | 'deriving' | 'encrypting' | 'sending'

export function useCreateSecret() {
  const phase = ref<CreatePhase>('idle')
  const error = ref<string | null>(null)
  const created = shallowRef<CreatedSecret | null>(null)

  async function create(input: SecretInput): Promise<void> {
    error.value = null
    phase.value = input.passphrase ? 'deriving' : 'encrypting'
    try {
      const prepared = await prepareInWorker({
        type: PayloadType.text,
        text: input.text,
        passphrase: input.passphrase,
        ttl: input.ttl,
        maxViews: input.maxViews,
        origin: location.origin,
      })
      phase.value = 'sending'
      const { expiresAt } = await api.create(prepared.request)
      created.value = {
        link: prepared.link,
        manageLink: prepared.manageLink,
        sid: prepared.sid,
        mt: prepared.mt,
        expiresAt,
        maxViews: input.maxViews,
        hasPassphrase: input.passphrase !== '',
      }
    } catch (e) {
      error.value = describeCreateError(e)
    } finally {
      phase.value = 'idle'
    }
  }

  function reset(): void {
    created.value = null
    error.value = null
  }

  return { phase, error, created, create, reset }
}
