import { paddedTotal } from '@burnlink/shared'
import type { ServerLimits } from '@burnlink/shared'

/** Why these files cannot be sent, as a message key and the numbers it names; the page formats the sizes. */
export interface FilesProblem {
  key: 'create.files.tooMany' | 'create.files.tooLarge'
  params: { max: number; total: number }
}

/**
 * Checked against the server's published limits before anything is read or encrypted. The
 * server counts padded bytes (protocol.md §10.5), so the total is too: a file just under the
 * limit may be over it once padded, and the message says both figures.
 */
export function filesProblem(sizes: readonly number[], limits: ServerLimits): FilesProblem | null {
  if (sizes.length > limits.maxFiles) {
    return { key: 'create.files.tooMany', params: { max: limits.maxFiles, total: sizes.length } }
  }
  const total = paddedTotal(sizes)
  if (total > limits.maxFileBytes) return { key: 'create.files.tooLarge', params: { max: limits.maxFileBytes, total } }
  return null
}

/** The manifest takes printable ASCII media types only; anything else (or none) is sent as unknown. */
export function manifestType(type: string): string {
  return /^[\x20-\x7e]{0,127}$/.test(type) ? type : ''
}
