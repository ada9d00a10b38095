/** Times, durations and sizes in the words of a locale, all through Intl. */

const UNITS = [
  { seconds: 86400, unit: 'day' },
  { seconds: 3600, unit: 'hour' },
  { seconds: 60, unit: 'minute' },
] as const

// Building an Intl formatter costs far more than using one, and My links formats hundreds of dates.
const cache = new Map<string, { format(value: never): string }>()
function cached<F extends { format(value: never): string }>(key: string, make: () => F): F {
  let formatter = cache.get(key)
  if (!formatter) cache.set(key, (formatter = make()))
  return formatter as F
}

/**
 * "1 day 3 hours", "5 minutes": the two largest non-zero units, rounded down. Null below a
 * minute, which the caller words itself ("less than a minute").
 */
export function formatDuration(totalSeconds: number, locale: string): string | null {
  const parts: string[] = []
  let rest = Math.max(0, Math.floor(totalSeconds))
  for (const { seconds, unit } of UNITS) {
    const n = Math.floor(rest / seconds)
    rest -= n * seconds
    if (n > 0 && parts.length < 2) {
      const number = cached(
        `${locale} ${unit}`,
        () => new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }),
      )
      parts.push(number.format(n))
    }
  }
  if (parts.length === 0) return null
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
