/**
 * Which words load with which view. A visitor of the create page should not download the
 * words of the reveal, manage and links views, so the build cuts each locale into the first
 * page's messages and one file per lazy view (see web/vite-split-messages.ts); the router loads
 * a view's file with the view. Pure, so the cut can be unit-tested.
 */

/** Key prefixes whose messages load with their view, named as the view's feature folder. */
export const LAZY_GROUPS = ['reveal', 'manage', 'links', 'request'] as const
export type LazyGroup = (typeof LAZY_GROUPS)[number]
export type MessageGroup = 'initial' | LazyGroup

type Messages = Record<string, string>

export const isLazyGroup = (name: unknown): name is LazyGroup => LAZY_GROUPS.includes(name as LazyGroup)

/**
 * The keys of lazy groups that code outside the group's own feature folder names: those ship
 * with the first page, since that code may run before the view's words are loaded (the create
 * page saying that My links is full, say). `sources` maps a path below web/src to its text.
 * A key built at run time from a template outside its feature cannot be seen here, so it is an
 * error rather than a word missing on screen.
 */
export function keysUsedOutsideTheirView(sources: Record<string, string>): Set<string> {
  const keys = new Set<string>()
  for (const [path, text] of Object.entries(sources)) {
    const feature = /^features\/([^/]+)\//.exec(path)?.[1]
    for (const group of LAZY_GROUPS) {
      if (group === feature) continue
      for (const match of text.matchAll(new RegExp(`['"\`](${group}\\.[\\w.-]*)(['"\`]|\\$\\{)`, 'g'))) {
        if (match[2] === '${')
          throw new Error(`${path}: the key "${match[1]}…" is built at run time outside features/${group}/`)
        keys.add(match[1]!)
      }
    }
  }
  return keys
}

/** One locale's messages cut into the first page's and each lazy view's. */
export function splitMessages(messages: Messages, sharedKeys: ReadonlySet<string>): Record<MessageGroup, Messages> {
  const groups = Object.fromEntries((['initial', ...LAZY_GROUPS] as const).map((g) => [g, {}])) as Record<
    MessageGroup,
    Messages
  >
  for (const [key, message] of Object.entries(messages)) {
    const prefix = key.split('.', 1)[0]
    groups[isLazyGroup(prefix) && !sharedKeys.has(key) ? prefix : 'initial'][key] = message
  }
  return groups
}
