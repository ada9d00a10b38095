import { createI18n } from 'petite-vue-i18n'
import en from '../locales/en.json'
import { DEFAULT_LOCALE, LOCALES, localeDir, pickLocale, pluralRule, type LocaleCode } from '../lib/locales.ts'

/** Only the choice is kept: a language code, nothing about the person or their secrets. */
const STORAGE_KEY = 'burnlink.locale.v1'

// English ships with the page; every other language is a chunk of its own, fetched when chosen.
const loaders = import.meta.glob<{ default: typeof en }>(['../locales/*.json', '!../locales/en.json'])

export const i18n = createI18n({
  legacy: false,
  locale: DEFAULT_LOCALE,
  fallbackLocale: DEFAULT_LOCALE,
  // The others arrive with setLocaleMessage; the locale test keeps their keys those of English.
  messages: { en } as Record<LocaleCode, typeof en>,
  pluralRules: Object.fromEntries(LOCALES.map((l) => [l.code, pluralRule(l.code)])),
  // A key that is missing is a bug the locale test catches; no console noise in production.
  missingWarn: false,
  fallbackWarn: false,
})

function savedChoice(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY)
  } catch {
    return null
  }
}

async function apply(code: LocaleCode): Promise<void> {
  if (!i18n.global.availableLocales.includes(code)) {
    const messages = await loaders[`../locales/${code}.json`]!()
    i18n.global.setLocaleMessage(code, messages.default)
  }
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
