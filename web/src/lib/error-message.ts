/** Whatever was thrown, as its message: an Error is the usual case, not the only one. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
