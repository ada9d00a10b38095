/// <reference lib="webworker" />
/**
 * Builds the page's Intl formatters for one locale and throws them away: what is slow in a
 * first formatter is loading the locale's ICU data, which the browser keeps for the whole
 * process, so the page's own formatters then take well under a millisecond.
 */
import { formatBytes, formatDateTime, formatDuration } from '../format.ts'
import { pluralRule } from '../locales.ts'

declare const self: DedicatedWorkerGlobalScope

self.onmessage = (event: MessageEvent<string>) => {
  const locale = event.data
  pluralRule(locale)(2)
  // Two units, so the list formatter is built too.
  formatDuration(86400 + 3600, locale, (_, n) => String(n))
  formatDateTime(new Date().toISOString(), locale)
  formatBytes(1536, locale)
  self.postMessage(null)
}
