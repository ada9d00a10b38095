import * as z from 'zod/mini'
import { Sid, Token, parseJson } from '@burnlink/shared'
import { LABEL_MAX_CHARS } from './link-label.ts'

/**
 * What "My links" keeps per secret: enough to ask for its status and to burn it, plus the
 * creator's own label. Never the key, the secret link or the content: whoever reads this
 * browser's storage (or an exported file) can watch and burn, but never open a secret.
 */
export const LinkEntry = z.strictObject({
  sid: Sid,
  mt: Token('mt'),
  label: z.string().check(z.maxLength(LABEL_MAX_CHARS)),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  maxViews: z.int().check(z.minimum(1)),
  kind: z.enum(['text', 'link', 'file']),
})
export type LinkEntry = z.infer<typeof LinkEntry>

/** The stored value and the export file share one versioned shape. */
export const LINKS_FORMAT = 'burnlink-links'
export const LinksFile = z.strictObject({
  format: z.literal(LINKS_FORMAT),
  v: z.literal(1),
  links: z.array(LinkEntry),
})

export function serializeLinks(links: readonly LinkEntry[]): string {
  return JSON.stringify({ format: LINKS_FORMAT, v: 1, links })
}

/**
 * Storage is ours but may hold entries from a newer or damaged version: keep every entry
 * that still validates rather than lose the whole list to one bad one.
 */
export function parseStoredLinks(text: string): LinkEntry[] {
  const json = parseJson(text) as { links?: unknown } | undefined
  if (!Array.isArray(json?.links)) return []
  return json.links.flatMap((item) => {
    const parsed = LinkEntry.safeParse(item)
    return parsed.success ? [parsed.data] : []
  })
}

/**
 * Why a file cannot be imported: the message key and values the page words it with (in the
 * reader's language), and the English sentence as the error's message.
 */
export class ImportError extends Error {
  override readonly name = 'ImportError'
  constructor(
    readonly key: string,
    readonly params: Record<string, string | number>,
    message: string,
  ) {
    super(message)
  }
}

/** An export of thousands of entries is well under this; anything bigger is not ours. */
export const MAX_LINKS_FILE_BYTES = 5 * 1024 * 1024

/** Checked on the file's size before reading it, so a huge file is never loaded. */
export function checkLinksFileSize(bytes: number): void {
  if (bytes > MAX_LINKS_FILE_BYTES) {
    throw new ImportError('links.importError.tooLarge', {}, 'This file is too large to be a links export.')
  }
}

/**
 * The most entries an import may bring My links to. Its statuses are asked a few batches at
 * a time, so a list this long refreshes in seconds; a file far past it is a mistake or an
 * attempt to make this page flood the server.
 */
export const MAX_IMPORTED_LINKS = 2000

const count = (n: number) => n.toLocaleString('en')
// Worded only for a refused import: the first number formatted on a page builds an Intl
// formatter, some 100 ms of My links' first render on a slow phone.
const cap = () => `My links can hold at most ${count(MAX_IMPORTED_LINKS)} links from an import`

/** An imported file is all or nothing, and says where it is wrong. */
export function parseLinksFile(text: string): LinkEntry[] {
  const json = parseJson(text)
  if (json === undefined) throw new ImportError('links.importError.notJson', {}, 'This file is not JSON.')
  // Counted before any entry is checked: a long list is refused without validating it all.
  const listed = (json as { links?: unknown } | null)?.links
  if (Array.isArray(listed) && listed.length > MAX_IMPORTED_LINKS) {
    throw new ImportError(
      'links.importError.tooMany',
      { n: listed.length, max: MAX_IMPORTED_LINKS },
      `This file lists ${count(listed.length)} links: ${cap()}.`,
    )
  }
  const parsed = LinksFile.safeParse(json)
  if (parsed.success) return parsed.data.links
  const issue = parsed.error.issues[0]
  const path = issue && issue.path.length > 0 ? issue.path.join('.') : ''
  // The schema's own words for the issue stay English: a detail for whoever made the file.
  const detail = issue?.message ?? 'unknown problem'
  throw new ImportError(
    path ? 'links.importError.notExportAt' : 'links.importError.notExport',
    { path, issue: detail },
    `This file is not a burnlink links export${path ? ` (at ${path})` : ''}: ${detail}.`,
  )
}

/** Adds what is new by sid; an entry already here wins, so a re-import changes nothing. */
export function mergeLinks(
  current: readonly LinkEntry[],
  incoming: readonly LinkEntry[],
): { links: LinkEntry[]; added: number } {
  const known = new Set(current.map((e) => e.sid))
  const fresh: LinkEntry[] = []
  for (const entry of incoming) {
    if (known.has(entry.sid)) continue
    known.add(entry.sid)
    fresh.push(entry)
  }
  return { links: [...current, ...fresh], added: fresh.length }
}

/** An import into the list `current`: the merged list, or ImportError when it would pass the cap. */
export function importLinks(
  current: readonly LinkEntry[],
  text: string,
): { links: LinkEntry[]; added: number; total: number } {
  const incoming = parseLinksFile(text)
  const { links, added } = mergeLinks(current, incoming)
  if (added > 0 && links.length > MAX_IMPORTED_LINKS) {
    throw new ImportError(
      'links.importError.wouldPass',
      { n: links.length, max: MAX_IMPORTED_LINKS },
      `${cap()}, and with this file it would hold ${count(links.length)}. Forget some old links first, then import again.`,
    )
  }
  return { links, added, total: incoming.length }
}
