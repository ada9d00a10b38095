/**
 * The creator's timeline (protocol.md §7, §8) as both stores keep it. Only what the recipient
 * side did is stored (opened, revealed, wrong passphrase), at whole seconds since creation;
 * the end is derived from the state when the status is read, so an expiry that no script saw
 * is listed too, and a full timeline still says how it ended.
 */
import { TIMELINE_MAX_EVENTS, type SecretState } from '@burnlink/shared'
import type { TimelineRecord } from './store.ts'

export type StoredEvent = 'opened' | 'revealed' | 'wrong_passphrase'

/** Record codes in `:e`; scripts.ts writes the same numbers. */
export const EVENT_CODES: Readonly<Record<StoredEvent, number>> = { opened: 1, revealed: 2, wrong_passphrase: 3 }
/** type (1) ‖ seconds since creation (4, big-endian). */
export const EVENT_BYTES = 5
export const TIMELINE_MAX_BYTES = TIMELINE_MAX_EVENTS * EVENT_BYTES

const TYPES = new Map(Object.entries(EVENT_CODES).map(([type, code]) => [code, type as StoredEvent]))

/** An event at `now` as it is kept: rounded down to whole seconds since creation. */
export function eventTime(createdAt: number, now: number): number {
  return createdAt + Math.floor((now - createdAt) / 1000) * 1000
}

/**
 * Whether an event of `type` at `at` (already rounded) joins the timeline after `last`: not
 * once it is full, and not as an open right after an open in the same clock minute, so a
 * scanner's or a preview's burst of fetches is one event.
 */
export function recordable(count: number, last: TimelineRecord | undefined, type: StoredEvent, at: number): boolean {
  if (count >= TIMELINE_MAX_EVENTS) return false
  return !(type === 'opened' && last?.type === 'opened' && minute(last.at) === minute(at))
}

function minute(ms: number): number {
  return Math.floor(ms / 60_000)
}

/** The records of `:e`; an unknown code would be a bug in the scripts, so it throws. */
export function decodeEvents(raw: Uint8Array, createdAt: number): TimelineRecord[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
  const events: TimelineRecord[] = []
  for (let i = 0; i + EVENT_BYTES <= raw.length; i += EVENT_BYTES) {
    const type = TYPES.get(view.getUint8(i))
    if (!type) throw new TypeError(`unknown timeline record ${view.getUint8(i)}`)
    events.push({ type, at: createdAt + view.getUint32(i + 1) * 1000 })
  }
  return events
}

/** The stored events and, once the secret has ended, how: its state, at its end time. */
export function withEnd(stored: readonly TimelineRecord[], state: SecretState, endedAt?: number): TimelineRecord[] {
  const events = stored.map((e) => ({ ...e }))
  if (state !== 'active' && endedAt !== undefined) events.push({ type: state, at: endedAt })
  return events
}
