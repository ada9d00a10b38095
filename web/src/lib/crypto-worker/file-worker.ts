/// <reference lib="webworker" />
/**
 * Encrypts and uploads, or downloads and decrypts, one file secret's files off the main
 * thread, through the shared flows (file-send.ts, file-receive.ts). A picked File is read as
 * a stream: a few chunks are in memory at a time, whatever its size. On a download each
 * plaintext piece waits for the page's leave before the next is sent, so a slow disk holds
 * back the network rather than filling memory.
 */
import { ApiError, ProtocolError, downloadFile, prepareFileSecret, uploadFileSecret } from '@burnlink/shared'
import { api } from '../api.ts'
import { errorMessage } from '../error-message.ts'
import type { CarriedError, FileCommand, FileEvent, FileJob } from './file-messages.ts'

declare const self: DedicatedWorkerGlobalScope

/** Pieces the page may hold unwritten: one being written, one ready. */
const AHEAD = 2
let leave = AHEAD
let wake: (() => void) | undefined

function post(event: FileEvent, transfer: Transferable[] = []): void {
  self.postMessage(event, transfer)
}

function carried(error: unknown): CarriedError {
  const out: CarriedError = {
    message: errorMessage(error),
    name: error instanceof Error || error instanceof DOMException ? error.name : 'Error',
  }
  if (error instanceof ApiError) out.api = { status: error.status, code: error.code, state: error.state }
  if (error instanceof ProtocolError) out.reason = error.reason
  return out
}

async function run(job: FileJob): Promise<void> {
  const retry = { onRetry: () => post({ type: 'retrying' }) }
  const onProgress = (bytes: number) => post({ type: 'progress', bytes })
  if (job.op === 'upload') {
    const prepared = await prepareFileSecret(job.options)
    const { link, manageLink, sid, mt, ut } = prepared
    const total = (prepared.request.files ?? []).reduce((sum, n) => sum + n, 0)
    post({ type: 'prepared', link, manageLink, sid, mt, ut, total })
    const { expiresAt } = await uploadFileSecret(api, prepared, (f) => job.files[f]!, { retry, onProgress })
    return post({ type: 'done', expiresAt })
  }
  for await (const bytes of downloadFile(api, job, job.file, { retry, onProgress })) {
    while (leave === 0) await new Promise<void>((resolve) => (wake = resolve))
    leave--
    // Each piece owns its buffer (a decrypt's output), so it moves rather than being copied.
    post({ type: 'data', bytes }, [bytes.buffer])
  }
  post({ type: 'done' })
}

self.onmessage = (event: MessageEvent<FileCommand>) => {
  const command = event.data
  if (command.op === 'more') {
    leave++
    wake?.()
    return
  }
  run(command).catch((error: unknown) => post({ type: 'failed', error: carried(error) }))
}
