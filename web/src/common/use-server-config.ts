import { readonly, shallowRef } from 'vue'
import { DEFAULT_SERVER_LIMITS, LIMITS_META_NAME, type ServerLimits } from '@burnlink/shared'
import { parseEmbeddedLimits } from '../lib/embedded-limits.ts'

// Written into the page by the server: no request, and no validators loaded, before the
// person does anything. Only a page the server did not write (Vite's dev server) asks.
const embedded = parseEmbeddedLimits(
  document.querySelector<HTMLMetaElement>(`meta[name="${LIMITS_META_NAME}"]`)?.content,
)
const limits = shallowRef<ServerLimits>(embedded ?? DEFAULT_SERVER_LIMITS)
let loading: Promise<void> | undefined

async function load(): Promise<void> {
  try {
    const { api } = await import('../lib/api.ts')
    limits.value = await api.limits()
  } catch {
    // The defaults stay; a server with tighter limits still refuses with a clear 400.
  }
}

/** The server's limits, known once per page load and shared by every component. */
export function useServerConfig() {
  loading ??= embedded ? Promise.resolve() : load()
  return { limits: readonly(limits), ready: loading }
}
