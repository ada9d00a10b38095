import { usageError } from './exit.ts'

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 }

/** `--ttl` values: plain seconds, or a whole number with one unit (`30m`, `1h`, `7d`). */
export function parseDuration(value: string): number {
  const match = /^(\d{1,9})([smhd]?)$/.exec(value.trim())
  if (!match) {
    throw usageError(`--ttl must be a whole number of seconds or one with a unit, like 30m, 1h or 7d (got "${value}")`)
  }
  return Number(match[1]) * UNIT_SECONDS[match[2] || 's']!
}

/** For messages: the largest whole unit, e.g. 604800 -> "7d". */
export function formatDuration(seconds: number): string {
  const unit = Object.entries(UNIT_SECONDS)
    .reverse()
    .find(([, s]) => seconds % s === 0)
  return unit ? `${seconds / unit[1]}${unit[0]}` : `${seconds}s`
}
