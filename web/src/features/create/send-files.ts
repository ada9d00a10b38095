/**
 * The file half of creating a secret, loaded only once someone sends files: the create
 * page's first load stays as small as it was.
 */
import { ApiError, ProtocolError } from '@burnlink/shared'
import type { ServerLimits } from '@burnlink/shared'
import { uploadInWorker } from '../../lib/crypto-worker/file-client.ts'
import type { Transfer, TransferEvents, UploadedFiles } from '../../lib/crypto-worker/file-client.ts'
import { createProblem, type CreateProblem } from './create-problem.ts'
import { manifestType } from './file-rules.ts'
import type { SecretInput } from './use-create-secret.ts'

export function sendFiles(
  input: SecretInput,
  events: TransferEvents & { prepared(total: number): void },
): Transfer<UploadedFiles> {
  const files = input.files
  return uploadInWorker(
    {
      files: files.map((f) => ({ name: f.name, type: manifestType(f.type), size: f.size })),
      passphrase: input.passphrase,
      ttl: input.ttl,
      maxViews: input.maxViews,
      origin: location.origin,
    },
    files,
    events,
  )
}

/**
 * The server's 503 has one code for an unreachable and a full storage; only its words tell
 * them apart, and a full one needs other advice (later, not in a moment).
 */
const STORAGE_FULL = /out of storage space|storage is full/i

/** Why sending files failed, in the words of the files' own messages where they differ from text's. */
export function fileCreateProblem(error: unknown, limits: ServerLimits): CreateProblem {
  if (error instanceof ApiError) {
    if (error.code === 'payload_too_large') {
      return {
        key: 'create.files.error.tooLarge',
        params: { max: String(Math.floor(limits.maxFileBytes / 1_048_576)) },
      }
    }
    if (error.code === 'unavailable' && STORAGE_FULL.test(error.message)) {
      return { key: 'create.files.error.storageFull', params: {} }
    }
    return createProblem(error)
  }
  // A picked file that was changed, moved or deleted before it was read to its end.
  if ((error instanceof ProtocolError && error.reason === 'payload') || (error as Error)?.name === 'NotReadableError') {
    return { key: 'create.files.error.unreadable', params: {} }
  }
  return createProblem(error)
}
