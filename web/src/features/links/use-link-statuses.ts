import { ref, shallowRef, type Ref } from 'vue'
import { STATUS_BATCH_MAX, type ManageRef, type SecretStatus } from '@burnlink/shared'
import { api, burnSecret } from '../../lib/api.ts'
import type { LinkEntry } from '../../lib/link-entries.ts'
import { problemFrom, type ProblemKind } from '../../lib/problems.ts'
import { mapLimited } from './map-limited.ts'

/** Burns go one request per secret (the API has no bulk burn); a few at a time is enough. */
const BURN_CONCURRENCY = 4
/**
 * Status batches in flight at once. A full list is 20 batches of 100: two at a time still
 * ends in seconds, and an imported list never makes the page fire them all together.
 */
const STATUS_CONCURRENCY = 2

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

const refOf = ({ sid, mt }: LinkEntry): ManageRef => ({ sid, mt })

/**
 * Live status for My links: one batch request per 100 entries, never one per row, and a
 * couple of batches at a time. A null status (no record, or a token that does not match) is
 * kept as null: the page says "unknown", since the server never tells which.
 */
export function useLinkStatuses(entries: Readonly<Ref<readonly LinkEntry[]>>) {
  const statuses = shallowRef<ReadonlyMap<string, SecretStatus | null>>(new Map())
  const loading = ref(false)
  const problem = ref<ProblemKind | null>(null)
  const burning = ref(false)
  const burnFailures = ref(0)

  async function refresh(list: readonly LinkEntry[] = entries.value): Promise<void> {
    if (list.length === 0) return
    loading.value = true
    problem.value = null
    try {
      const groups = chunks(list, STATUS_BATCH_MAX)
      const answers = await mapLimited(groups, STATUS_CONCURRENCY, (group) => api.statusBatch(group.map(refOf)))
      const next = new Map(statuses.value)
      groups.forEach((group, g) => group.forEach((entry, i) => next.set(entry.sid, answers[g]?.[i] ?? null)))
      statuses.value = next
    } catch (e) {
      problem.value = problemFrom(e)
    } finally {
      loading.value = false
    }
  }

  /** Only the entries not asked about yet: after loading, importing or creating elsewhere. */
  function refreshMissing(): Promise<void> {
    return refresh(entries.value.filter((e) => !statuses.value.has(e.sid)))
  }

  async function burn(targets: readonly LinkEntry[]): Promise<void> {
    burning.value = true
    burnFailures.value = 0
    problem.value = null
    await mapLimited(targets, BURN_CONCURRENCY, async (entry) => {
      try {
        await burnSecret(refOf(entry))
      } catch (e) {
        burnFailures.value++
        problem.value = problemFrom(e)
      }
    })
    // Also for those that had ended meanwhile: the refresh shows how.
    await refresh(targets)
    burning.value = false
  }

  return { statuses, loading, problem, burning, burnFailures, refresh, refreshMissing, burn }
}
