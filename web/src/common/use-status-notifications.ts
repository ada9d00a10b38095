import { onBeforeUnmount, ref, watch } from 'vue'

/** How often an open page asks for news while notifications are on. */
export const NOTIFY_POLL_MS = 30_000

const supported = typeof Notification !== 'undefined'
/**
 * The reader's choice, for this page's life: shared by My links and the manage pages, never
 * stored, and nothing of it reaches the server, which only sees the status requests it
 * already answers.
 */
const enabled = ref(false)

/**
 * Opt-in browser notifications while a page that shows statuses is open: `poll` runs every
 * NOTIFY_POLL_MS while they are on, and the page calls `notify` with what changed.
 */
export function useStatusNotifications(poll: () => Promise<void>) {
  const permission = ref<NotificationPermission>(supported ? Notification.permission : 'denied')
  let timer: ReturnType<typeof setInterval> | undefined

  async function setEnabled(on: boolean): Promise<void> {
    if (on && permission.value !== 'granted') permission.value = await Notification.requestPermission()
    enabled.value = on && permission.value === 'granted'
  }

  function notify(title: string, body: string): void {
    if (!enabled.value) return
    try {
      const shown = new Notification(title, { body })
      shown.onclick = () => window.focus()
    } catch {
      // Some browsers (Chrome on Android) show notifications only through a service worker: no news then, no error.
    }
  }

  watch(
    enabled,
    (on) => {
      clearInterval(timer)
      timer = on ? setInterval(() => void poll(), NOTIFY_POLL_MS) : undefined
    },
    { immediate: true },
  )
  onBeforeUnmount(() => clearInterval(timer))

  return { supported, enabled, permission, setEnabled, notify }
}

export type StatusNotifications = ReturnType<typeof useStatusNotifications>
