import { readonly, shallowRef } from 'vue'
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from '@burnlink/shared'

const limits = shallowRef<ServerLimits>(DEFAULT_SERVER_LIMITS)
let loading: Promise<void> | undefined

/**
 * Resolves once the page has shown its first content. A request started before that counts, in
 * Lighthouse's simulation of a slow phone, as one the paint waited for (about 0.3 s on the
 * create page), even when it was not; the paint is on screen only some frames after the
 * render, so the browser's own first-contentful-paint entry is waited for. A hidden tab
 * paints nothing, and a browser without paint timing has nothing to wait for.
 */
const afterFirstPaint = (): Promise<void> =>
  new Promise<void>((resolve) => {
    const painted = () => performance.getEntriesByName('first-contentful-paint').length > 0
    if (
      document.visibilityState === 'hidden' ||
      !PerformanceObserver.supportedEntryTypes.includes('paint') ||
      painted()
    )
      return resolve()
    const observer = new PerformanceObserver(() => {
      if (!painted()) return
      observer.disconnect()
      resolve()
    })
    observer.observe({ type: 'paint' })
    // A tab hidden before its first paint records none: the limits must come all the same.
    setTimeout(resolve, 3000)
  })

async function load(): Promise<void> {
  try {
    // Loaded, with zod that checks the answer, just after the first paint rather than with it.
    await afterFirstPaint()
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
