import { computed, ref, shallowRef, watch, type Ref } from 'vue'
import type { SecretStatus } from '@burnlink/shared'
import type { LinkEntry } from '../../lib/link-entries.ts'
import type { LinkState } from '../../lib/states.ts'

export type StateFilter = 'all' | Exclude<LinkState, 'checking'>
export type SortOrder = 'created-desc' | 'created-asc' | 'expires-asc' | 'expires-desc'

export interface LinkRowData {
  entry: LinkEntry
  status: SecretStatus | null | undefined
  state: LinkState
}

const SORTS: Readonly<Record<SortOrder, (a: LinkEntry, b: LinkEntry) => number>> = {
  'created-desc': (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt),
  'created-asc': (a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt),
  'expires-asc': (a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt),
  'expires-desc': (a, b) => Date.parse(b.expiresAt) - Date.parse(a.expiresAt),
}

function stateOf(status: SecretStatus | null | undefined): LinkState {
  if (status === undefined) return 'checking'
  return status === null ? 'unknown' : status.state
}

/**
 * Filtering, search, sorting and selection of My links, all in memory. Selection only ever
 * holds rows that are shown, so a bulk action can never reach a row the person cannot see.
 */
export function useLinkList(
  entries: Readonly<Ref<readonly LinkEntry[]>>,
  statuses: Readonly<Ref<ReadonlyMap<string, SecretStatus | null>>>,
) {
  const query = ref('')
  const filter = ref<StateFilter>('all')
  const sort = ref<SortOrder>('created-desc')
  const selected = shallowRef<ReadonlySet<string>>(new Set())

  const rows = computed<LinkRowData[]>(() =>
    entries.value.map((entry) => {
      const status = statuses.value.get(entry.sid)
      return { entry, status, state: stateOf(status) }
    }),
  )

  const counts = computed(() => {
    const n: Partial<Record<LinkState, number>> = {}
    for (const row of rows.value) n[row.state] = (n[row.state] ?? 0) + 1
    return n
  })

  const visible = computed(() => {
    const q = query.value.trim().toLowerCase()
    const order = SORTS[sort.value]
    return rows.value
      .filter((r) => filter.value === 'all' || r.state === filter.value)
      .filter((r) => !q || r.entry.label.toLowerCase().includes(q) || r.entry.sid.toLowerCase().includes(q))
      .sort((a, b) => order(a.entry, b.entry))
  })

  const selectedRows = computed(() => visible.value.filter((r) => selected.value.has(r.entry.sid)))
  const allSelected = computed(() => visible.value.length > 0 && selectedRows.value.length === visible.value.length)

  watch(selectedRows, (shown) => {
    if (shown.length !== selected.value.size) selected.value = new Set(shown.map((r) => r.entry.sid))
  })

  function toggle(sid: string): void {
    const next = new Set(selected.value)
    if (!next.delete(sid)) next.add(sid)
    selected.value = next
  }

  function toggleAll(): void {
    selected.value = allSelected.value ? new Set() : new Set(visible.value.map((r) => r.entry.sid))
  }

  function clearSelection(): void {
    selected.value = new Set()
  }

  return {
    query,
    filter,
    sort,
    rows,
    counts,
    visible,
    selected,
    selectedRows,
    allSelected,
    toggle,
    toggleAll,
    clearSelection,
  }
}
