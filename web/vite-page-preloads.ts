import type { Plugin, Rollup } from 'vite'

type OutputBundle = Rollup.OutputBundle
type OutputChunk = Rollup.OutputChunk

/**
 * The view each lazy page address opens (router.ts), by the file name of its component. The
 * build fails when one is not found, so a renamed view cannot silently lose its preload.
 */
const PAGE_VIEWS = {
  secret: 'features/reveal/RevealSecretView.vue',
  manage: 'features/manage/ManageSecretView.vue',
  links: 'features/links/LinksView.vue',
  request: 'features/request/RequestSecretView.vue',
  respond: 'features/request/RespondView.vue',
  collect: 'features/request/CollectView.vue',
} as const

export type PreloadedPage = keyof typeof PAGE_VIEWS

/** Where the page for each address is written, beside index.html; the server picks it by path. */
export const pageFile = (page: PreloadedPage) => `pages/${page}.html`

const isChunk = (output: OutputBundle[string]): output is OutputChunk => output.type === 'chunk'

/** A chunk and its static imports, each once. */
function closure(bundle: OutputBundle, fileName: string, seen = new Set<string>()): Set<string> {
  const chunk = bundle[fileName]
  if (seen.has(fileName) || !chunk || !isChunk(chunk)) return seen
  seen.add(fileName)
  for (const imported of chunk.imports) closure(bundle, imported, seen)
  return seen
}

/**
 * A recipient's phone would otherwise fetch the reveal view only after the entry chunk has
 * run: a second round trip before anything shows. Each lazy page gets a copy of index.html
 * that preloads its view, the view's CSS and the view's English words, so they download
 * beside the entry chunk.
 */
export function pagePreloadsPlugin(): Plugin {
  return {
    name: 'burnlink:page-preloads',
    enforce: 'post',
    generateBundle(_, bundle) {
      const index = bundle['index.html']
      if (!index || index.type !== 'asset') return
      const html = String(index.source)
      const chunks = Object.values(bundle).filter(isChunk)
      // What index.html loads already: the entry (its two scripts) and its static imports.
      const loaded = new Set<string>()
      for (const entry of chunks.filter((c) => c.isEntry)) closure(bundle, entry.fileName, loaded)
      for (const [page, view] of Object.entries(PAGE_VIEWS)) {
        // With strict execution order, a view the router's import() starts itself has no facade.
        const chunk =
          chunks.find((c) => c.facadeModuleId?.endsWith(`/src/${view}`)) ??
          chunks.find((c) => c.moduleIds.some((id) => id.endsWith(`/src/${view}`)))
        const group = view.split('/')[1]
        const words = chunks.find((c) => c.facadeModuleId?.endsWith(`/src/locales/split/en.${group}.json`))
        if (!chunk || !words) this.error(`page preloads: no chunk for ${view} or its words (en.${group})`)
        const js = [...closure(bundle, chunk.fileName), ...closure(bundle, words.fileName)].filter(
          (f) => !loaded.has(f),
        )
        const css = [...new Set(js.flatMap((f) => [...((bundle[f] as OutputChunk).viteMetadata?.importedCss ?? [])]))]
        const tags = [
          ...js.map((f) => `<link rel="modulepreload" crossorigin href="/${f}">`),
          ...css.map((f) => `<link rel="preload" as="style" crossorigin href="/${f}">`),
        ]
        this.emitFile({
          type: 'asset',
          fileName: pageFile(page as PreloadedPage),
          source: html.replace('</head>', `  ${tags.join('\n    ')}\n  </head>`),
        })
      }
    },
  }
}
