import { numberedName } from '@burnlink/shared'

/**
 * Saves text as a file through a short-lived Blob URL: no server round trip, and under the
 * CSP an <a download> needs no extra directive.
 */
export function downloadText(filename: string, type: string, text: string): void {
  saveBlob(filename, new Blob([text], { type }))
}

function saveBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.click()
  // The click only queues the download; revoking at once can cancel it in some browsers.
  // A large file takes a while to be copied out, so a minute rather than a few seconds.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

/** "2026-05-12", for file names that sort by day. */
export function today(): string {
  return new Date().toISOString().slice(0, 10)
}

/**
 * The largest file the page assembles in memory before saving it, where the browser cannot
 * write to disk as the file arrives (no File System Access API). Chromium keeps large Blobs
 * on disk, others in memory; past this the page says the browser cannot save it.
 */
export const IN_MEMORY_SAVE_MAX_BYTES = 512 * 1024 * 1024

/** Where a downloaded file's checked plaintext goes, piece by piece. */
export interface FileSink {
  write(bytes: Uint8Array): Promise<void>
  /** The file is whole: keep it. */
  close(): Promise<void>
  /** The file is not whole (altered, cut short, cancelled): leave nothing behind. */
  abort(): Promise<void>
}

interface WritableFile {
  write(data: Uint8Array<ArrayBuffer>): Promise<void>
  close(): Promise<void>
  abort(): Promise<void>
}
interface FileHandle {
  createWritable(): Promise<WritableFile>
}
interface DirectoryHandle {
  getFileHandle(name: string, options?: { create?: boolean }): Promise<FileHandle>
}
/** The File System Access API, where the browser has it (Chromium); not yet in TypeScript's DOM types. */
interface SavePickers {
  showSaveFilePicker?(options: { suggestedName: string }): Promise<FileHandle>
  showDirectoryPicker?(options: { mode: 'readwrite' }): Promise<DirectoryHandle>
}
const pickers = (): SavePickers => window as unknown as SavePickers

/** Whether files can be written to disk as they arrive, so their size is not bounded by memory. */
export function canStreamToDisk(): boolean {
  const p = pickers()
  return typeof p.showSaveFilePicker === 'function' && typeof p.showDirectoryPicker === 'function'
}

async function writableSink(handle: FileHandle): Promise<FileSink> {
  // The browser writes to a temporary file and puts it in place only on close: an aborted
  // download leaves nothing under the chosen name.
  const writable = await handle.createWritable()
  return {
    write: (bytes) => writable.write(bytes as Uint8Array<ArrayBuffer>),
    close: () => writable.close(),
    abort: () => writable.abort(),
  }
}

/** Asks where to save one file; call it first thing in the click, the browser wants the gesture. */
export async function pickFileSink(name: string): Promise<FileSink> {
  return writableSink(await pickers().showSaveFilePicker!({ suggestedName: name }))
}

/**
 * Asks for a folder once, for "download all"; each file gets its name there, or "name (2).ext"
 * when the folder already has one: nothing in it is replaced.
 */
export async function pickFolderSinks(): Promise<(name: string) => Promise<FileSink>> {
  const folder = await pickers().showDirectoryPicker!({ mode: 'readwrite' })
  return async (name) => {
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? name : numberedName(name, n)
      const taken = await folder.getFileHandle(candidate).then(
        () => true,
        () => false,
      )
      if (!taken) return writableSink(await folder.getFileHandle(candidate, { create: true }))
    }
  }
}

const FOLD_BYTES = 16 * 1024 * 1024

/**
 * Assembles the file in a Blob and saves it as a download when whole. Always as
 * application/octet-stream through <a download>: whatever the sender called it, the browser
 * saves it and never renders it in this origin.
 */
export function memorySink(name: string): FileSink {
  // Folded into a Blob every few MiB: the browser may then keep the bytes outside the page's
  // memory (Chromium moves large Blobs to disk), and the page holds only the last few pieces.
  let blobs: Blob[] = []
  let parts: Uint8Array<ArrayBuffer>[] = []
  let held = 0
  return {
    async write(bytes) {
      parts.push(bytes as Uint8Array<ArrayBuffer>)
      held += bytes.length
      if (held < FOLD_BYTES) return
      blobs.push(new Blob(parts))
      parts = []
      held = 0
    },
    async close() {
      const blob = new Blob([...blobs, ...parts], { type: 'application/octet-stream' })
      blobs = []
      parts = []
      saveBlob(name, blob)
    },
    async abort() {
      blobs = []
      parts = []
    },
  }
}
