/**
 * `docker compose up`, as a self-hoster runs it: the image is built from the project's
 * Dockerfile and docker-compose.yml is brought up unchanged, on port 3000. Then the server must
 * become healthy, run as a non-root user on a read-only root filesystem, serve a secret sent
 * and revealed by the CLI exactly once, and log no error. Where no registry is reachable, the
 * base images are local stand-ins (scripts/ci/standin-images.sh); the output says which.
 * Skipped, loudly, only where no Docker engine can be had.
 */
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../cli/test/helpers.ts'
import { baseImages, findEngine, keepOnlyThisBuildCache, must, ROOT, run } from './docker.ts'

const PROJECT = 'burnlink-compose-test'
const SERVER = 'http://127.0.0.1:3000'
const HEALTHY_WITHIN_MS = 120_000

const engine = findEngine()

if (!engine.ok) {
  console.warn(`\n!!! SKIPPING the docker compose test: ${engine.reason}\n`)
  const why = engine.reason.split('\n')[0]
  describe.skip(`docker compose up (SKIPPED: no Docker engine could be started: ${why})`, () => {
    it('builds, starts and serves a secret', () => {})
  })
} else {
  const { compose: composeCmd, composeEnv } = engine
  const compose = (...args: string[]) =>
    must(composeCmd[0]!, [...composeCmd.slice(1), '-p', PROJECT, ...args], { env: composeEnv })

  describe('docker compose up', () => {
    let container = ''
    const secret = `compose test ${randomBytes(12).toString('base64url')} ✓`
    let link = ''

    beforeAll(async () => {
      let t = Date.now()
      const images = run('bash', [join(ROOT, 'scripts/ci/standin-images.sh'), ...baseImages()])
      if (images.stderr.trim()) console.log(images.stderr.trim())
      expect(images.status, 'the base images could not be had (see above)').toBe(0)
      console.log(
        `compose: base images (${((Date.now() - t) / 1000).toFixed(0)} s): ${images.stdout.trim().split('\n').join(', ')}`,
      )

      await expectPortFree(3000)
      t = Date.now()
      keepOnlyThisBuildCache(compose('build'))
      const buildSeconds = (Date.now() - t) / 1000
      t = Date.now()
      compose('up', '-d')
      container = compose('ps', '-q', 'burnlink').trim()
      expect(container, 'compose started no burnlink container').not.toBe('')
      await waitHealthy(container)
      console.log(
        `compose: build ${buildSeconds.toFixed(0)} s, up to healthy ${((Date.now() - t) / 1000).toFixed(0)} s`,
      )
    }, 900_000)

    afterAll(() => {
      run(composeCmd[0]!, [...composeCmd.slice(1), '-p', PROJECT, 'down', '-v', '--remove-orphans'], {
        env: composeEnv,
      })
    }, 120_000)

    it('runs the server as a non-root user on a read-only root filesystem', () => {
      const status = must('docker', ['exec', container, 'cat', '/proc/1/status'])
      const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1]
      expect(uid, `no Uid line in /proc/1/status:\n${status}`).toBeDefined()
      expect(uid, 'the server process (PID 1) runs as root').not.toBe('0')
      expect(must('docker', ['inspect', '-f', '{{.HostConfig.ReadonlyRootfs}}', container]).trim()).toBe('true')
      // Even root cannot write: read-only, not merely unwritable by the node user.
      const write = run('docker', [
        'exec',
        '-u',
        '0',
        container,
        'node',
        '-e',
        "require('fs').writeFileSync('/app/probe', 'x')",
      ])
      expect(write.status).not.toBe(0)
      expect(write.stderr).toContain('EROFS')
    })

    it('sends a secret with the CLI and reveals it exactly once', async () => {
      const sent = await runCli(['send', '--server', SERVER], { input: secret })
      expect(sent.code, sent.stderr).toBe(0)
      link = sent.out.trim()
      expect(link.startsWith(`${SERVER}/`), link).toBe(true)

      const first = await runCli(['get', link])
      expect(first.code, first.stderr).toBe(0)
      expect(first.out).toBe(secret)

      const second = await runCli(['get', link])
      expect(second.code, `a second reveal must be refused as gone (4): ${second.stderr}`).toBe(4)
      expect(second.out).toBe('')
    })

    it('logs no error, and nothing of the secret', () => {
      const logs = run('docker', ['logs', container])
      const lines = `${logs.stdout}\n${logs.stderr}`.split('\n').filter((l) => l.trim() !== '')
      const entries: Array<{ level: number; msg?: string }> = []
      const notJson: string[] = []
      for (const line of lines) {
        try {
          entries.push(JSON.parse(line))
        } catch {
          notJson.push(line)
        }
      }
      expect(entries.length, 'the server logged nothing at all').toBeGreaterThan(0)
      expect(notJson, 'lines that are not the server JSON log (a crash, a stack, a warning)').toEqual([])
      // pino levels: 50 error, 60 fatal.
      expect(entries.filter((e) => e.level >= 50)).toEqual([])
      // pino 40 is warn: compose's own Redis must pass every start-up check.
      expect(entries.filter((e) => e.level === 40).map((e) => e.msg)).toEqual([])
      expect(lines.join('\n')).not.toContain(secret)
      expect(link, 'the send test did not run').not.toBe('')
      expect(lines.join('\n')).not.toContain(link.split('#')[1])

      const redis = compose('logs', '--no-color', 'redis')
      expect(redis.split('\n').filter((l) => /\b(error|fatal|panic)\b/i.test(l))).toEqual([])
    })
  })
}

/** The compose file publishes port 3000; a busy port would make `up` fail with less to go on. */
async function expectPortFree(port: number): Promise<void> {
  const server = createServer()
  const error = await new Promise<Error | undefined>((resolve) => {
    server.once('error', resolve)
    server.listen(port, '0.0.0.0', () => resolve(undefined))
  })
  if (!error) await new Promise((resolve) => server.close(resolve))
  expect(error, `port ${port} is in use: docker-compose.yml publishes it, so stop what holds it`).toBeUndefined()
}

async function waitHealthy(container: string): Promise<void> {
  const deadline = Date.now() + HEALTHY_WITHIN_MS
  let health = ''
  while (Date.now() < deadline) {
    health = run('docker', [
      'inspect',
      '-f',
      '{{if .State.Health}}{{.State.Health.Status}}{{end}}',
      container,
    ]).stdout.trim()
    if (health === 'healthy') return
    if (
      health === 'unhealthy' ||
      run('docker', ['inspect', '-f', '{{.State.Running}}', container]).stdout.trim() !== 'true'
    ) {
      break
    }
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
  const logs = run('docker', ['logs', '--tail', '50', container])
  throw new Error(
    `the burnlink container is not healthy (${health || 'no health status'}):\n${logs.stdout}${logs.stderr}`,
  )
}
