import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = fileURLToPath(new URL('../..', import.meta.url))

/**
 * A production build of the web app, as `npm run build -w web` makes it. NODE_ENV is set
 * explicitly: under vitest it is 'test', which would ship Vue's development build. `root`
 * is the repository, for callers bundled elsewhere (the benchmark).
 */
export function buildWeb(extraArgs: string[] = [], root = REPO): void {
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', ...extraArgs],
    {
      cwd: join(root, 'web'),
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    },
  )
}
