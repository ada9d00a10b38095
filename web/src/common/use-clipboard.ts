import { onBeforeUnmount, ref } from 'vue'

export type CopyState = 'idle' | 'copied' | 'failed'

/** Copy with feedback that fades, so a second click visibly works again. */
export function useClipboard(feedbackMs = 2000) {
  const state = ref<CopyState>('idle')
  let timer: ReturnType<typeof setTimeout> | undefined

  async function copy(text: string): Promise<void> {
    clearTimeout(timer)
    try {
      await navigator.clipboard.writeText(text)
      state.value = 'copied'
    } catch {
      // No permission or no secure context: the caller shows the text selected instead.
      state.value = 'failed'
    }
    timer = setTimeout(() => (state.value = 'idle'), feedbackMs)
  }

  onBeforeUnmount(() => clearTimeout(timer))
  return { state, copy }
}
