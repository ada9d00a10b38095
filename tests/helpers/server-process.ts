/**
 * Runs the built server as a separate OS process, the way it runs in production, for the
 * tests about several instances sharing one Redis and about process signals.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BUNDLE = join(ROOT, 'server/dist/main.js')

function newestSource(): number {
  let t = 0
  for (const dir of ['server/src', 'shared/src']) {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })) {
      if (e.isFile()) t = Math.max(t, statSync(join(e.parentPath, e.name)).mtimeMs)
    }
  }
  return t
}

/** Builds the server bundle if it is missing or older than its sources. */
export function ensureServerBuilt(): string {
  if (!existsSync(BUNDLE) || statSync(BUNDLE).mtimeMs < newestSource()) {
    const r = spawnSync(process.execPath, [join(ROOT, 'server/build.mjs')], { stdio: 'inherit' })
    if (r.status !== 0) throw new Error('server build failed')
  }
  return BUNDLE
}

export interface ServerProcess {
  url: string
  child: ChildProcess
  /** Every log line the process wrote, parsed. */
  logs: Array<Record<string, unknown>>
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/**
 * Starts `node server/dist/main.js` on a free port and resolves once it listens. It runs in
 * `cwd`, the system's temporary folder by default: the server reads a .env there, and a
 * developer's own .env in the checkout must not reach the tests.
 */
export async function startServerProcess(
  env: Record<string, string> = {},
  { cwd = tmpdir() }: { cwd?: string } = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [ensureServerBuilt()], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', WEB_ROOT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: Array<Record<string, unknown>> = []
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 10 s: ${stderr}`)), 10_000)
    void exited.then((code) => reject(new Error(`server exited with ${code}: ${stderr}`)))
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>
      try {
        entry = JSON.parse(line)
      } catch {
        return
      }
      logs.push(entry)
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(String(entry.msg))
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    })
  })
  return {
    url,
    child,
    logs,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal)
      return exited
    },
  }
}
