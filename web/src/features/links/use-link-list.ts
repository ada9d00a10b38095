import { computed, ref, shallowRef, watch, type Ref } from 'vue'
import type { SecretStatus } from '@burnlink/shared'
import type { LinkEntry } from '../../lib/link-entries.ts'
import { countStates, toRows, visibleRows, type SortOrder, type StateFilter } from './link-list.ts'

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

  const rows = computed(() => toRows(entries.value, statuses.value))
  const counts = computed(() => countStates(rows.value))
  const visible = computed(() =>
    visibleRows(rows.value, { query: query.value, filter: filter.value, sort: sort.value }),
  )

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
