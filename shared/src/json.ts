/** JSON from text that may not be JSON (a proxy's error page, a user's file): undefined instead of a throw. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
