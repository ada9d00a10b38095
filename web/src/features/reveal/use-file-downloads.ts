import { onBeforeUnmount, ref } from 'vue'
import { fileLayout, safeFileName } from '@burnlink/shared'
import type { RevealedFiles } from '@burnlink/shared'
import { CancelledError, downloadInWorker } from '../../lib/crypto-worker/file-client.ts'
import type { Transfer } from '../../lib/crypto-worker/file-client.ts'
import {
  IN_MEMORY_SAVE_MAX_BYTES,
  canStreamToDisk,
  memorySink,
  pickFileSink,
  pickFolderSinks,
} from '../../lib/download.ts'
import type { FileSink } from '../../lib/download.ts'
import { downloadProblem, type DownloadProblem } from './download-problem.ts'

export interface FileDownload {
  state: 'idle' | 'saving' | 'saved' | 'failed'
  /** Stored bytes read so far, of `total`. */
  received: number
  total: number
  startedAt: number
  problem: DownloadProblem | null
}

/**
 * Saving the files of a revealed secret, each decrypted chunk by chunk in a worker. Where
 * the browser can write to disk as the file arrives (the File System Access API) it does;
 * elsewhere a file is assembled in memory, up to IN_MEMORY_SAVE_MAX_BYTES. The claim is
 * acknowledged once every file is saved, or when the page goes away: then the server may
 * delete the chunks at once rather than when the window closes.
 */
export function useFileDownloads(files: RevealedFiles) {
  const streaming = canStreamToDisk()
  const names = files.manifest.files.map((f, i) => safeFileName(f.name, i))
  const downloads = ref<FileDownload[]>(
    files.manifest.files.map((f) => ({
      state: 'idle',
      received: 0,
      total: fileLayout(f.size).stored,
      startedAt: 0,
      problem: null,
    })),
  )
  const running = new Set<Transfer<void>>()

  const tooBig = (i: number) => !streaming && files.manifest.files[i]!.size > IN_MEMORY_SAVE_MAX_BYTES

  async function save(i: number, sink: FileSink): Promise<void> {
    const d = downloads.value[i]!
    Object.assign(d, { state: 'saving', received: 0, startedAt: performance.now(), problem: null })
    const transfer = downloadInWorker(
      files,
      i,
      { progress: (bytes) => (d.received += bytes), retrying: () => undefined },
      (bytes) => sink.write(bytes),
    )
    running.add(transfer)
    try {
      await transfer.result
      await sink.close()
      d.state = 'saved'
    } catch (e) {
      await sink.abort().catch(() => undefined)
      d.state = e instanceof CancelledError ? 'idle' : 'failed'
      if (!(e instanceof CancelledError)) d.problem = downloadProblem(e)
    } finally {
      running.delete(transfer)
    }
    if (downloads.value.every((x) => x.state === 'saved')) void files.finish()
  }

  function refuseTooBig(i: number): void {
    const d = downloads.value[i]!
    d.state = 'failed'
    d.problem = { key: 'reveal.files.error.tooBig', params: {} }
  }

  /** Someone closing the save dialog changes nothing. */
  const dismissed = (e: unknown) => (e as Error | undefined)?.name === 'AbortError'

  async function download(i: number): Promise<void> {
    if (tooBig(i)) return refuseTooBig(i)
    let sink: FileSink
    try {
      sink = streaming ? await pickFileSink(names[i]!) : memorySink(names[i]!)
    } catch (e) {
      if (!dismissed(e)) Object.assign(downloads.value[i]!, { state: 'failed', problem: downloadProblem(e) })
      return
    }
    await save(i, sink)
  }

  /** Every file not yet saved, one after the other; where it can, into one folder picked once. */
  async function downloadAll(): Promise<void> {
    let sinkFor: (name: string) => Promise<FileSink> = async (name) => memorySink(name)
    if (streaming) {
      try {
        sinkFor = await pickFolderSinks()
      } catch (e) {
        if (!dismissed(e)) throw e
        return
      }
    }
    for (const [i, d] of downloads.value.entries()) {
      if (d.state === 'saved' || d.state === 'saving') continue
      if (tooBig(i)) {
        refuseTooBig(i)
        continue
      }
      await save(i, await sinkFor(names[i]!))
    }
  }

  onBeforeUnmount(() => {
    for (const transfer of running) void transfer.cancel()
    void files.finish()
  })

  return { downloads, names, streaming, download, downloadAll }
}
