// `npm run bench`: bundles the TypeScript bench (and the baseline server, which runs as its
// own process like burnlink does) with esbuild, then runs it. The workspace's TypeScript is
// compiled in; npm packages stay external and resolve from the root node_modules, which is
// why the bundles are written below it.
import { build } from 'esbuild'

const outdir = new URL('../node_modules/.cache/burnlink-bench/', import.meta.url).pathname

await build({
  entryPoints: {
    main: new URL('./main.ts', import.meta.url).pathname,
    baseline: new URL('./baseline.ts', import.meta.url).pathname,
    'files-baseline': new URL('./files-baseline.ts', import.meta.url).pathname,
  },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  logLevel: 'warning',
  plugins: [
    {
      name: 'npm-packages-external',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('@burnlink/') ? undefined : { path: args.path, external: true },
        )
      },
    },
  ],
})

const { main } = await import(`${outdir}main.mjs`)
await main({
  argv: process.argv.slice(2),
  root: new URL('..', import.meta.url).pathname,
  baselineScript: `${outdir}baseline.mjs`,
  filesBaselineScript: `${outdir}files-baseline.mjs`,
})
