/**
 * zod compiles object parsers with `new Function` when it may, and finds out by trying it as
 * soon as a schema is defined. Under our CSP (no 'unsafe-eval') that probe alone is a
 * reported violation. zod reads its settings from this global, so setting it before zod
 * loads turns the probe off. It must run before any chunk that holds zod, which only a
 * separate, earlier <script> in index.html guarantees (bundlers may hoist shared chunks
 * above an entry's own first import).
 */
declare global {
  var __zod_globalConfig: { jitless?: boolean } | undefined
}

globalThis.__zod_globalConfig = { ...globalThis.__zod_globalConfig, jitless: true }

export {}
