import { describe, expect, it } from 'vitest'
import { encodeB64u } from '@burnlink/shared'
import en from '../locales/en.json'
import {
  checkLinksFileSize,
  importLinks,
  ImportError,
  LINKS_FORMAT,
  MAX_IMPORTED_LINKS,
  MAX_LINKS_FILE_BYTES,
  mergeLinks,
  parseLinksFile,
  parseStoredLinks,
  serializeLinks,
  type LinkEntry,
} from './link-entries.ts'
import { LABEL_MAX_CHARS } from './link-label.ts'

/** A valid entry whose sid and token are the byte n repeated, so tests can tell them apart. */
function entry(n: number, extra: Partial<LinkEntry> = {}): LinkEntry {
  return {
    sid: encodeB64u(new Uint8Array(16).fill(n)),
    mt: encodeB64u(new Uint8Array(32).fill(n)),
    label: `link ${n}`,
    createdAt: '2026-05-12T10:00:00.000Z',
    expiresAt: '2026-05-13T10:00:00.000Z',
    maxViews: 1,
    kind: 'text',
    ...extra,
  }
}

const file = (links: unknown[], head: object = { format: LINKS_FORMAT, v: 1 }) => JSON.stringify({ ...head, links })

function importFailure(text: string): string {
  try {
    parseLinksFile(text)
  } catch (e) {
    expect(e).toBeInstanceOf(ImportError)
    return (e as ImportError).message
  }
  throw new Error('the file was accepted')
}

describe('stored links', () => {
  it('read back exactly what was written', () => {
    const links = [entry(1), entry(2, { label: '', kind: 'link', maxViews: 3 })]
    expect(parseStoredLinks(serializeLinks(links))).toEqual(links)
  })

  it('keep every entry that still validates and drop only the damaged ones', () => {
    const text = file([entry(1), { ...entry(2), sid: 'not-a-sid' }, 'junk', entry(3)])
    expect(parseStoredLinks(text).map((e) => e.label)).toEqual(['link 1', 'link 3'])
  })

  it.each([
    ['not JSON', '{"links": ['],
    ['JSON without a list', '{"format":"burnlink-links","v":1}'],
    ['a list where an object belongs', '[1,2]'],
  ])('read as an empty list from %s', (_, text) => {
    expect(parseStoredLinks(text)).toEqual([])
  })
})

describe('an imported links file', () => {
  it('gives its entries when it is a valid export', () => {
    expect(parseLinksFile(serializeLinks([entry(1), entry(2)]))).toEqual([entry(1), entry(2)])
  })

  it('is refused as a whole when one entry is bad, saying where', () => {
    expect(importFailure(file([entry(1), { ...entry(2), maxViews: 0 }]))).toMatch(
      /^This file is not a burnlink links export \(at links\.1\.maxViews\): .+\.$/,
    )
  })

  it('is refused when it is not JSON', () => {
    expect(importFailure('sid,mt\nabc,def')).toBe('This file is not JSON.')
  })

  it.each([
    ['another format', { format: 'other-app', v: 1 }, 'format'],
    ['a newer version', { format: LINKS_FORMAT, v: 2 }, 'v'],
  ])('is refused when it is %s', (_, head, where) => {
    expect(importFailure(file([entry(1)], head))).toContain(`(at ${where})`)
  })

  it('may not smuggle in a secret link or any other field', () => {
    const withLink = { ...entry(1), link: 'https://b.example/s#1.key' }
    expect(importFailure(file([withLink]))).toContain('(at links.0)')
  })

  it(`refuses a label longer than ${LABEL_MAX_CHARS} characters and takes one of exactly that`, () => {
    const longest = 'x'.repeat(LABEL_MAX_CHARS)
    expect(parseLinksFile(file([entry(1, { label: longest })]))[0]?.label).toBe(longest)
    expect(importFailure(file([entry(1, { label: `${longest}x` })]))).toContain('(at links.0.label)')
  })

  it('refuses a manage token of the wrong length', () => {
    const short = { ...entry(1), mt: encodeB64u(new Uint8Array(16)) }
    expect(importFailure(file([short]))).toContain('(at links.0.mt)')
  })

  it(`may be at most ${MAX_LINKS_FILE_BYTES} bytes, checked before it is read`, () => {
    expect(() => checkLinksFileSize(MAX_LINKS_FILE_BYTES)).not.toThrow()
    expect(() => checkLinksFileSize(MAX_LINKS_FILE_BYTES + 1)).toThrow(ImportError)
  })
})

describe('mergeLinks', () => {
  it('adds what is new after what is there, and counts it', () => {
    const { links, added } = mergeLinks([entry(1)], [entry(2), entry(3)])
    expect(links.map((e) => e.label)).toEqual(['link 1', 'link 2', 'link 3'])
    expect(added).toBe(2)
  })

  it('keeps the entry already here when an import brings the same sid', () => {
    const { links, added } = mergeLinks([entry(1)], [entry(1, { label: 'renamed' }), entry(2)])
    expect(links.map((e) => e.label)).toEqual(['link 1', 'link 2'])
    expect(added).toBe(1)
  })

  it('takes a sid only once even when the import repeats it', () => {
    expect(mergeLinks([], [entry(4), entry(4, { label: 'again' })])).toEqual({ links: [entry(4)], added: 1 })
  })

  it('changes nothing on a second import of the same file', () => {
    const first = mergeLinks([], [entry(1), entry(2)]).links
    expect(mergeLinks(first, [entry(1), entry(2)])).toEqual({ links: first, added: 0 })
  })
})

/** `count` valid entries with distinct sids, numbered from `from`. */
function many(count: number, from = 0): LinkEntry[] {
  return Array.from({ length: count }, (_, i) => {
    const sid = new Uint8Array(16)
    new DataView(sid.buffer).setUint32(0, from + i)
    return { ...entry(1), sid: encodeB64u(sid), label: `link ${from + i}` }
  })
}

function importRefusal(current: LinkEntry[], text: string): string {
  try {
    importLinks(current, text)
  } catch (e) {
    expect(e).toBeInstanceOf(ImportError)
    return (e as ImportError).message
  }
  throw new Error('the import was accepted')
}

describe(`an import (at most ${MAX_IMPORTED_LINKS} links)`, () => {
  it('takes a file of exactly the cap into an empty list', () => {
    const { links, added, total } = importLinks([], serializeLinks(many(MAX_IMPORTED_LINKS)))
    expect(links).toHaveLength(2000)
    expect({ added, total }).toEqual({ added: 2000, total: 2000 })
  })

  it('refuses a file with one link more, naming the cap and the count', () => {
    expect(importRefusal([], serializeLinks(many(MAX_IMPORTED_LINKS + 1)))).toBe(
      'This file lists 2,001 links: My links can hold at most 2,000 links from an import.',
    )
  })

  it('refuses a long list before checking its entries', () => {
    expect(importRefusal([], file(Array.from({ length: 50_000 }, () => 'junk')))).toBe(
      'This file lists 50,000 links: My links can hold at most 2,000 links from an import.',
    )
  })

  it('refuses a file that would take the list past the cap, and takes one that fills it', () => {
    const current = many(1990)
    expect(importRefusal(current, serializeLinks(many(11, 5000)))).toBe(
      'My links can hold at most 2,000 links from an import, and with this file it would hold 2,001. ' +
        'Forget some old links first, then import again.',
    )
    expect(importLinks(current, serializeLinks(many(10, 5000))).links).toHaveLength(2000)
  })

  it('lets a list already past the cap re-import what it holds, since that adds nothing', () => {
    const current = many(2100)
    expect(importLinks(current, serializeLinks(current.slice(0, 5)))).toMatchObject({ added: 0, total: 5 })
  })
})

describe('ImportError words', () => {
  const caught = (run: () => unknown): ImportError => {
    try {
      run()
    } catch (e) {
      if (e instanceof ImportError) return e
    }
    throw new Error('no ImportError')
  }
  const english = (e: ImportError) =>
    (en as Record<string, string>)[e.key]!.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = e.params[name]!
      return typeof value === 'number' ? value.toLocaleString('en') : value
    })

  it('name a locale message that says in English what the error says', () => {
    const errors = [
      caught(() => checkLinksFileSize(MAX_LINKS_FILE_BYTES + 1)),
      caught(() => parseLinksFile('{')),
      caught(() => parseLinksFile(file([{ sid: 1 }]))),
      caught(() => parseLinksFile('[]')),
      caught(() => parseLinksFile(file(Array.from({ length: MAX_IMPORTED_LINKS + 1 }, () => ({}))))),
    ]
    expect(new Set(errors.map((e) => e.key)).size).toBe(errors.length)
    for (const e of errors) expect(english(e)).toBe(e.message)
  })
})
