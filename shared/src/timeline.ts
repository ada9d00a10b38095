import type { TimelineEvent } from './schemas.ts'

/**
 * Whether the event at `i` of a status' timeline (protocol.md §7) is an open that went no
 * further: a person who stopped at the page, or a mail scanner or link preview fetching it.
 * An open followed directly by a reveal or a wrong passphrase was the reader's own page on
 * its way there, and is told with that step instead.
 */
export function isBareOpen(events: readonly TimelineEvent[], i: number): boolean {
  const next = events[i + 1]?.type
  return events[i]?.type === 'opened' && next !== 'revealed' && next !== 'wrong_passphrase'
}
