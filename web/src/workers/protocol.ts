import type { PrepareSecretOptions, PreparedSecret, ProtocolErrorReason, UnlockedSecret } from '@burnlink/shared'

export type UnlockOptions = { k: Uint8Array; passphrase?: string; hdr: string }

export type CryptoRequest = { op: 'prepare'; options: PrepareSecretOptions } | { op: 'unlock'; options: UnlockOptions }

export type CryptoResponse =
  | { ok: true; value: PreparedSecret | UnlockedSecret }
  | { ok: false; message: string; reason: ProtocolErrorReason | undefined }
