/**
 * docs/operating.md tells operators which settings to change: every one it names must be a
 * setting the server reads and must be in .env.example, so the guide cannot send anyone
 * after a variable that was renamed or never existed.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SETTINGS } from '../src/config.ts'

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')

/** UPPER_SNAKE words: in these docs, only settings are written that way. */
const named = (text: string) => [...new Set(text.match(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g))]

describe('docs/operating.md', () => {
  const guide = read('docs/operating.md')
  const example = new Set(read('.env.example').match(/^[A-Z][A-Z0-9_]*(?==)/gm))

  it('names settings', () => {
    expect(named(guide)).toEqual(expect.arrayContaining(['TRUST_PROXY', 'METRICS_PORT', 'MAX_STORED_BYTES']))
  })

  it('names only settings the server reads', () => {
    expect(named(guide).filter((name) => !SETTINGS.includes(name))).toEqual([])
  })

  it('names only settings that .env.example lists', () => {
    expect(named(guide).filter((name) => !example.has(name))).toEqual([])
  })
})
