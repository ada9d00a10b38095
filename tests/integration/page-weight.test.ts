/**
 * The page-weight budget (issue 6): what the create and reveal pages download before any
 * click, gzipped. Sizes are deterministic, so unlike timings they can fail a build. The app
 * is built afresh into a temporary folder, so the figures are those of the current sources.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildWebInto, INITIAL_JS_BUDGET, measureWeb, type WebWeight } from '../../bench/page-weight.ts'

describe('page weight', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'burnlink-page-weight-'))
  let weight: WebWeight
  beforeAll(() => {
    buildWebInto(outDir)
    weight = measureWeb(outDir)
  })
  afterAll(() => rmSync(outDir, { recursive: true, force: true }))

  // The entry and its static imports: what every page, create or reveal, loads first.
  it(`loads at most ${INITIAL_JS_BUDGET / 1024} KB of gzipped JS up front`, () => {
    const initial = weight.pages.find((p) => p.page === 'create')!
    expect(initial.js, initial.files.join(', ')).toBeLessThanOrEqual(INITIAL_JS_BUDGET)
  })

  it('keeps the Argon2 WASM out of what the pages load up front', () => {
    expect(weight.argon2Files, 'no built asset contains hash-wasm: did the marker change?').not.toEqual([])
    expect(weight.lazy.map((l) => l.file)).toEqual(expect.arrayContaining(weight.argon2Files))
  })
})
