import { onBeforeUnmount, ref, shallowRef } from 'vue'
import { ApiError, decryptSecret, needsPassphrase, openSecretLink, parseSecretFragment } from '@burnlink/shared'
import type { MetaRequest, PayloadType } from '@burnlink/shared'
import { api, burnSecret } from '../../lib/api.ts'
import { unlockInWorker } from '../../lib/crypto-worker/client.ts'
import { problemFrom, type ProblemKind } from '../../lib/problems.ts'
import { useServerConfig } from '../../common/use-server-config.ts'
import { takeSecretFragment } from './secret-fragment.ts'

export type RevealStep = 'loading' | 'ready' | 'unlocking' | 'revealed' | 'failed'

export interface WaitingSecret {
  expiresAt: string
  viewsLeft: number
  needsPassphrase: boolean
  hdr: string
}

/**
 * The recipient's flow. `k` is taken from the fragment once and kept only in this closure;
 * nothing here writes to storage, and the plaintext is dropped when the view goes away.
 * Loading the page only asks `meta`: a link previewer that runs scripts consumes nothing.
 */
export function useRevealSecret() {
  const { limits, ready } = useServerConfig()
  const step = ref<RevealStep>('loading')
  const problem = ref<ProblemKind | null>(null)
  const waiting = shallowRef<WaitingSecret | null>(null)
  const attemptsLeft = ref<number | null>(null)
  const content = shallowRef<{ type: PayloadType; text: string } | null>(null)
  const viewsLeft = ref(0)
  const burnState = ref<'idle' | 'burning' | 'burned'>('idle')
  const burnProblem = ref<ProblemKind | null>(null)
  let k: Uint8Array | null = null
  let ids: MetaRequest | null = null

  function fail(kind: ProblemKind): void {
    problem.value = kind
    step.value = 'failed'
  }

  async function load(): Promise<void> {
    step.value = 'loading'
    problem.value = null
    try {
      ids ??= await openSecretLink(k!)
      const meta = await api.meta(ids)
      waiting.value = { ...meta, needsPassphrase: needsPassphrase(meta.hdr) }
      step.value = 'ready'
    } catch (e) {
      fail(problemFrom(e))
    }
  }

  async function reveal(passphrase?: string): Promise<void> {
    if (!k || !ids || !waiting.value) return
    step.value = 'unlocking'
    try {
      const unlocked = await unlockInWorker({ k, passphrase, hdr: waiting.value.hdr })
      const released = await api.reveal({ ...ids, rev: unlocked.rev })
      // Released means used up: the key has no further purpose here.
      k = null
      viewsLeft.value = released.viewsLeft
      await ready
      content.value = await decryptSecret(unlocked, released.ct, { allowHttp: limits.value.allowHttpRedirects })
      step.value = 'revealed'
    } catch (e) {
      if (e instanceof ApiError && e.code === 'wrong_passphrase' && e.attemptsLeft !== undefined) {
        // A 401 with nothing left means this very attempt burned it: say so, not just "burned".
        if (e.attemptsLeft === 0) return fail('burned_by_attempts')
        attemptsLeft.value = e.attemptsLeft
        step.value = 'ready'
        return
      }
      fail(problemFrom(e))
    }
  }

  /** A recipient of a multi-view secret ends it for everyone else (burn with `acc`). */
  async function burn(): Promise<void> {
    if (!ids) return
    burnState.value = 'burning'
    burnProblem.value = null
    try {
      // A 410 (someone used the last view, or it expired meanwhile) is over either way.
      await burnSecret(ids)
    } catch (e) {
      burnProblem.value = problemFrom(e)
      burnState.value = 'idle'
      return
    }
    burnState.value = 'burned'
    viewsLeft.value = 0
  }

  const fragment = takeSecretFragment()
  if (fragment === null) fail('missing')
  else {
    try {
      k = parseSecretFragment(fragment)
      void load()
    } catch (e) {
      fail(problemFrom(e))
    }
  }

  onBeforeUnmount(() => {
    k = null
    content.value = null
  })

  return { step, problem, waiting, attemptsLeft, content, viewsLeft, burnState, burnProblem, reveal, retry: load, burn }
}
