/**
 * Bundles the CLI into one executable file with everything inlined (zod, hash-wasm and
 * the shared protocol code), so the published package has no runtime dependencies and
 * `npx burnlink` starts without resolving anything.
 */
import { chmod, rename } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const outfile = fileURLToPath(new URL('./dist/burnlink.js', import.meta.url))

// Written aside and renamed into place, so a concurrent run (test files build in
// parallel) never executes a half-written file.
const tmpfile = `${outfile}.${process.pid}.tmp`

await build({
  entryPoints: [fileURLToPath(new URL('./src/main.ts', import.meta.url))],
  outfile: tmpfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  banner: { js: '#!/usr/bin/env node' },
  legalComments: 'eof',
  logLevel: 'warning',
})
await chmod(tmpfile, 0o755)
await rename(tmpfile, outfile)
