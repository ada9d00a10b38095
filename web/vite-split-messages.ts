import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { Plugin } from 'vite'
import { keysUsedOutsideTheirView, splitMessages } from './src/lib/message-groups.ts'

const SRC = new URL('./src/', import.meta.url).pathname
const LOCALES = join(SRC, 'locales')
/** Generated, not committed: src/common/i18n.ts imports these, the locale files stay whole. */
export const SPLIT_DIR = join(LOCALES, 'split')

function sources(dir: string, found: Record<string, string> = {}): Record<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (path !== LOCALES) sources(path, found)
    } else if (/\.(ts|vue)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) {
      found[relative(SRC, path)] = readFileSync(path, 'utf8')
    }
  }
  return found
}

function writeSplit(): void {
  const shared = keysUsedOutsideTheirView(sources(SRC))
  rmSync(SPLIT_DIR, { recursive: true, force: true })
  mkdirSync(SPLIT_DIR)
  for (const file of readdirSync(LOCALES).filter((f) => f.endsWith('.json'))) {
    const messages = JSON.parse(readFileSync(join(LOCALES, file), 'utf8')) as Record<string, string>
    for (const [group, part] of Object.entries(splitMessages(messages, shared)))
      writeFileSync(join(SPLIT_DIR, `${file.slice(0, -'.json'.length)}.${group}.json`), JSON.stringify(part))
  }
}

/**
 * Cuts every locale into the first page's messages and one file per lazy view before the build
 * reads them (and again in the dev server when a source changes), so each view's words arrive
 * with the view while people and tools keep editing one file per language.
 */
export function splitMessagesPlugin(): Plugin {
  return {
    name: 'burnlink:split-messages',
    buildStart: writeSplit,
    configureServer(server) {
      server.watcher.on('change', (path) => {
        if (path.startsWith(SRC) && !path.startsWith(SPLIT_DIR) && /\.(json|ts|vue)$/.test(path)) writeSplit()
      })
    },
  }
}
