import { readonly, shallowRef } from 'vue'
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from '@burnlink/shared'

const limits = shallowRef<ServerLimits>(DEFAULT_SERVER_LIMITS)
let loading: Promise<void> | undefined

async function load(): Promise<void> {
  try {
    // Loaded, with zod that checks the answer, just after the first paint rather than with it.
    const { api } = await import('../lib/api.ts')
    limits.value = await api.limits()
  } catch {
    // The defaults stay; a server with tighter limits still refuses with a clear 400.
  }
}

/** The server's limits, fetched once per page load and shared by every component. */
export function useServerConfig() {
  loading ??= load()
  return { limits: readonly(limits), ready: loading }
}
