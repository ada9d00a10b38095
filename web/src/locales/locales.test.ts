import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { LOCALES, pickLocale, pluralForms, pluralRule, type LocaleCode } from '../lib/locales.ts'

const dir = new URL('./', import.meta.url)
const read = (code: string): Record<string, string> =>
  JSON.parse(readFileSync(new URL(`${code}.json`, dir), 'utf8')) as Record<string, string>
const en = read('en')
const placeholders = (message: string) => [...new Set(message.match(/\{\w+\}/g) ?? [])].sort()
const isPlural = (message: string) => message.includes('|')

describe('locale files', () => {
  it('exist for exactly the languages the menu offers', () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
    expect(files.sort()).toEqual(LOCALES.map((l) => l.code).sort())
  })

  describe.each(LOCALES.filter((l) => l.code !== 'en').map((l) => l.code))('%s', (code) => {
    const messages = read(code)

    it('has every key of English and no other', () => {
      expect(Object.keys(messages).sort()).toEqual(Object.keys(en).sort())
    })

    it('keeps every placeholder and adds none', () => {
      for (const [key, message] of Object.entries(en)) {
        if (messages[key] === undefined) continue
        const expected = isPlural(message) ? placeholders(message).filter((p) => p !== '{n}') : placeholders(message)
        // A plural form may say the count in words ("once", "مرة"), so {n} is optional there.
        const got = placeholders(messages[key]).filter((p) => !isPlural(message) || p !== '{n}')
        expect(got, key).toEqual(expected)
      }
    })

    it('gives each plural message one form per plural category of the language', () => {
      const forms = pluralForms(code)
      for (const [key, message] of Object.entries(en)) {
        if (!isPlural(message) || messages[key] === undefined) continue
        expect(messages[key].split('|').length, `${key} needs ${forms.join(', ')}`).toBe(forms.length)
      }
    })

    it('uses no plural bars where English has none', () => {
      for (const [key, message] of Object.entries(en)) {
        if (!isPlural(message)) expect(messages[key], key).not.toContain('|')
      }
    })
  })

  // Intl words a duration in the nominative ("1 minuta", "1 хвилина"); after a preposition Polish
  // and Ukrainian need another case ("za 1 minutę", "через 1 хвилину"), so their messages set a
  // duration apart after a colon ("pozostało: 1 minuta") instead.
  it.each(['pl', 'uk'])('%s names a duration only where the nominative is right: after a colon', (code) => {
    const messages = read(code)
    const withDuration = Object.entries(messages).filter(([, message]) => message.includes('{duration}'))
    expect(withDuration.length).toBeGreaterThan(0)
    for (const [key, message] of withDuration) expect(message, key).toMatch(/: \{duration\}/)
  })

  it('English plurals have the forms one and other', () => {
    for (const message of Object.values(en).filter(isPlural)) expect(message.split('|')).toHaveLength(2)
  })
})

describe('pickLocale', () => {
  it.each<[string | null, string[], LocaleCode]>([
    ['ar', ['de-DE', 'en'], 'ar'],
    ['xx', ['de-DE', 'en'], 'de'],
    [null, ['sv', 'AR-eg', 'de'], 'ar'],
    [null, ['de-AT'], 'de'],
    [null, ['fr-CA', 'de'], 'fr'],
    [null, ['pt-PT'], 'pt-BR'],
    [null, ['es-419'], 'es'],
    [null, ['zh-TW', 'ja'], 'ja'],
    [null, ['zh-Hans-CN'], 'zh-CN'],
    [null, ['zh'], 'zh-CN'],
    [null, ['ZH-cn'], 'zh-CN'],
    [null, ['uk-UA'], 'uk'],
    [null, ['sv', 'ko'], 'en'],
    [null, [], 'en'],
  ])('saved %s, browser %j: %s', (saved, languages, code) => {
    expect(pickLocale(saved, languages)).toBe(code)
  })
})

describe('pluralRule', () => {
  it('follows CLDR: Arabic has six forms, Polish and Ukrainian four, Japanese one', () => {
    const ar = pluralRule('ar')
    expect([0, 1, 2, 3, 11, 100].map(ar)).toEqual([0, 1, 2, 3, 4, 5])
    const pl = pluralRule('pl')
    expect([1, 2, 5, 22, 25].map((n) => pluralForms('pl')[pl(n)])).toEqual(['one', 'few', 'many', 'few', 'many'])
    expect(pluralForms('uk')).toEqual(['one', 'few', 'many', 'other'])
    expect(pluralForms('ja')).toEqual(['other'])
  })
})
