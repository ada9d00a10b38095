/**
 * The Docker side of the compose test: finding (or starting) an engine and a Compose, the
 * base images the project's files name, and running commands with their output kept for the
 * failure message.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface Run {
  status: number | null
  stdout: string
  stderr: string
}

export function run(cmd: string, args: string[], options: SpawnSyncOptions = {}): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, cwd: ROOT, ...options })
  return { status: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? r.error ?? '') }
}

/** Runs a command and returns its stdout, or throws with everything it printed. */
export function must(cmd: string, args: string[], options: SpawnSyncOptions = {}): string {
  const r = run(cmd, args, options)
  if (r.status !== 0) {
    throw new Error(`${[cmd, ...args].join(' ')} exited with ${r.status}:\n${r.stdout}\n${r.stderr}`)
  }
  return r.stdout
}

export type Engine = { ok: true; compose: string[]; composeEnv: NodeJS.ProcessEnv } | { ok: false; reason: string }

/**
 * An engine that answers, starting one where this user may (scripts/ci/docker-engine.sh), and a
 * Compose: the v2 plugin, else the standalone v1 `docker-compose`. v1 builds through the
 * engine's API with the classic builder, which needs no buildx and pulls no frontend image.
 */
export function findEngine(): Engine {
  if (run('docker', ['--version']).status !== 0) {
    return { ok: false, reason: 'no docker command (apt-get install docker.io)' }
  }
  const started = run('bash', [join(ROOT, 'scripts/ci/docker-engine.sh')])
  if (started.status !== 0) return { ok: false, reason: started.stderr.trim() || 'no Docker engine answers' }
  if (run('docker', ['compose', 'version']).status === 0) {
    return { ok: true, compose: ['docker', 'compose'], composeEnv: process.env }
  }
  if (run('docker-compose', ['version']).status === 0) {
    return {
      ok: true,
      compose: ['docker-compose'],
      composeEnv: { ...process.env, COMPOSE_DOCKER_CLI_BUILD: '0', DOCKER_BUILDKIT: '0' },
    }
  }
  return { ok: false, reason: 'a Docker engine answers but there is no Compose (apt-get install docker-compose)' }
}

/**
 * The images the build and the compose file pull: the Dockerfile's FROM lines that are not
 * its own stages, and the `image:` of every compose service that is not built here. The
 * compose file is read by its indentation (services at two spaces, their keys at four).
 */
export function baseImages(): string[] {
  const images = new Set<string>()
  const stages = new Set<string>()
  for (const line of readFileSync(join(ROOT, 'Dockerfile'), 'utf8').split('\n')) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line)
    if (!from) continue
    if (!stages.has(from[1]!)) images.add(from[1]!)
    if (from[2]) stages.add(from[2])
  }
  const services: Array<{ image?: string; build: boolean }> = []
  let inServices = false
  for (const line of readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8').split('\n')) {
    if (/^\S/.test(line)) inServices = line.startsWith('services:')
    if (!inServices) continue
    if (/^ {2}[\w.-]+:\s*$/.test(line)) services.push({ build: false })
    const service = services.at(-1)
    if (!service) continue
    const image = /^ {4}image:\s*['"]?([^'"\s]+)/.exec(line)
    if (image) service.image = image[1]
    if (/^ {4}build:/.test(line)) service.build = true
  }
  for (const s of services) if (s.image && !s.build) images.add(s.image)
  return [...images]
}

const CACHE_REPO = 'burnlink-compose-test/build-cache'

/**
 * The classic builder keeps each stage of a multi-stage build only as an untagged image: the
 * next build's cache. Tags the stage images of this build (read from its `---> id` lines) so
 * they stay, and drops those of earlier builds, which would otherwise pile up (a changed
 * lockfile leaves ~400 MB behind each time), the image `burnlink:latest` used to name among
 * them. BuildKit prints no such lines and manages its own cache: then nothing is done.
 */
export function keepOnlyThisBuildCache(buildOutput: string): void {
  const stageImages = new Set<string>()
  let last = ''
  for (const line of buildOutput.split('\n')) {
    if (/^Step \d+\/\d+ : FROM /i.test(line) && last) stageImages.add(last)
    last = /^ ---> ([0-9a-f]{12})\s*$/.exec(line)?.[1] ?? last
  }
  if (last) stageImages.add(last)
  if (stageImages.size === 0) return
  const earlier = must('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', CACHE_REPO])
  const stamp = Date.now().toString(36)
  let n = 0
  for (const id of stageImages) must('docker', ['tag', id, `${CACHE_REPO}:${stamp}-${n++}`])
  for (const ref of earlier.split('\n').filter(Boolean)) run('docker', ['rmi', ref])
}
