/**
 * What a visitor downloads: the gzipped JS and CSS the create page and the reveal page load
 * before anyone clicks, read from a Vite build's manifest. Sizes, not times, so CI can hold
 * a budget. The Argon2 WASM (hash-wasm) must not be among them: it belongs in a chunk that
 * loads only when a passphrase is used.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { buildWeb } from '../tests/helpers/web-build.ts'

/**
 * 60 KiB held until the languages landed (issue 15): the i18n runtime (petite-vue-i18n, about
 * 8.3 KB) and the English messages (about 7 KB) took the create page to 74.6 KiB, then files,
 * requests and receipts to 78. Two cuts brought it back to 66.6 KiB: the reveal, manage, links
 * and request views' words load with their views (about 3.4 KB), and zod, the API client and
 * the schemas load just after the first paint (about 11 KB: the page needs them only to send).
 * The budget keeps about 3 KiB of room.
 */
export const INITIAL_JS_BUDGET = 70 * 1024

interface ManifestChunk {
  file: string
  imports?: string[]
  css?: string[]
  isEntry?: boolean
  name?: string
}
type Manifest = Record<string, ManifestChunk>

export interface PageWeight {
  page: 'create' | 'reveal'
  /** Gzipped bytes (level 9) of the JS and the CSS the page loads before any interaction. */
  js: number
  css: number
  files: string[]
}

export interface WebWeight {
  pages: PageWeight[]
  /** Every other JS asset: loaded on demand (other views, the crypto worker, Argon2). */
  lazy: Array<{ file: string; gzip: number }>
  /** JS assets that contain hash-wasm. */
  argon2Files: string[]
}

/**
 * Builds the web app into `outDir` with a manifest, leaving web/dist to its owners: the
 * sizes are then always those of the current sources.
 */
export function buildWebInto(outDir: string, root?: string): void {
  buildWeb(['--manifest', '--outDir', outDir, '--emptyOutDir'], root)
}

const gzipped = (path: string) => gzipSync(readFileSync(path), { level: 9 }).length

/** The chunk and its static imports, depth first, each once. */
function staticClosure(manifest: Manifest, key: string, seen = new Set<string>()): Set<string> {
  if (seen.has(key)) return seen
  seen.add(key)
  for (const dep of manifest[key]?.imports ?? []) staticClosure(manifest, dep, seen)
  return seen
}

function pageWeight(outDir: string, manifest: Manifest, page: PageWeight['page'], roots: string[]): PageWeight {
  const chunks = new Set<string>()
  for (const root of roots) staticClosure(manifest, root, chunks)
  const js = [...chunks].map((k) => manifest[k]!.file)
  const css = [...new Set([...chunks].flatMap((k) => manifest[k]!.css ?? []))]
  const sum = (files: string[]) => files.reduce((n, f) => n + gzipped(join(outDir, f)), 0)
  return { page, js: sum(js), css: sum(css), files: [...js, ...css] }
}

export function measureWeb(outDir: string): WebWeight {
  const manifest = JSON.parse(readFileSync(join(outDir, '.vite', 'manifest.json'), 'utf8')) as Manifest
  const entry = Object.keys(manifest).find((k) => manifest[k]!.isEntry)
  // With strict execution order, a view the router's import() starts itself has no facade,
  // so its chunk is listed by its name rather than its source.
  const reveal =
    Object.keys(manifest).find((k) => k.endsWith('RevealSecretView.vue')) ??
    Object.keys(manifest).find((k) => manifest[k]!.name === 'RevealSecretView')
  // The view's English words, which the router loads with it (web/src/lib/message-groups.ts).
  const revealWords = Object.keys(manifest).find((k) => k.endsWith('locales/split/en.reveal.json'))
  if (!entry || !reveal || !revealWords) throw new Error('the manifest has no entry, RevealSecretView or its words')
  const pages = [
    pageWeight(outDir, manifest, 'create', [entry]),
    pageWeight(outDir, manifest, 'reveal', [entry, reveal, revealWords]),
  ]
  const loaded = new Set(pages.flatMap((p) => p.files))
  const js = readdirSync(join(outDir, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => `assets/${f}`)
  return {
    pages,
    lazy: js.filter((f) => !loaded.has(f)).map((file) => ({ file, gzip: gzipped(join(outDir, file)) })),
    argon2Files: js.filter((f) => readFileSync(join(outDir, f), 'utf8').includes('hash-wasm')),
  }
}
