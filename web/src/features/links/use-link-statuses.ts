import { ref, shallowRef, type Ref } from 'vue'
import { STATUS_BATCH_MAX, type ManageRef, type SecretStatus } from '@burnlink/shared'
import { api, burnSecret } from '../../lib/api.ts'
import type { LinkEntry } from '../../lib/link-entries.ts'
import { problemFrom, type ProblemKind } from '../../lib/problems.ts'

/** Burns go one request per secret (the API has no bulk burn); a few at a time is enough. */
const BURN_CONCURRENCY = 4

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

async function eachLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await run(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

const refOf = ({ sid, mt }: LinkEntry): ManageRef => ({ sid, mt })

/**
 * Live status for My links: one batch request per 100 entries, never one per row. A null
 * status (no record, or a token that does not match) is kept as null: the page says
 * "unknown", since the server never tells which.
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
      const answers = await Promise.all(groups.map((group) => api.statusBatch(group.map(refOf))))
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
    await eachLimited(targets, BURN_CONCURRENCY, async (entry) => {
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
