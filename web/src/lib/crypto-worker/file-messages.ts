/**
 * The messages between the page (file-client.ts) and the file worker (file-worker.ts). A
 * file job streams: progress and, on a download, the plaintext come back piece by piece.
 */
import type {
  ChunkContext,
  ErrorCode,
  PrepareFileSecretOptions,
  ProtocolErrorReason,
  SecretState,
} from '@burnlink/shared'

export type FileJob =
  | { op: 'upload'; options: PrepareFileSecretOptions; files: File[] }
  | { op: 'download'; ctx: ChunkContext; claimed: { sid: string; acc: string; claim: string }; file: number }

/** A job, or on a download the page's leave to send one more piece (it has written one). */
export type FileCommand = FileJob | { op: 'more' }

/** An error as it crossed the boundary; the client makes an ApiError or ProtocolError of it again. */
export interface CarriedError {
  message: string
  /** A DOMException's or Error's name, e.g. NotReadableError when a picked file changed. */
  name: string
  api?: { status: number; code: ErrorCode | 'network'; state?: SecretState }
  reason?: ProtocolErrorReason
}

export type FileEvent =
  /** The upload's link and tokens, before anything is uploaded: the page can abort it from here on. */
  | { type: 'prepared'; link: string; manageLink: string; sid: string; mt: string; ut: string; total: number }
  /** Stored bytes moved (a chunk up or down). */
  | { type: 'progress'; bytes: number }
  | { type: 'retrying' }
  | { type: 'data'; bytes: Uint8Array }
  | { type: 'done'; expiresAt?: string }
  | { type: 'failed'; error: CarriedError }
