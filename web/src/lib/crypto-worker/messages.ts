/**
 * The messages between the page (client.ts) and the crypto worker (worker.ts): structured
 * clones through postMessage, never anything that goes over the network.
 */
import type {
  PrepareSecretOptions,
  PreparedSecret,
  ProtocolErrorReason,
  RevealKeys,
  UnlockInput,
} from '@burnlink/shared'

export type CryptoRequest = { op: 'prepare'; options: PrepareSecretOptions } | { op: 'unlock'; input: UnlockInput }

export type CryptoResponse =
  | { ok: true; value: PreparedSecret | RevealKeys }
  | { ok: false; message: string; reason: ProtocolErrorReason | undefined }
