import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const WEB = fileURLToPath(new URL('../../web', import.meta.url))
const VITE = fileURLToPath(new URL('../../node_modules/vite/bin/vite.js', import.meta.url))

/**
 * A production build of the web app, as `npm run build -w web` makes it. NODE_ENV is set
 * explicitly: under vitest it is 'test', which would ship Vue's development build.
 */
export function buildWeb(extraArgs: string[] = []): void {
  execFileSync(process.execPath, [VITE, 'build', '--logLevel', 'warn', ...extraArgs], {
    cwd: WEB,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  })
}
