import { onBeforeUnmount, ref, shallowRef } from 'vue'
import { parseSecretFragment } from '@burnlink/shared'
import type { PayloadType, Recipient, RetryOptions, RevealedFiles, WaitingSecret } from '@burnlink/shared'
import { problemFrom, type ProblemKind } from '../../lib/problems.ts'
import { useServerConfig } from '../../common/use-server-config.ts'
import { revealFailure } from './reveal-failure.ts'
import { takeSecretFragment } from './secret-fragment.ts'

export type { WaitingSecret } from '@burnlink/shared'

export type RevealStep = 'loading' | 'ready' | 'unlocking' | 'in-doubt' | 'revealed' | 'failed'

/**
 * Meta uses nothing up, so loading the page retries it only briefly and then offers Try
 * again; a reveal keeps trying for the shared default (about 30 s), since giving up leaves
 * the person not knowing whether the secret is used up.
 */
const META_RETRY_BUDGET_MS = 3000

/**
 * The recipient's page around the shared recipient flow (createRecipient), with its unlock
 * step in a Web Worker. `k` is taken from the fragment once and lives only in the flow;
 * nothing here writes to storage, and the plaintext is dropped when the view goes away.
 * Loading the page only asks `meta`: a link previewer that runs scripts consumes nothing.
 * The flow's claim lives as long as this page, so a reveal that got no answer can be
 * fetched again from here, and from nowhere else.
 */
export function useRevealSecret() {
  const { limits, ready } = useServerConfig()
  const step = ref<RevealStep>('loading')
  const problem = ref<ProblemKind | null>(null)
  const waiting = shallowRef<WaitingSecret | null>(null)
  const attemptsLeft = ref<number | null>(null)
  /** The server is not answering and the flow is trying again. */
  const retrying = ref(false)
  /** A reveal request is on its way (the first, or one from the in-doubt notice). */
  const releasing = ref(false)
  /** Until when (this device's clock) a reveal that got no answer can still be fetched from this page. */
  const retryUntil = ref(0)
  const content = shallowRef<{ type: PayloadType; text: string } | null>(null)
  /** A file secret's files, readable until the download window closes. */
  const files = shallowRef<RevealedFiles | null>(null)
  const viewsLeft = ref(0)
  const burnState = ref<'idle' | 'burning' | 'burned'>('idle')
  const burnProblem = ref<ProblemKind | null>(null)
  let k: Uint8Array | null = null
  let recipient: Recipient | null = null
  let doubtSince: number | undefined
  let hadDoubt = false

  const retry: RetryOptions = { onRetry: () => (retrying.value = true) }

  function fail(kind: ProblemKind): void {
    problem.value = kind
    step.value = 'failed'
  }

  async function load(): Promise<void> {
    step.value = 'loading'
    problem.value = null
    retrying.value = false
    try {
      if (!recipient) {
        // The flow is made with the server's retry window for a claimed view (claimRetrySeconds),
        // which comes after the first paint, and so does the flow's code.
        await ready
        const { startRecipient } = await import('./recipient-flow.ts')
        recipient = await startRecipient(k!, {
          claimRetrySeconds: limits.value.claimRetrySeconds,
          retry,
          metaRetry: { ...retry, budgetMs: META_RETRY_BUDGET_MS },
        })
        // The flow holds the key from here on.
        k = null
      }
      waiting.value = await recipient.meta()
      step.value = 'ready'
    } catch (e) {
      fail(problemFrom(e))
    } finally {
      retrying.value = false
    }
  }

  /** Uses one view: the passphrase's keys first (in the worker), then the claimed reveal. */
  async function reveal(passphrase?: string): Promise<void> {
    if (!recipient || !waiting.value) return
    step.value = 'unlocking'
    try {
      await recipient.unlock(passphrase)
    } catch (e) {
      return fail(problemFrom(e))
    }
    await release()
  }

  /** The reveal request, and after one that got no answer, the same again with the same claim. */
  async function release(): Promise<void> {
    if (!recipient || releasing.value) return
    const since = (doubtSince ??= Date.now())
    releasing.value = true
    retrying.value = false
    try {
      const revealed = await recipient.reveal({ allowHttp: limits.value.allowHttpRedirects })
      viewsLeft.value = revealed.viewsLeft
      files.value = revealed.files ?? null
      content.value = { type: revealed.type, text: revealed.text }
      step.value = 'revealed'
      doubtSince = undefined
    } catch (e) {
      const failure = revealFailure(e, {
        doubtSince: since,
        claimRetrySeconds: limits.value.claimRetrySeconds,
        hadDoubt,
      })
      if (failure.kind === 'in_doubt') {
        hadDoubt = true
        retryUntil.value = failure.retryUntil
        step.value = 'in-doubt'
        return
      }
      // A definite answer: whatever an earlier try released, this claim would have been given it.
      doubtSince = undefined
      if (failure.kind === 'wrong_passphrase') {
        attemptsLeft.value = failure.attemptsLeft
        step.value = 'ready'
        return
      }
      fail(failure.problem)
    } finally {
      releasing.value = false
      retrying.value = false
    }
  }

  /** A recipient of a multi-view secret ends it for everyone else (burn with `acc`). */
  async function burn(): Promise<void> {
    if (!recipient) return
    burnState.value = 'burning'
    burnProblem.value = null
    try {
      await recipient.burn()
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
    recipient = null
    content.value = null
    files.value = null
  })

  return {
    step,
    problem,
    waiting,
    attemptsLeft,
    retrying,
    releasing,
    retryUntil,
    content,
    files,
    viewsLeft,
    burnState,
    burnProblem,
    reveal,
    retryReveal: release,
    retry: load,
    burn,
  }
}
