/** Times, durations and sizes in the words of a locale, all through Intl. */

const UNITS = [
  { seconds: 86400, key: 'time.days' },
  { seconds: 3600, key: 'time.hours' },
  { seconds: 60, key: 'time.minutes' },
] as const

/** A message with a count, in the locale's plural forms: `t(key, n)` of the i18n. */
export type CountWords = (key: (typeof UNITS)[number]['key'], n: number) => string

// Building an Intl formatter costs far more than using one, and My links formats hundreds of dates.
const cache = new Map<string, { format(value: never): string }>()
function cached<F extends { format(value: never): string }>(key: string, make: () => F): F {
  let formatter = cache.get(key)
  if (!formatter) cache.set(key, (formatter = make()))
  return formatter as F
}

/**
 * "1 day 3 hours", "5 minutes": the two largest non-zero units, rounded down. Null below a
 * minute, which the caller words itself ("less than a minute"). The units are plural messages
 * rather than Intl.NumberFormat's units: the first unit formatter of a page loads the units
 * data, 50-250 ms of a render on this machine and four times that on a slow phone, and the
 * create form's expiry choices are in its first render.
 */
export function formatDuration(totalSeconds: number, locale: string, count: CountWords): string | null {
  const parts: string[] = []
  let rest = Math.max(0, Math.floor(totalSeconds))
  for (const { seconds, key } of UNITS) {
    const n = Math.floor(rest / seconds)
    rest -= n * seconds
    if (n > 0 && parts.length < 2) parts.push(count(key, n))
  }
  if (parts.length < 2) return parts[0] ?? null
  return cached(`${locale} list`, () => new Intl.ListFormat(locale, { type: 'unit', style: 'narrow' })).format(parts)
}

export function formatDateTime(iso: string, locale: string): string {
  const dateTime = cached(
    `${locale} datetime`,
    () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }),
  )
  return dateTime.format(new Date(iso))
}

export function formatTime(ms: number, locale: string): string {
  const time = cached(`${locale} time`, () => new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }))
  return time.format(new Date(ms))
}

export function formatNumber(n: number, locale: string): string {
  return cached(`${locale} number`, () => new Intl.NumberFormat(locale)).format(n)
}

const BINARY_UNITS = [
  [1024 ** 3, 'GiB'],
  [1024 ** 2, 'MiB'],
  [1024, 'KiB'],
] as const

/** "512 B", "1.5 KiB", "20.0 MiB": one decimal, rounded down, so a limit is never overstated. */
export function formatBytes(n: number, locale: string): string {
  const [unit, name] = BINARY_UNITS.find(([size]) => n >= size) ?? [1, 'B']
  if (unit === 1) return `${formatNumber(n, locale)} B`
  const oneDecimal = cached(
    `${locale} kib`,
    () => new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
  )
  return `${oneDecimal.format(Math.floor((n / unit) * 10) / 10)} ${name}`
}
