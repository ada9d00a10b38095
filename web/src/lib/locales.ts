/** The languages of the app and how one is chosen; no Vue, so the choice can be unit-tested. */

interface Locale {
  code: string
  /** The language's own name for itself, as the menu shows it. */
  name: string
  dir?: 'rtl'
}

export const LOCALES = [
  { code: 'en', name: 'English' },
  { code: 'de', name: 'Deutsch' },
  { code: 'fr', name: 'Français' },
  { code: 'es', name: 'Español' },
  { code: 'pt-BR', name: 'Português (Brasil)' },
  { code: 'it', name: 'Italiano' },
  { code: 'nl', name: 'Nederlands' },
  { code: 'pl', name: 'Polski' },
  { code: 'uk', name: 'Українська' },
  { code: 'ar', name: 'العربية', dir: 'rtl' },
  { code: 'ja', name: '日本語' },
  { code: 'zh-CN', name: '简体中文' },
] as const satisfies readonly Locale[]

export type LocaleCode = (typeof LOCALES)[number]['code']
export const DEFAULT_LOCALE: LocaleCode = 'en'
const CODES: readonly string[] = LOCALES.map((l) => l.code)

export function isLocaleCode(code: unknown): code is LocaleCode {
  return typeof code === 'string' && CODES.includes(code)
}

export function localeDir(code: LocaleCode): 'ltr' | 'rtl' {
  return (LOCALES as readonly Locale[]).find((l) => l.code === code)?.dir ?? 'ltr'
}

/**
 * The saved choice, else the first of the browser's languages we speak (exactly, else by its
 * language alone: "de-AT" gets German, "pt-PT" the Brazilian Portuguese, "zh-TW" nothing),
 * else English.
 */
export function pickLocale(saved: string | null, languages: readonly string[]): LocaleCode {
  if (isLocaleCode(saved)) return saved
  for (const tag of languages) {
    const exact = LOCALES.find((l) => l.code.toLowerCase() === tag.toLowerCase())
    if (exact) return exact.code
    const [language, region] = tag.toLowerCase().split('-')
    // Simplified Chinese is the written language of the mainland and Singapore, not of Taiwan or Hong Kong.
    if (language === 'zh' && region && !['cn', 'sg', 'hans'].includes(region)) continue
    const loose = LOCALES.find((l) => l.code.split('-')[0]!.toLowerCase() === language)
    if (loose) return loose.code
  }
  return DEFAULT_LOCALE
}

/** CLDR's order of plural categories: a message lists its forms in this order, those its language has. */
const PLURAL_ORDER: readonly Intl.LDMLPluralRule[] = ['zero', 'one', 'two', 'few', 'many', 'other']

/** The forms a plural message in this locale has, in order ("one", "other" for English). */
export function pluralForms(code: string): Intl.LDMLPluralRule[] {
  const categories = new Intl.PluralRules(code).resolvedOptions().pluralCategories
  return PLURAL_ORDER.filter((c) => categories.includes(c))
}

/** Which of a message's forms fits the count n: CLDR's rules, so Arabic, Polish and Ukrainian count right. */
export function pluralRule(code: string): (n: number) => number {
  const rules = new Intl.PluralRules(code)
  const forms = pluralForms(code)
  return (n) => forms.indexOf(rules.select(n))
}
