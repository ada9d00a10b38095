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

export interface ListView {
  query: string
  filter: StateFilter
  sort: SortOrder
}

const SORTS: Readonly<Record<SortOrder, (a: LinkEntry, b: LinkEntry) => number>> = {
  'created-desc': (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt),
  'created-asc': (a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt),
  'expires-asc': (a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt),
  'expires-desc': (a, b) => Date.parse(b.expiresAt) - Date.parse(a.expiresAt),
}

/** Not asked yet (undefined), no record (null), or what the server said. */
export function stateOf(status: SecretStatus | null | undefined): LinkState {
  if (status === undefined) return 'checking'
  return status === null ? 'unknown' : status.state
}

export function toRows(
  entries: readonly LinkEntry[],
  statuses: ReadonlyMap<string, SecretStatus | null>,
): LinkRowData[] {
  return entries.map((entry) => {
    const status = statuses.get(entry.sid)
    return { entry, status, state: stateOf(status) }
  })
}

export function countStates(rows: readonly LinkRowData[]): Partial<Record<LinkState, number>> {
  const n: Partial<Record<LinkState, number>> = {}
  for (const row of rows) n[row.state] = (n[row.state] ?? 0) + 1
  return n
}

/** The rows to show: of the chosen state, whose label or sid holds the query, in the chosen order. */
export function visibleRows(rows: readonly LinkRowData[], { query, filter, sort }: ListView): LinkRowData[] {
  const q = query.trim().toLowerCase()
  const order = SORTS[sort]
  return rows
    .filter((r) => filter === 'all' || r.state === filter)
    .filter((r) => !q || r.entry.label.toLowerCase().includes(q) || r.entry.sid.toLowerCase().includes(q))
    .sort((a, b) => order(a.entry, b.entry))
}
