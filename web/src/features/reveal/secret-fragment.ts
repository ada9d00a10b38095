/**
 * The secret link's key lives only in the URL fragment (protocol.md §6). It is read once at
 * boot, before vue-router records the URL in `history.state`, then scrubbed from the address
 * bar and the session history, so it survives only in this module until a view takes it.
 */
import { PAGE_PATHS } from '@burnlink/shared'

let captured: string | null = null

export function captureSecretFragment(): void {
  // A link pasted into the address bar of an open page changes only the fragment, so the
  // page does not load again: reload, and the new link goes through this same path.
  window.addEventListener('hashchange', () => {
    if (location.hash.length > 1) location.reload()
  })
  if (location.pathname !== PAGE_PATHS.secret || location.hash.length <= 1) return
  captured = location.hash
  history.replaceState(null, '', location.pathname)
}

/** Hands the fragment over exactly once; a second caller (or a reload) gets null. */
export function takeSecretFragment(): string | null {
  const fragment = captured
  captured = null
  return fragment
}
