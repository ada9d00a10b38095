/**
 * `npm run bench` (issue 6): burnlink against a bare baseline in the same run, interleaved,
 * then Redis memory per secret, two processes against one, page weight, browser crypto
 * time and Lighthouse's view of the pages (issue 15). Every figure about speed is a ratio
 * to something measured minutes before on the same machine: absolute req/s drift 20-50 %
 * between runs here.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import { RedisStore } from '../server/src/store/redis-store.ts'
import { startRedisServer } from '../tests/helpers/redis.ts'
import { measureBrowserCrypto } from './browser-crypto.ts'
import { measureBrowserFiles, printBrowserFiles, type BrowserFiles } from './browser-files.ts'
import { measureLighthouse } from './lighthouse.ts'
import { cpuMs } from './cpu.ts'
import { BLOB_STORES, measureFiles } from './files-transfer.ts'
import { runLoad, type Generator, type LoadOptions, type LoadResult } from './load.ts'
import { memoryPerSecret } from './memory.ts'
import { buildWebInto, measureWeb } from './page-weight.ts'
import { printReport, type Report, type Runs } from './report.ts'
import { spawnServer, type BenchServer } from './processes.ts'
import { hasWrk, runWrk } from './wrk.ts'
import {
  OPS,
  STORE_OPTIONS,
  baselineWorkloads,
  burnlinkWorkloads,
  sealedEnvelope,
  type Op,
  type Prepare,
} from './workloads.ts'

const PARTS = ['http', 'scaleout', 'memory', 'files', 'pages', 'browser', 'browser-files', 'lighthouse'] as const
/** Each server and operation gets one untimed run first, so no run pays for JIT warm-up. */
const WARMUP_SECONDS = 1

function options(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      seconds: { type: 'string' },
      pairs: { type: 'string' },
      connections: { type: 'string', default: '50' },
      secrets: { type: 'string' },
      'file-mb': { type: 'string' },
      'blob-stores': { type: 'string', default: BLOB_STORES.join(',') },
      'lighthouse-runs': { type: 'string' },
      generator: { type: 'string' },
      ops: { type: 'string', default: OPS.join(',') },
      only: { type: 'string', default: PARTS.join(',') },
      // KEY=VALUE for the burnlink server, repeatable: before/after figures for a change.
      'server-env': { type: 'string', multiple: true, default: [] },
    },
  })
  const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v))
  return {
    seconds: num(values.seconds ?? process.env.BENCH_SECONDS, values.quick ? 1 : 5),
    pairs: num(values.pairs ?? process.env.BENCH_PAIRS, values.quick ? 1 : 3),
    connections: Number(values.connections),
    secrets: num(values.secrets, values.quick ? 10_000 : 100_000),
    blobStores: BLOB_STORES.filter((s) => values['blob-stores']!.split(',').includes(s)),
    fileBytes: num(values['file-mb'], values.quick ? 10 : 100) * 1_000_000,
    browserIterations: values.quick ? 1 : 5,
    lighthouseRuns: num(values['lighthouse-runs'], values.quick ? 1 : 3),
    parts: new Set(values.only!.split(',')),
    generator: values.generator as Generator | undefined,
    ops: OPS.filter((op) => values.ops!.split(',').includes(op)),
    serverEnv: Object.fromEntries(
      values['server-env']!.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    ),
  }
}

/**
 * A one-time workload needs a body per request the server can answer in the run; the best
 * rate seen so far for that server and operation, with room to spare, sizes the next pool.
 */
class PoolSizer {
  private readonly best = new Map<string, number>()
  constructor(private readonly seconds: number) {}
  size(key: string): number {
    // A cold first run can be several times slower than the next: never size below 15k/s, so
    // a first timed run has bodies for 30k/s (the baseline's reveals reached 22k/s and ran
    // out of the 10k/s floor's: a run that runs out counts fewer answers than it could give).
    return Math.ceil(Math.max(this.best.get(key) ?? 0, 15_000) * this.seconds * 2) + 1000
  }
  saw(key: string, result: LoadResult): void {
    this.best.set(key, Math.max(this.best.get(key) ?? 0, result.rps))
  }
}

interface Target {
  name: 'baseline' | 'burnlink'
  server: BenchServer
  prepare: Prepare
}

export async function main({
  argv,
  root,
  baselineScript,
  filesBaselineScript,
}: {
  argv: string[]
  root: string
  baselineScript: string
  filesBaselineScript: string
}): Promise<void> {
  const o = options(argv)
  const work = mkdtempSync(join(tmpdir(), 'burnlink-bench-'))
  const build = spawnSync(process.execPath, [join(root, 'server/build.mjs')], { stdio: 'inherit' })
  if (build.status !== 0) throw new Error('the server build failed')

  const generator = o.generator ?? ((await hasWrk()) ? 'wrk' : 'autocannon')
  if (generator === 'wrk' && !(await hasWrk())) throw new Error('--generator=wrk, but wrk is not installed')
  if (generator === 'autocannon') {
    console.warn(
      'wrk is not installed (apt-get install -y wrk): falling back to autocannon, which shares the cores with ' +
        'the servers and reads lower; the report says which generator measured',
    )
  }
  const load = (options: LoadOptions) => (generator === 'wrk' ? runWrk(options, work) : runLoad(options))

  const redisServer = await startRedisServer()
  const redis = new Redis(redisServer.url)
  // The server's client fails commands after 1 s, right for requests but not for bulk fills.
  const store = new RedisStore(redis, STORE_OPTIONS)
  const servers: BenchServer[] = []
  const burnlinkEnv = {
    REDIS_URL: redisServer.url,
    LOG_LEVEL: 'info',
    RATE_LIMIT_CREATE_PER_MINUTE: '1000000000',
    RATE_LIMIT_READ_PER_MINUTE: '1000000000',
    CREATE_BYTES_PER_HOUR: '1000000000000',
    ...o.serverEnv,
  }
  // e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to see where the server's time goes.
  const serverNodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []
  const startBurnlink = async (n: number) => {
    const server = await spawnServer(
      join(root, 'server/dist/main.js'),
      burnlinkEnv,
      join(work, `burnlink-${n}.log`),
      serverNodeArgs,
    )
    servers.push(server)
    return server
  }
  const report = {
    options: {
      seconds: o.seconds,
      pairs: o.pairs,
      connections: o.connections,
      secrets: o.secrets,
      serverEnv: o.serverEnv,
      generator,
    },
  } as Report
  // Its own figures beside the report's, printed after it (bench/browser-files.ts).
  let browserFiles: BrowserFiles | undefined
  try {
    report.machine = await machine(redis)
    const redisPid = Number(/^process_id:(\d+)/m.exec(await redis.info('server'))?.[1])
    const envelope = await sealedEnvelope()
    const burnlink: Target = {
      name: 'burnlink',
      server: await startBurnlink(1),
      prepare: burnlinkWorkloads(store, envelope),
    }
    const baseline = await spawnServer(baselineScript, { REDIS_URL: redisServer.url }, join(work, 'baseline.log'))
    servers.push(baseline)
    const targets: Target[] = [
      { name: 'baseline', server: baseline, prepare: baselineWorkloads(redis, envelope) },
      burnlink,
    ]
    const sizer = new PoolSizer(o.seconds)

    const measure = async (target: Target, op: Op, seconds: number, servers = [target.server]) => {
      await redis.flushall()
      const key = `${target.name}/${op}`
      const workload = await target.prepare(op, sizer.size(key))
      const share = Math.ceil(workload.bodies.length / servers.length)
      const urls = servers.map((s) => s.url)
      const pids = [...new Set([redisPid, ...servers.map((s) => s.pid)])]
      const cpuBefore = cpuMs(pids)
      const redisBefore = cpuMs([redisPid])
      const parts = await Promise.all(
        urls.map((url, i) =>
          load({
            url,
            seconds,
            connections: o.connections / urls.length,
            workload: { ...workload, bodies: workload.bodies.slice(i * share, (i + 1) * share) },
          }),
        ),
      )
      const result = combine(parts)
      result.cpuMsPerOp = (cpuMs(pids) - cpuBefore) / result.ok
      result.redisCpuMsPerOp = (cpuMs([redisPid]) - redisBefore) / result.ok

      sizer.saw(key, result)
      return result
    }

    if (o.parts.has('http')) {
      report.http = {} as Partial<Record<Op, Runs>>
      for (const op of o.ops) {
        const runs: Runs = { baseline: [], burnlink: [] }
        for (const t of targets) await measure(t, op, WARMUP_SECONDS)
        for (let pair = 0; pair < o.pairs; pair++) {
          for (const t of targets) runs[t.name].push(await measure(t, op, o.seconds))
        }
        report.http[op] = runs
        console.log(`measured ${op}`)
      }
    }
    if (o.parts.has('scaleout')) {
      const second = await startBurnlink(2)
      const one = [burnlink.server, burnlink.server]
      const two = [burnlink.server, second]
      await measure(burnlink, 'reveal', WARMUP_SECONDS, two)
      report.scaleout = { oneProcess: [], twoProcesses: [] }
      for (let pair = 0; pair < o.pairs; pair++) {
        report.scaleout.oneProcess.push(await measure(burnlink, 'reveal', o.seconds, one))
        report.scaleout.twoProcesses.push(await measure(burnlink, 'reveal', o.seconds, two))
      }
      console.log('measured scale-out')
    }
    if (o.parts.has('memory')) report.memory = await memoryPerSecret(store, redis, envelope, o.secrets)
    if (o.parts.has('files')) {
      await redis.flushall()
      report.files = await measureFiles({
        root,
        baselineScript: filesBaselineScript,
        redisUrl: redisServer.url,
        redis,
        work,
        pairs: o.pairs,
        fileBytes: o.fileBytes,
        rssFileBytes: 2 * o.fileBytes,
        serverEnv: o.serverEnv,
        serverNodeArgs,
        stores: o.blobStores,
      })
    }
    // Built once from the current sources, for the page weight and for Lighthouse.
    const web = join(work, 'web')
    if (['pages', 'lighthouse', 'browser-files'].some((p) => o.parts.has(p))) buildWebInto(web, root)
    if (o.parts.has('pages')) report.pages = measureWeb(web)
    if (o.parts.has('browser'))
      report.browser = await measureBrowserCrypto(join(root, 'bench/browser-entry.ts'), o.browserIterations)
    if (o.parts.has('browser-files')) browserFiles = await measureBrowserFiles(root, web, o.browserIterations)
    if (o.parts.has('lighthouse')) {
      const server = await spawnServer(
        join(root, 'server/dist/main.js'),
        { ...burnlinkEnv, WEB_ROOT: web },
        join(work, 'lighthouse-server.log'),
      )
      servers.push(server)
      report.lighthouse = await measureLighthouse(server.url, o.lighthouseRuns)
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()))
    redis.disconnect()
    await redisServer.stop()
    rmSync(work, { recursive: true, force: true })
  }
  printReport(report)
  if (browserFiles) printBrowserFiles(browserFiles)
  mkdirSync(join(root, 'bench/results'), { recursive: true })
  writeFileSync(join(root, 'bench/results/latest.json'), `${JSON.stringify({ ...report, browserFiles }, null, 2)}\n`)
  console.log('\nwritten to bench/results/latest.json')
}

/** Two load generators against one target count as one run: rates add up, latencies take the worse. */
function combine(parts: LoadResult[]): LoadResult {
  return parts.reduce((a, b) => ({
    rps: a.rps + b.rps,
    p50: Math.max(a.p50, b.p50),
    p99: Math.max(a.p99, b.p99),
    ok: a.ok + b.ok,
    failed: a.failed + b.failed,
    failures: Object.fromEntries(
      [...new Set([...Object.keys(a.failures), ...Object.keys(b.failures)])].map((k) => [
        k,
        (a.failures[k] ?? 0) + (b.failures[k] ?? 0),
      ]),
    ),
    overrun: a.overrun + b.overrun,
  }))
}

async function machine(redis: Redis) {
  const version = /^redis_version:(\S+)/m.exec(await redis.info('server'))?.[1] ?? 'unknown'
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    redis: version,
    date: new Date().toISOString(),
  }
}
