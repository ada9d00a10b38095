// `npm start`: build what is missing or stale, then run the server. A fresh clone needs no
// separate build step, and an edited checkout never serves an old bundle.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname

function newest(dir) {
  let t = 0
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) t = Math.max(t, statSync(join(entry.parentPath, entry.name)).mtimeMs)
  }
  return t
}

function stale(output, inputs) {
  const out = join(root, output)
  return !existsSync(out) || statSync(out).mtimeMs < Math.max(...inputs.map(newest))
}

function run(args) {
  const r = spawnSync('npm', args, { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

if (stale('web/dist/index.html', ['web/src', 'web/public', 'shared/src'])) run(['run', 'build', '-w', 'web'])
if (stale('server/dist/main.js', ['server/src', 'shared/src'])) run(['run', 'build', '-w', 'server'])

const server = spawnSync(process.execPath, ['--enable-source-maps', join(root, 'server/dist/main.js')], {
  stdio: 'inherit',
})
process.exit(server.status ?? 1)
