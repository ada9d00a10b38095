/**
 * File secrets through a worker of their own (file-worker.ts), one per transfer: the page
 * stays responsive however large the file, and cancelling is terminating the worker, which
 * stops its reads, its encryption and its requests at once.
 */
import { ApiError, ProtocolError } from '@burnlink/shared'
import type { ChunkContext, PrepareFileSecretOptions } from '@burnlink/shared'
import { api } from '../api.ts'
import type { CarriedError, FileEvent, FileJob } from './file-messages.ts'

/** Thrown by a transfer that was cancelled. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError'
}

function revived(e: CarriedError): Error {
  if (e.api) return new ApiError(e.api.status, e.api.code, e.message, e.api.state)
  if (e.reason) return new ProtocolError(e.reason, e.message)
  const error = new Error(e.message)
  error.name = e.name
  return error
}

export interface TransferEvents {
  /** Stored bytes moved. */
  progress(bytes: number): void
  retrying(): void
}

interface Job {
  worker: Worker
  /** Settles with the job's `done` event, or rejects with its failure. */
  finished: Promise<FileEvent & { type: 'done' }>
}

function start(job: FileJob, events: TransferEvents, onEvent: (event: FileEvent) => void): Job {
  const worker = new Worker(new URL('./file-worker.ts', import.meta.url), { type: 'module', name: 'burnlink-files' })
  const finished = new Promise<FileEvent & { type: 'done' }>((resolve, reject) => {
    worker.onmessage = (message: MessageEvent<FileEvent>) => {
      const event = message.data
      if (event.type === 'progress') events.progress(event.bytes)
      else if (event.type === 'retrying') events.retrying()
      else if (event.type === 'failed') reject(revived(event.error))
      else if (event.type === 'done') resolve(event)
      else onEvent(event)
    }
    worker.onerror = (event) => reject(new Error(event.message || 'the file worker failed to start'))
  })
  const end = () => worker.terminate()
  finished.then(end, end)
  worker.postMessage(job)
  return { worker, finished }
}

export interface UploadedFiles {
  link: string
  manageLink: string
  sid: string
  mt: string
  expiresAt: string
}

export interface Transfer<T> {
  result: Promise<T>
  /** Stops the transfer; `result` then rejects with CancelledError. */
  cancel(): Promise<void>
}

/**
 * Prepares, encrypts, uploads and commits a file secret in a worker. Cancelled, the upload
 * is aborted on the server; one whose commit got through meanwhile is burned with its manage
 * token, so a cancelled upload never leaves anything that can be revealed.
 */
export function uploadInWorker(
  options: PrepareFileSecretOptions,
  files: File[],
  events: TransferEvents & { prepared(total: number): void },
): Transfer<UploadedFiles> {
  let ref: { sid: string; ut: string; mt: string } | undefined
  let links: Omit<UploadedFiles, 'expiresAt'> | undefined
  let cancelled: (error: CancelledError) => void = () => undefined
  const stopped = new Promise<never>((_, reject) => (cancelled = reject))
  const job = start({ op: 'upload', options, files }, events, (event) => {
    if (event.type !== 'prepared') return
    const { link, manageLink, sid, mt, ut, total } = event
    ref = { sid, ut, mt }
    links = { link, manageLink, sid, mt }
    events.prepared(total)
  })
  const result = Promise.race([job.finished, stopped]).then(({ expiresAt }) => ({ ...links!, expiresAt: expiresAt! }))
  return {
    result,
    async cancel() {
      job.worker.terminate()
      cancelled(new CancelledError('the upload was cancelled'))
      if (!ref) return
      const { sid, ut, mt } = ref
      try {
        await api.abort({ sid, ut })
      } catch (e) {
        if (e instanceof ApiError && e.code === 'conflict') await api.burn({ sid, mt })
        // not_found: the upload never reached the server, or it is gone already.
        else if (!(e instanceof ApiError && e.code === 'not_found')) throw e
      }
    },
  }
}

/**
 * Reads and decrypts file `file` in a worker, handing each checked piece to `write` in
 * order; the next piece comes once `write` settles. `result` settles when the file is whole
 * and written: on a failure, what was written is not the file and must be discarded.
 */
export function downloadInWorker(
  files: { ctx: ChunkContext; claimed: { sid: string; acc: string; claim: string } },
  file: number,
  events: TransferEvents,
  write: (bytes: Uint8Array) => Promise<void>,
): Transfer<void> {
  let writing = Promise.resolve()
  let cancelled: (error: CancelledError) => void = () => undefined
  const stopped = new Promise<never>((_, reject) => (cancelled = reject))
  // A write that fails (a full disk) ends the download as much as a failed read does.
  let writeFailed: (error: unknown) => void = () => undefined
  const unwritten = new Promise<never>((_, reject) => (writeFailed = reject))
  const job = start({ op: 'download', ctx: files.ctx, claimed: files.claimed, file }, events, (event) => {
    if (event.type !== 'data') return
    writing = writing.then(() => write(event.bytes)).then(() => job.worker.postMessage({ op: 'more' }), writeFailed)
  })
  const result = Promise.race([job.finished.then(() => writing), unwritten, stopped])
  result.catch(() => job.worker.terminate())
  return {
    result,
    async cancel() {
      job.worker.terminate()
      cancelled(new CancelledError('the download was cancelled'))
    },
  }
}
