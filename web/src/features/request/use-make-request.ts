import { ref, shallowRef } from 'vue'
import { prepareRequest, storeRequest, type PreparedRequest } from '@burnlink/shared'
import { api } from '../../lib/api.ts'
import { problemFrom, type ProblemKind } from '../../lib/problems.ts'

/** Makes a request: the key pair and note key are made here, and only the public half leaves. */
export function useMakeRequest() {
  const made = shallowRef<PreparedRequest | null>(null)
  const problem = ref<ProblemKind | null>(null)
  const busy = ref(false)

  async function make(o: { ttl: number; note: string }): Promise<void> {
    busy.value = true
    problem.value = null
    try {
      const prepared = await prepareRequest({ origin: location.origin, ttl: o.ttl, note: o.note })
      await storeRequest(api.requests, prepared.request)
      made.value = prepared
    } catch (e) {
      problem.value = problemFrom(e)
    } finally {
      busy.value = false
    }
  }

  return { made, problem, busy, make, reset: () => (made.value = null) }
}
