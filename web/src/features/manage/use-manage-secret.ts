import { ref, shallowRef } from 'vue'
import { useRoute } from 'vue-router'
import { parseManageFragment } from '@burnlink/shared'
import type { ManageRef, SecretStatus } from '@burnlink/shared'
import { api, burnSecret } from '../../lib/api.ts'
import { problemFrom, type ProblemKind } from '../../lib/problems.ts'

/**
 * The creator's view of one secret. Unlike the secret link, the manage link stays in the
 * address bar: it reveals nothing of the content, and keeping it lets the creator bookmark
 * or reload this page.
 */
export function useManageSecret() {
  const route = useRoute()
  const status = shallowRef<SecretStatus | null>(null)
  const problem = ref<ProblemKind | null>(null)
  const loading = ref(false)
  const burning = ref(false)
  let target: ManageRef | null = null

  async function refresh(): Promise<void> {
    if (!target) return
    loading.value = true
    problem.value = null
    try {
      status.value = await api.status(target)
    } catch (e) {
      problem.value = problemFrom(e)
    } finally {
      loading.value = false
    }
  }

  async function burn(): Promise<void> {
    if (!target) return
    burning.value = true
    problem.value = null
    try {
      await burnSecret(target)
      // Also after a 410: the fresh status says how it ended.
      await refresh()
    } catch (e) {
      problem.value = problemFrom(e)
    }
    burning.value = false
  }

  try {
    target = parseManageFragment(route.hash)
    void refresh()
  } catch {
    problem.value = 'malformed'
  }

  return { status, problem, loading, burning, refresh, burn }
}
