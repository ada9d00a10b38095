/**
 * The limits the server writes into every page (server/src/plugins/web.ts), read without zod:
 * checking them with the API's schema would load the validators on every page, the cost this
 * saves. They come from the same server as this code, so the check is for a mismatched build
 * or a page served by something else (Vite's dev server writes none): anything but the stock
 * limits' own keys and types means no embedded limits, and the app asks the API instead.
 */
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from '@burnlink/shared'

export function parseEmbeddedLimits(content: string | null | undefined): ServerLimits | undefined {
  if (!content) return undefined
  let value: unknown
  try {
    value = JSON.parse(content)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const given = value as Record<string, unknown>
  const fits = (Object.keys(DEFAULT_SERVER_LIMITS) as (keyof ServerLimits)[]).every((key) =>
    typeof DEFAULT_SERVER_LIMITS[key] === 'number'
      ? Number.isSafeInteger(given[key]) && (given[key] as number) >= 1
      : typeof given[key] === typeof DEFAULT_SERVER_LIMITS[key],
  )
  return fits ? (given as ServerLimits) : undefined
}
