/**
 * Runs the built CLI as a child process, the way a shell would. Detached: the child gets
 * its own session without a controlling terminal, so nothing can fall back to prompting
 * on the terminal the tests happen to run in.
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll } from 'vitest'
import type { Config } from '../../server/src/config.ts'
import { startTestServer } from '../../tests/helpers/server.ts'

export const CLI = fileURLToPath(new URL('../dist/burnlink.js', import.meta.url))
const BUILD = fileURLToPath(new URL('../build.mjs', import.meta.url))

function buildCli(): void {
  execFileSync(process.execPath, [BUILD], { stdio: 'inherit' })
}

/** Builds the CLI and starts a server (memory store) for one test file. */
export function useCliAndServer(config?: Partial<Config>): { readonly url: string } {
  let server: Awaited<ReturnType<typeof startTestServer>> | undefined
  beforeAll(async () => {
    buildCli()
    server = await startTestServer({ config })
  }, 60_000)
  afterAll(() => server?.close())
  return {
    get url() {
      if (!server) throw new Error('the test server is not running')
      return server.url
    },
  }
}

export interface CliResult {
  code: number | null
  stdout: Buffer
  stderr: string
  /** stdout as UTF-8, for the common case. */
  out: string
  /** The child's peak resident memory (Linux VmHWM), sampled until it exits. */
  peakRssBytes: number
}

/** VmHWM, the high-water mark of resident memory, which stays readable until the child is reaped. */
function peakRss(pid: number): number | undefined {
  try {
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kib === undefined ? undefined : Number(kib) * 1024
  } catch {
    return undefined
  }
}

export function runCli(
  args: string[],
  {
    input,
    env = {},
    cwd,
    timeoutMs = 20_000,
  }: { input?: string | Uint8Array; env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const { BURNLINK_SERVER: _ignored, ...inherited } = process.env
  const child = spawn(process.execPath, [CLI, ...args], {
    detached: true,
    cwd,
    env: { ...inherited, ...env },
    stdio: 'pipe',
  })
  const stdout: Buffer[] = []
  const stderr: Buffer[] = []
  child.stdout.on('data', (c: Buffer) => stdout.push(c))
  child.stderr.on('data', (c: Buffer) => stderr.push(c))
  child.stdin.end(input)
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  let peak = 0
  const sampler = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!) ?? 0)), 25)
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      clearInterval(sampler)
      const out = Buffer.concat(stdout)
      resolve({
        code,
        stdout: out,
        stderr: Buffer.concat(stderr).toString('utf8'),
        out: out.toString('utf8'),
        peakRssBytes: peak,
      })
    })
  })
}

// Each test file imports this module afresh, so the hook below removes that file's folders.
const madeDirs: string[] = []
afterAll(() => {
  for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A fresh temporary directory, removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'burnlink-cli-'))
  madeDirs.push(dir)
  return dir
}

/** A file in a fresh temporary directory. */
export function tempFile(name: string, content: string | Uint8Array): string {
  const path = join(tempDir(), name)
  writeFileSync(path, content)
  return path
}

/** Sends `text` and returns the secret and manage links. */
export async function sendJson(server: string, args: string[] = [], input?: string | Uint8Array) {
  const r = await runCli(['send', '--server', server, '--json', ...args], { input })
  if (r.code !== 0) throw new Error(`send failed (${r.code}): ${r.stderr}`)
  return JSON.parse(r.out) as { link: string; manageLink: string; sid: string; expiresAt: string }
}

/** A shell command on a terminal; `next` waits for the text, `type` answers it. */
export function inTerminal(command: string) {
  const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: 'pipe' })
  let transcript = ''
  let cursor = 0
  child.stdout.on('data', (chunk: Buffer) => {
    transcript += chunk.toString('utf8')
  })
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  return {
    // Answers are typed only once the prompt is up, as a person would: typed earlier, the
    // terminal itself would echo them before the prompt could turn echo off.
    async next(text: string): Promise<void> {
      const deadline = Date.now() + 15_000
      while (transcript.indexOf(text, cursor) === -1) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${JSON.stringify(text)} in ${JSON.stringify(transcript)}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      cursor = transcript.indexOf(text, cursor) + text.length
    },
    type(answer: string): void {
      child.stdin.write(`${answer}\r`)
    },
    async finish(): Promise<{ code: number | null; transcript: string }> {
      const code = await exited
      return { code, transcript }
    },
  }
}
