/**
 * The shared protocol code reproduces vectors.json inside Chromium, Firefox and WebKit, byte
 * for byte, as it does under Node (shared/test/vectors.test.ts runs the same runner there).
 * It runs on a page of the test server, so hash-wasm's WebAssembly works under the
 * production CSP too.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { expect, it } from 'vitest'
import type { CheckResult } from '../../shared/test/vectors-runner.ts'
import { describeEngines, expectCleanPages, useEngineSuite } from '../helpers/engines.ts'

const SHARED_TEST = fileURLToPath(new URL('../../shared/test', import.meta.url))

/** One function body that returns the runner's promise; no Node built-in may end up in it. */
async function bundleRunner(): Promise<string> {
  const result = await build({
    stdin: {
      contents:
        "import { runVectors } from './vectors-runner.ts'\nimport { runRequestVectors } from './request-vectors.ts'\n" +
        "import file from './vectors.json'\n" +
        'export const run = async () => [...(await runVectors(file)), ...(await runRequestVectors(file.requests))]\n',
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
  return `${result.outputFiles[0]!.text}\nreturn burnlinkVectors.run()`
}

describeEngines('crypto parity', (engine) => {
  const suite = useEngineSuite(engine)

  it('reproduces every vector and rejects every negative case', async () => {
    const script = await bundleRunner()
    const person = await suite.newPerson()
    await person.goto(`${suite.url}/`)
    // Script run by the driver is not subject to script-src; what it does is.
    const results = (await person.run(script)) as CheckResult[]

    expect(results.length).toBeGreaterThan(10)
    // The file chunk vectors (protocol.md §10) are among them, not skipped for want of a section.
    expect(results.filter((r) => r.name.startsWith('files secret')).length).toBeGreaterThan(0)
    expect(results.filter((r) => r.name.startsWith('requests: ')).length).toBeGreaterThan(15)
    expect(results.filter((r) => !r.ok)).toEqual([])
    await expectCleanPages(person)
  })
})
