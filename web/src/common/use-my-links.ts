import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import { importLinks, mergeLinks, parseStoredLinks, serializeLinks, type LinkEntry } from '../lib/link-entries.ts'

/**
 * The only place in the app that touches localStorage. It holds the creator's list of
 * secrets (see lib/link-entries.ts for what an entry may contain), under one versioned key.
 */
const STORAGE_KEY = 'burnlink.links.v1'

const entries = shallowRef<readonly LinkEntry[]>([])
const error = ref<string | null>(null)
let loaded = false

/** The message key saying why the list could not be kept. */
function describeStorageError(e: unknown): string {
  const quota = e instanceof DOMException && e.name === 'QuotaExceededError'
  return quota ? 'links.storageFull' : 'links.storageBlocked'
}

function read(): void {
  try {
    const raw = localStorage.getItem(STORAGE_KEY)
    entries.value = raw ? parseStoredLinks(raw) : []
  } catch (e) {
    error.value = describeStorageError(e)
  }
}

function write(next: readonly LinkEntry[]): boolean {
  try {
    if (next.length === 0) localStorage.removeItem(STORAGE_KEY)
    else localStorage.setItem(STORAGE_KEY, serializeLinks(next))
    entries.value = next
    error.value = null
    return true
  } catch (e) {
    error.value = describeStorageError(e)
    return false
  }
}

function ensureLoaded(): void {
  if (loaded) return
  loaded = true
  read()
  // Another tab of this app changed the list: follow it rather than overwrite it later.
  window.addEventListener('storage', (event) => {
    if (event.key === STORAGE_KEY || event.key === null) read()
  })
}

/** Keeps a merged list; returns how many entries were new (0 when storage refused). */
function keepMerged({ links, added }: { links: LinkEntry[]; added: number }): number {
  return added > 0 && write(links) ? added : 0
}

/** Adds entries not yet listed; returns how many were new (0 when storage refused). */
function add(incoming: readonly LinkEntry[]): number {
  return keepMerged(mergeLinks(entries.value, incoming))
}

/** Removes entries from this browser only; the secrets themselves are untouched. */
function forget(sids: Iterable<string>): void {
  const gone = new Set(sids)
  write(entries.value.filter((e) => !gone.has(e.sid)))
}

/** Validates a whole exported file, then merges it; throws ImportError with a sentence. */
function importText(text: string): { added: number; total: number } {
  const merged = importLinks(entries.value, text)
  return { added: keepMerged(merged), total: merged.total }
}

function exportText(): string {
  return serializeLinks(entries.value)
}

export function useMyLinks() {
  ensureLoaded()
  // Read-only by type, not by proxy: 500 entries need no deep readonly wrapping.
  return {
    entries: entries as Readonly<ShallowRef<readonly LinkEntry[]>>,
    error: error as Readonly<Ref<string | null>>,
    add,
    forget,
    importText,
    exportText,
  }
}
