/**
 * The messages between the page (client.ts) and the crypto worker (worker.ts): structured
 * clones through postMessage, never anything that goes over the network.
 */
import type { PrepareSecretOptions, PreparedSecret, ProtocolErrorReason, UnlockedSecret } from '@burnlink/shared'

export type UnlockOptions = { k: Uint8Array; passphrase?: string; hdr: string }

export type CryptoRequest = { op: 'prepare'; options: PrepareSecretOptions } | { op: 'unlock'; options: UnlockOptions }

export type CryptoResponse =
  | { ok: true; value: PreparedSecret | UnlockedSecret }
  | { ok: false; message: string; reason: ProtocolErrorReason | undefined }
