/**
 * The shared protocol code reproduces vectors.json inside Chromium, byte for byte, as it does
 * under Node (shared/test/vectors.test.ts runs the same runner there). It runs on a page of
 * the test server, so hash-wasm's WebAssembly works under the production CSP too.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'
import type { CheckResult } from '../../shared/test/vectors-runner.ts'
import { hasChromium, newPerson, useBrowserSuite } from '../helpers/browser.ts'

const SHARED_TEST = fileURLToPath(new URL('../../shared/test', import.meta.url))

/** One script that evaluates to the runner's promise; no Node built-in may end up in it. */
async function bundleRunner(): Promise<string> {
  const result = await build({
    stdin: {
      contents:
        "import { runVectors } from './vectors-runner.ts'\nimport file from './vectors.json'\nexport const run = () => runVectors(file)\n",
      resolveDir: SHARED_TEST,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    globalName: 'burnlinkVectors',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  })
  return `${result.outputFiles[0]!.text}\nburnlinkVectors.run()`
}

describe.runIf(hasChromium())('crypto parity in Chromium', () => {
  const suite = useBrowserSuite()

  it('reproduces every vector and rejects every negative case', async () => {
    const script = await bundleRunner()
    const person = await newPerson(suite.browser)
    await person.page.goto(`${suite.url}/`)
    // A string evaluated through DevTools is not subject to script-src; what it does is.
    const results = (await person.page.evaluate(script)) as CheckResult[]

    expect(results.length).toBeGreaterThan(10)
    expect(results.filter((r) => !r.ok)).toEqual([])
    expect(person.cspViolations).toEqual([])
  })
})
