import { ref, shallowRef } from 'vue'
import { PAGE_PATHS, createCollector, parseCollectFragment } from '@burnlink/shared'
import type { Collector, RequestStatus } from '@burnlink/shared'
import { api } from '../../lib/api.ts'
import { requestProblemFrom, type RequestProblem } from './request-problem.ts'
import { takeRequestFragment } from './request-fragment.ts'

/**
 * The requester's page: the status on load (consumes nothing), the answer only on an
 * explicit Collect, which uses its one view; then the server forgets it.
 */
export function useCollect() {
  const status = shallowRef<RequestStatus | null>(null)
  const answer = ref<string | null>(null)
  const problem = ref<RequestProblem | null>(null)
  const busy = ref(false)
  let collector: Collector | null = null

  async function step(work: (c: Collector) => Promise<void>): Promise<void> {
    if (!collector) return
    busy.value = true
    problem.value = null
    try {
      await work(collector)
    } catch (e) {
      problem.value = requestProblemFrom(e)
    } finally {
      busy.value = false
    }
  }

  const refresh = () => step(async (c) => void (status.value = await c.status()))

  const collect = () =>
    step(async (c) => {
      try {
        const got = await c.collect()
        answer.value = got.text
      } finally {
        status.value = await c.status().catch(() => status.value)
      }
    })

  const burn = () =>
    step(async (c) => {
      await c.burn()
      status.value = await c.status()
    })

  async function load(): Promise<void> {
    const fragment = takeRequestFragment(PAGE_PATHS.collect)
    if (!fragment) return void (problem.value = 'missing')
    try {
      collector = await createCollector(parseCollectFragment(fragment), api.requests)
    } catch (e) {
      problem.value = requestProblemFrom(e)
      return
    }
    await refresh()
  }

  void load()
  return { status, answer, problem, busy, refresh, collect, burn }
}
