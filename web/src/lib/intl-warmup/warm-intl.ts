/**
 * Loads a locale's date, list, plural and number data in a worker (worker.ts). The first
 * formatter of a page otherwise spends 30-200 ms on this machine loading that data, four
 * times as long on a slow phone, in one task on the main thread that nothing can split.
 * Resolves once the data is loaded, or at once where no worker can be started, or after
 * 2 s whatever the worker does: the formatters then load it themselves, as before, and a
 * page that waits on this never waits on a worker that died silently.
 */
export function warmIntl(locale: string): Promise<void> {
  return new Promise((resolve) => {
    let worker: Worker
    try {
      worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'burnlink-intl' })
    } catch {
      return resolve()
    }
    const done = () => {
      clearTimeout(timer)
      worker.terminate()
      resolve()
    }
    const timer = setTimeout(done, 2000)
    worker.onmessage = done
    worker.onerror = done
    worker.postMessage(locale)
  })
}
