/**
 * Saves text as a file through a short-lived Blob URL: no server round trip, and under the
 * CSP an <a download> needs no extra directive.
 */
export function downloadText(filename: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.click()
  // The click only queues the download; revoking at once can cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** "2026-05-12", for file names that sort by day. */
export function today(): string {
  return new Date().toISOString().slice(0, 10)
}
