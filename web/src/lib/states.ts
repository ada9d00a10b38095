import type { BurnReason, SecretState } from '@burnlink/shared'

/** What a row of My links can say: a server state, no record at all (a null status), or not asked yet. */
export type LinkState = SecretState | 'unknown' | 'checking'

/** The message key naming a state, with who or what burned it when known. */
export function stateKey(state: LinkState, burnReason?: BurnReason): string {
  return state === 'burned' && burnReason ? `state.burnedBy.${burnReason}` : `state.${state}`
}
