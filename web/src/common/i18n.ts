import { createI18n } from 'petite-vue-i18n'
import { DEFAULT_LOCALE, LOCALES, localeDir, pickLocale, pluralRule, type LocaleCode } from '../lib/locales.ts'
import type { LazyGroup, MessageGroup } from '../lib/message-groups.ts'

/** Only the choice is kept: a language code, nothing about the person or their secrets. */
const STORAGE_KEY = 'burnlink.locale.v1'

type Messages = Record<string, string>

function lazyPluralRule(code: LocaleCode): (n: number) => number {
  let rule: ((n: number) => number) | undefined
  return (n) => (rule ??= pluralRule(code))(n)
}

// The build cuts each language into the first page's words and each lazy view's
// (web/vite-split-messages.ts). English for the first page ships with it; everything else is
// a chunk of its own, fetched with the view or the language that needs it.
const firstPage = import.meta.glob<Messages>('../locales/split/en.initial.json', { eager: true, import: 'default' })
const loaders = import.meta.glob<Messages>(['../locales/split/*.json', '!../locales/split/en.initial.json'], {
  import: 'default',
})

export const i18n = createI18n({
  legacy: false,
  locale: DEFAULT_LOCALE,
  fallbackLocale: DEFAULT_LOCALE,
  // The others arrive with mergeLocaleMessage; the locale test keeps their keys those of English.
  messages: { en: Object.values(firstPage)[0]! } as Record<LocaleCode, Messages>,
  // Each language's rules are built on its first plural: twelve Intl.PluralRules at start cost a
  // slow phone about 10 ms of the first render.
  pluralRules: Object.fromEntries(LOCALES.map((l) => [l.code, lazyPluralRule(l.code)])),
  // A key that is missing is a bug the locale test catches; no console noise in production.
  missingWarn: false,
  fallbackWarn: false,
})

const loaded = new Set<string>(['en.initial'])
/** The lazy views' words wanted so far, to be fetched again in a language chosen later. */
const wanted = new Set<LazyGroup>()

async function load(code: LocaleCode, group: MessageGroup): Promise<void> {
  const part = `${code}.${group}`
  if (loaded.has(part)) return
  i18n.global.mergeLocaleMessage(code, await loaders[`../locales/split/${part}.json`]!())
  loaded.add(part)
}

/** The language being switched to: the first view may be resolved while it still loads. */
let coming: LocaleCode = DEFAULT_LOCALE

/** A lazy view's words, before the view shows (the router waits for them). */
export async function loadViewMessages(groups: readonly LazyGroup[]): Promise<void> {
  for (const group of groups) wanted.add(group)
  const codes = new Set([i18n.global.locale.value as LocaleCode, coming])
  // A chunk that fails to load leaves keys on screen in a view that itself could not load either.
  await Promise.all([...codes].flatMap((code) => groups.map((group) => load(code, group)))).catch(() => undefined)
}

function savedChoice(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY)
  } catch {
    return null
  }
}

async function apply(code: LocaleCode): Promise<void> {
  coming = code
  await Promise.all((['initial', ...wanted] as const).map((group) => load(code, group)))
  i18n.global.locale.value = code
  document.documentElement.lang = code
  document.documentElement.dir = localeDir(code)
}

/** The language at start: the saved choice, else the browser's, else English. */
export async function startLocale(): Promise<void> {
  const code = pickLocale(savedChoice(), navigator.languages ?? [])
  // A language chunk that fails to load leaves the page in English rather than blank.
  if (code !== DEFAULT_LOCALE) await apply(code).catch(() => apply(DEFAULT_LOCALE))
}

/** A language the person picked: shown at once and remembered for the next visit. */
export async function chooseLocale(code: LocaleCode): Promise<void> {
  await apply(code)
  try {
    localStorage.setItem(STORAGE_KEY, code)
  } catch {
    // Storage refused (private mode): the choice still holds until the tab closes.
  }
}
