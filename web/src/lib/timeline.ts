import { isBareOpen, type SecretStatus, type TimelineEvent } from '@burnlink/shared'

/**
 * A status' events (protocol.md §7) as the steps the creator reads: "opened 10:02, not
 * revealed; revealed 10:05; gone". An open that led straight to a reveal or a wrong
 * passphrase was the reader's own page on its way there and is not a step of its own.
 */
export interface TimelineStep {
  /** Message key; its message takes the step's time as {time}. */
  key: string
  at: string
  /** The event's place in `status.events`, so what is new since an earlier status can be told. */
  index: number
}

function keyOf(event: TimelineEvent, status: SecretStatus): string {
  switch (event.type) {
    case 'opened':
      return 'timeline.openedOnly'
    case 'wrong_passphrase':
      return 'timeline.wrong'
    case 'burned':
      return status.burnReason ? `timeline.burnedBy.${status.burnReason}` : 'timeline.burned'
    default:
      return `timeline.${event.type}`
  }
}

export function timelineSteps(status: SecretStatus): TimelineStep[] {
  return status.events.flatMap((event, index) =>
    event.type === 'opened' && !isBareOpen(status.events, index)
      ? []
      : [{ key: keyOf(event, status), at: event.at, index }],
  )
}

/**
 * The steps that happened between two statuses of one secret, for a notification: none on
 * the first look (nothing is news yet) or once the record is gone. Events only ever grow at
 * the end, so the earlier count says where the news starts.
 */
export function newSteps(
  before: SecretStatus | null | undefined,
  after: SecretStatus | null | undefined,
): TimelineStep[] {
  if (!before || !after) return []
  return timelineSteps(after).filter((step) => step.index >= before.events.length)
}
