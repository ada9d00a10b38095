import { useI18n } from 'petite-vue-i18n'
import type { ProblemKind } from '../lib/problems.ts'
import { formatBytes, formatDateTime, formatDuration, formatNumber, formatTime } from '../lib/format.ts'

/** The translator and the formatters of the active locale, for templates. */
export function useFormat() {
  const { t, locale } = useI18n()
  const duration = (seconds: number) =>
    formatDuration(seconds, locale.value, (key, n) => t(key, n)) ?? t('time.underMinute')
  const dateTime = (iso: string) => formatDateTime(iso, locale.value)
  return {
    t,
    duration,
    dateTime,
    time: (ms: number) => formatTime(ms, locale.value),
    number: (n: number) => formatNumber(n, locale.value),
    bytes: (n: number) => formatBytes(n, locale.value),
    /** "in 59 minutes (12 May 2026, 14:03)" */
    expiry: (iso: string, now = Date.now()) =>
      t('time.in', { duration: duration((Date.parse(iso) - now) / 1000), date: dateTime(iso) }),
    /** A problem as one line, for a notice inside a card rather than a card of its own. */
    problemLine: (kind: ProblemKind) =>
      t('problem.line', { title: t(`problem.${kind}.title`), text: t(`problem.${kind}.text`) }),
    /** "once", "twice", "3 times" */
    views: (n: number) => (n === 1 ? t('views.once') : n === 2 ? t('views.twice') : t('views.times', n)),
  }
}
