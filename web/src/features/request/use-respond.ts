import { ref, shallowRef } from 'vue'
import { PAGE_PATHS, createResponder, parseRequestFragment, type Responder } from '@burnlink/shared'
import { api } from '../../lib/api.ts'
import { requestProblemFrom, type RequestProblem } from './request-problem.ts'
import { takeRequestFragment } from './request-fragment.ts'

/**
 * The responder's page: the request is fetched and its key checked against the link on
 * load (nothing is used up by that); the answer is encrypted here and sent on a click.
 */
export function useRespond() {
  const phase = ref<'loading' | 'ready' | 'sending' | 'sent' | 'stopped'>('loading')
  const note = ref<string | undefined>(undefined)
  const problem = ref<RequestProblem | null>(null)
  const responder = shallowRef<Responder | null>(null)

  function stop(e: unknown): void {
    problem.value = requestProblemFrom(e)
    phase.value = 'stopped'
  }

  async function load(): Promise<void> {
    const fragment = takeRequestFragment(PAGE_PATHS.respond)
    if (!fragment) return void ((problem.value = 'missing'), (phase.value = 'stopped'))
    try {
      const r = await createResponder(parseRequestFragment(fragment), api.requests)
      note.value = (await r.open()).note
      responder.value = r
      phase.value = 'ready'
    } catch (e) {
      stop(e)
    }
  }

  async function send(text: string): Promise<void> {
    if (!responder.value || text === '') return
    phase.value = 'sending'
    try {
      await responder.value.answer(text)
      phase.value = 'sent'
    } catch (e) {
      stop(e)
    }
  }

  void load()
  return { phase, note, problem, send }
}
