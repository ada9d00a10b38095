import type { BurnReason, SecretState } from '@burnlink/shared'

/** What a row of My links can say: a server state, no record at all, or not asked yet. */
export type LinkState = SecretState | 'unknown' | 'checking'

export const STATE_NAMES: Readonly<Record<LinkState, string>> = {
  active: 'Active',
  viewed: 'Viewed',
  expired: 'Expired',
  burned: 'Burned',
  // A null status: the record outlived its retention, or the token does not match.
  unknown: 'Unknown — record deleted',
  checking: 'Checking…',
}

const REASONS: Readonly<Record<BurnReason, string>> = {
  creator: 'by you (the creator)',
  recipient: 'by a recipient',
  attempts: 'after too many wrong passphrases',
}

export function describeState(state: LinkState, burnReason?: BurnReason): string {
  return state === 'burned' && burnReason ? `${STATE_NAMES.burned} ${REASONS[burnReason]}` : STATE_NAMES[state]
}
