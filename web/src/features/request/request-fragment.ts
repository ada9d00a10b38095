/**
 * The respond and collect links carry keys in their fragments (protocol.md §12.3): the
 * request key `n`, or the private key `d`. As for secret links, each is read once at boot,
 * before vue-router records the URL in `history.state`, then scrubbed from the address bar
 * and the session history, so it survives only here until its view takes it.
 */
import { PAGE_PATHS } from '@burnlink/shared'

const captured = new Map<string, string>()
const PATHS: readonly string[] = [PAGE_PATHS.respond, PAGE_PATHS.collect]

export function captureRequestFragment(): void {
  if (!PATHS.includes(location.pathname) || location.hash.length <= 1) return
  captured.set(location.pathname, location.hash)
  history.replaceState(null, '', location.pathname)
}

/** Hands the fragment of `path` over exactly once; a second caller (or a reload) gets null. */
export function takeRequestFragment(path: string): string | null {
  const fragment = captured.get(path) ?? null
  captured.delete(path)
  return fragment
}
