/**
 * A real Prometheus (Debian's `prometheus` package) scrapes the built server's metrics
 * listener on loopback every second while secrets are created, revealed and burned; its
 * own query API must then answer the exact numbers. It also runs the alert rules of
 * docs/operating.md, two of which must fire when Redis goes away. In CI a missing
 * Prometheus fails the test; elsewhere it is skipped with a line nobody can miss.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TOKEN_BYTES, encodeB64u, randomBytes, unlockSecret } from '@burnlink/shared'
import { postSecrets } from '../helpers/http-secrets.ts'
import { NO_RATE_LIMITS, waitFor } from '../helpers/load.ts'
import { freePort, startRedisServer, type RedisServer } from '../helpers/redis.ts'
import { newSeed } from '../helpers/seeds.ts'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts'

const PROMETHEUS = process.env.PROMETHEUS_PATH ?? 'prometheus'
const INSTALL_HINT = `no ${PROMETHEUS} on PATH: install it with "sudo apt-get install prometheus" (or set PROMETHEUS_PATH)`
const MAX_FAILED_ATTEMPTS = 3
/** Redis' maxmemory in the test, and the storage budget the server derives from it (80 %). */
const MAXMEMORY = 64 * 1024 * 1024

/** The alert rules as docs/operating.md gives them: its one YAML block with `groups:`. */
function documentedRules(): string {
  const guide = readFileSync(new URL('../../docs/operating.md', import.meta.url), 'utf8')
  const block = [...guide.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((y) => y.startsWith('groups:'))
  if (!block) throw new Error('docs/operating.md has no alert rules')
  return block
}

function hasPrometheus(): boolean {
  if (spawnSync(PROMETHEUS, ['--version'], { stdio: 'ignore' }).status === 0) return true
  if (process.env.CI) throw new Error(`the Prometheus test cannot run in CI: ${INSTALL_HINT}`)
  console.warn(`\n!!! SKIPPING the Prometheus test: ${INSTALL_HINT}\n`)
  return false
}

interface Prometheus {
  url: string
  stop(): Promise<void>
}

/**
 * Starts Prometheus on loopback, scraping `target` and evaluating `rules` every second,
 * with its data in a fresh directory.
 */
async function startPrometheus(target: string, rules: string): Promise<Prometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'burnlink-prometheus-'))
  writeFileSync(join(dir, 'rules.yml'), rules)
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'rule_files: [rules.yml]',
      'scrape_configs:',
      '  - job_name: burnlink',
      '    static_configs:',
      `      - targets: ['${target}']`,
      '',
    ].join('\n'),
  )
  const url = `http://127.0.0.1:${await freePort()}`
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=${new URL(url).host}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(killer)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${stderr}`)
        return (await fetch(`${url}/-/ready`).catch(() => undefined))?.status === 200
      },
      30_000,
      200,
    )
  } catch (err) {
    await stop()
    throw new Error(`prometheus did not become ready: ${stderr}`, { cause: err })
  }
  return { url, stop }
}

async function api<T>(prometheus: Prometheus, path: string): Promise<T> {
  const body = (await (await fetch(`${prometheus.url}/api/v1/${path}`)).json()) as { status: string; data: T }
  if (body.status !== 'success') throw new Error(`${path} failed: ${JSON.stringify(body)}`)
  return body.data
}

/** One instant query; each of ours selects exactly one series. */
async function query(prometheus: Prometheus, promql: string): Promise<number | undefined> {
  const { result } = await api<{ result: Array<{ value: [number, string] }> }>(
    prometheus,
    `query?query=${encodeURIComponent(promql)}`,
  )
  if (result.length > 1) throw new Error(`query ${promql} matched ${result.length} series`)
  const value = result[0]?.value[1]
  return value === undefined ? undefined : Number(value)
}

describe.runIf(hasPrometheus())('a real Prometheus scraping the metrics listener', () => {
  let redis: RedisServer
  let server: ServerProcess
  let prometheus: Prometheus

  beforeAll(async () => {
    // A Redis of its own: the test takes it away at the end.
    redis = await startRedisServer(['--maxmemory', String(MAXMEMORY)])
    server = await startServerProcess({
      REDIS_URL: redis.url,
      METRICS_PORT: '0',
      MAX_FAILED_ATTEMPTS: String(MAX_FAILED_ATTEMPTS),
      ...NO_RATE_LIMITS,
    })
    let metricsPort: number | undefined
    await waitFor(() => {
      metricsPort = server.logs.find((l) => l.msg === 'metrics listening at /metrics')?.port as number | undefined
      return metricsPort !== undefined
    }, 10_000)
    prometheus = await startPrometheus(`127.0.0.1:${metricsPort}`, documentedRules())
  })
  afterAll(async () => {
    await prometheus?.stop()
    await server?.stop()
    await redis?.stop()
  })

  it('finds the exact counts of a known session through its query API', async () => {
    const token = () => encodeB64u(randomBytes(TOKEN_BYTES))
    const secrets = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const { prepared, k, access } = await newSeed({ text: 'hunter2', maxViews: 1, ttl: 600 })
        return { prepared, access, rev: (await unlockSecret({ k, hdr: prepared.request.hdr })).rev }
      }),
    )
    const call = async (path: string, body: unknown, status: number) =>
      expect((await postSecrets(server.url, path, body)).status, `${path} ${JSON.stringify(body)}`).toBe(status)

    for (const s of secrets) await call('', s.prepared.request, 201)
    type Secret = (typeof secrets)[number]
    const [a, b, c, d, e] = secrets as [Secret, Secret, Secret, Secret, Secret]
    await call('/reveal', { ...a.access, rev: a.rev }, 200)
    await call('/reveal', { ...a.access, rev: a.rev }, 410)
    await call('/reveal', { ...b.access, rev: b.rev }, 200)
    for (let i = 0; i < 2; i++) await call('/reveal', { ...c.access, rev: token() }, 401)
    await call('/burn', c.access, 200)
    await call('/burn', { sid: d.prepared.sid, mt: d.prepared.mt }, 200)
    for (let i = 0; i < MAX_FAILED_ATTEMPTS; i++) await call('/reveal', { ...e.access, rev: token() }, 401)
    await call('/reveal', { ...e.access, rev: e.rev }, 410)

    const expected = {
      'up{job="burnlink"}': 1,
      burnlink_store_up: 1,
      burnlink_secrets_created_total: 5,
      burnlink_secrets_revealed_total: 2,
      burnlink_wrong_passphrases_total: 2 + MAX_FAILED_ATTEMPTS,
      'burnlink_secrets_burned_total{reason="creator"}': 1,
      'burnlink_secrets_burned_total{reason="recipient"}': 1,
      'burnlink_secrets_burned_total{reason="attempts"}': 1,
      'burnlink_http_requests_total{route="/api/v1/secrets",status_class="2xx"}': 5,
      'sum(burnlink_http_requests_total{route="/api/v1/secrets/reveal"})': 3 + 2 + MAX_FAILED_ATTEMPTS + 1,
      'sum(burnlink_http_requests_total{route="/api/v1/secrets/reveal",status_class="4xx"})':
        1 + 2 + MAX_FAILED_ATTEMPTS + 1,
      'burnlink_http_request_duration_seconds_count{route="/api/v1/secrets/burn"}': 2,
      'burnlink_store_operation_duration_seconds_count{operation="create"}': 5,
      'burnlink_storage_bytes{measure="budget"}': Math.floor(0.8 * MAXMEMORY),
    }
    const actual = async () =>
      Object.fromEntries(
        await Promise.all(Object.keys(expected).map(async (q) => [q, await query(prometheus, q)] as const)),
      )
    // Scraped every second: the last scrape after the session has every count.
    let seen: Record<string, number | undefined> = {}
    await waitFor(
      async () => {
        seen = await actual()
        return Object.entries(expected).every(([q, v]) => seen[q] === v)
      },
      30_000,
      500,
    ).catch(() => undefined)
    expect(seen).toEqual(expected)
  })

  it('runs the documented alert rules, and the store and 5xx alerts go pending when Redis goes away', async () => {
    type Rules = { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> }
    const rules = async () => (await api<Rules>(prometheus, 'rules')).groups.flatMap((g) => g.rules)
    await waitFor(async () => (await rules()).every((r) => r.health === 'ok'), 10_000, 200).catch(() => undefined)
    expect((await rules()).map(({ name, health, lastError }) => ({ name, health, lastError }))).toEqual([
      { name: 'BurnlinkStoreUnreachable', health: 'ok' },
      { name: 'BurnlinkStorageAbove80PercentOfBudget', health: 'ok' },
      { name: 'BurnlinkServerErrors', health: 'ok' },
    ])

    await redis.kill()
    // Pending, not yet firing: each rule waits its `for` before it fires.
    const active = async () =>
      (await api<{ alerts: Array<{ labels: { alertname: string } }> }>(prometheus, 'alerts')).alerts
        .map((a) => a.labels.alertname)
        .sort()
    // Creates keep failing, as they would through an outage: a rate needs the 5xx counter to
    // grow between two scrapes, not just to appear.
    let seen: string[] = []
    const statuses = new Set<number>()
    await waitFor(
      async () => {
        const { prepared } = await newSeed({ text: 'hunter2', maxViews: 1, ttl: 600 })
        statuses.add((await postSecrets(server.url, '', prepared.request)).status)
        return (seen = await active()).length === 2
      },
      30_000,
      300,
    ).catch(() => undefined)
    expect([...statuses]).toEqual([503])
    expect(seen).toEqual(['BurnlinkServerErrors', 'BurnlinkStoreUnreachable'])
  })

  it('leaves the server able to stop at once while Prometheus still holds its connection', async () => {
    const started = Date.now()
    expect(await server.stop('SIGTERM')).toBe(0)
    expect(Date.now() - started).toBeLessThan(10_000)
  })
})
