import { describe, expect, it } from 'vitest'
import { encodeB64u, type SecretStatus } from '@burnlink/shared'
import type { LinkEntry } from '../../lib/link-entries.ts'
import { countStates, stateOf, toRows, visibleRows, type ListView } from './link-list.ts'

function entry(n: number, label: string, createdAt: string, expiresAt: string): LinkEntry {
  return {
    sid: encodeB64u(new Uint8Array(16).fill(n)),
    mt: encodeB64u(new Uint8Array(32).fill(n)),
    label,
    createdAt,
    expiresAt,
    maxViews: 1,
    kind: 'text',
  }
}

function status(state: SecretStatus['state']): SecretStatus {
  return {
    state,
    views: state === 'viewed' ? 1 : 0,
    maxViews: 1,
    failedAttempts: 0,
    createdAt: '2026-05-01T00:00:00Z',
    expiresAt: '2026-05-08T00:00:00Z',
    events: [],
  }
}

// Created in the order a, b, c, d; expiring in the order c, a, d, b.
const a = entry(1, 'Database password', '2026-05-01T10:00:00Z', '2026-05-03T00:00:00Z')
const b = entry(2, 'API key for Ann', '2026-05-02T10:00:00Z', '2026-05-09T00:00:00Z')
const c = entry(3, '', '2026-05-03T10:00:00Z', '2026-05-02T00:00:00Z')
const d = entry(4, 'wifi', '2026-05-04T10:00:00Z', '2026-05-05T00:00:00Z')
const statuses = new Map<string, SecretStatus | null>([
  [a.sid, status('active')],
  [b.sid, status('viewed')],
  [c.sid, null],
  // d not asked yet
])
const rows = toRows([a, b, c, d], statuses)
const view = (v: Partial<ListView>): ListView => ({ query: '', filter: 'all', sort: 'created-desc', ...v })
const labels = (v: Partial<ListView>) => visibleRows(rows, view(v)).map((r) => r.entry.label)

describe('rows of My links', () => {
  it('tell a state the server gave from no record and from not asked yet', () => {
    expect(stateOf(status('expired'))).toBe('expired')
    expect(stateOf(null)).toBe('unknown')
    expect(stateOf(undefined)).toBe('checking')
    expect(rows.map((r) => r.state)).toEqual(['active', 'viewed', 'unknown', 'checking'])
  })

  it('are counted per state', () => {
    const more = toRows([a, b, c, d], new Map([...statuses, [d.sid, status('active')]]))
    expect(countStates(more)).toEqual({ active: 2, viewed: 1, unknown: 1 })
  })
})

describe('visibleRows', () => {
  it('shows every row, newest first, by default', () => {
    expect(labels({})).toEqual(['wifi', '', 'API key for Ann', 'Database password'])
  })

  it.each([
    ['created-asc', ['Database password', 'API key for Ann', '', 'wifi']],
    ['expires-asc', ['', 'Database password', 'wifi', 'API key for Ann']],
    ['expires-desc', ['API key for Ann', 'wifi', 'Database password', '']],
  ] as const)('sorts by %s', (sort, expected) => {
    expect(labels({ sort })).toEqual(expected)
  })

  it('keeps only the chosen state', () => {
    expect(labels({ filter: 'viewed' })).toEqual(['API key for Ann'])
    expect(labels({ filter: 'unknown' })).toEqual([''])
    expect(labels({ filter: 'burned' })).toEqual([])
  })

  it('finds the query in labels whatever the case, ignoring spaces around it', () => {
    expect(labels({ query: '  PASS ' })).toEqual(['Database password'])
    expect(labels({ query: 'ann' })).toEqual(['API key for Ann'])
    expect(labels({ query: 'nobody' })).toEqual([])
  })

  it('finds the query in the sid too, so an unlabelled link can be found', () => {
    expect(labels({ query: c.sid.slice(0, 10) })).toEqual([''])
  })

  it('combines search and state, and leaves the rows it was given in their order', () => {
    const before = rows.map((r) => r.entry.sid)
    expect(labels({ query: 'o', filter: 'viewed' })).toEqual(['API key for Ann'])
    expect(rows.map((r) => r.entry.sid)).toEqual(before)
  })
})
