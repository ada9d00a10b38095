/**
 * Server processes for the bench: the built burnlink server and the baseline, each its own
 * Node process on a free loopback port. Their output goes to a file, as logs go to a
 * collector in production: the server pays for writing its log lines, the bench does not
 * pay for reading them. Readiness is a 200 from /healthz, whatever the log level.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { openSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'

export interface BenchServer {
  url: string
  /** For its CPU time (cpu.ts). */
  pid: number
  stop(): Promise<void>
}

/** A port the OS just handed out; nothing else on this machine races the bench for it. */
export async function unusedPort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as { port: number }
  await new Promise((r) => probe.close(r))
  return port
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`)).ok
  } catch {
    return false
  }
}

export async function spawnServer(
  script: string,
  env: Record<string, string>,
  logFile: string,
  nodeArgs: string[] = [],
): Promise<BenchServer> {
  const port = await unusedPort()
  const log = openSync(logFile, 'w')
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', log, log],
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 10_000
  while (!(await answers(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${script} did not start:\n${readFileSync(logFile, 'utf8').slice(-2000)}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    url,
    pid: child.pid!,
    stop: async () => void (child.exitCode === null && child.kill('SIGTERM') && (await once(child, 'exit'))),
  }
}
