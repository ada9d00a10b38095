/** Words for times and counts, as a person would say them. */

const UNITS = [
  { seconds: 86400, name: 'day' },
  { seconds: 3600, name: 'hour' },
  { seconds: 60, name: 'minute' },
] as const

/** "1 link", "3 links": for English words that take an s. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** "1 day 3 hours", "5 minutes": the two largest non-zero units, rounded down. */
export function formatDuration(totalSeconds: number): string {
  const parts: string[] = []
  let rest = Math.max(0, Math.floor(totalSeconds))
  for (const unit of UNITS) {
    const n = Math.floor(rest / unit.seconds)
    rest -= n * unit.seconds
    if (n > 0 && parts.length < 2) parts.push(plural(n, unit.name))
  }
  return parts.length > 0 ? parts.join(' ') : 'less than a minute'
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso))
}

/** "in 59 minutes (12 May 2026, 14:03)" */
export function formatExpiry(iso: string, now = Date.now()): string {
  const seconds = (new Date(iso).getTime() - now) / 1000
  return `in ${formatDuration(seconds)} (${formatDateTime(iso)})`
}

export function formatViews(n: number): string {
  if (n === 1) return 'once'
  if (n === 2) return 'twice'
  return `${n} times`
}

export function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`
}
