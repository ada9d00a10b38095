/**
 * The bench's results: one JSON document (bench/results/latest.json) and the tables printed
 * from it. Runs are kept raw in the JSON; the tables show medians with min and max.
 */
import type { CryptoTimes } from './browser-crypto.ts'
import { LIGHTHOUSE_TARGETS, type LighthousePage } from './lighthouse.ts'
import type { FilesReport, Transfer } from './files-transfer.ts'
import type { Generator, LoadResult } from './load.ts'
import type { MemoryResult } from './memory.ts'
import type { WebWeight } from './page-weight.ts'
import type { Op } from './workloads.ts'

export interface Runs {
  baseline: LoadResult[]
  burnlink: LoadResult[]
}

export interface Report {
  machine: { cpu: string; cores: number; node: string; redis: string; date: string }
  options: {
    seconds: number
    pairs: number
    connections: number
    secrets: number
    serverEnv: Record<string, string>
    generator: Generator
  }
  http?: Partial<Record<Op, Runs>>
  scaleout?: { oneProcess: LoadResult[]; twoProcesses: LoadResult[] }
  memory?: MemoryResult
  files?: FilesReport
  pages?: WebWeight
  browser?: CryptoTimes
  lighthouse?: LighthousePage[]
}

interface Spread {
  median: number
  min: number
  max: number
}

function spread(values: number[]): Spread {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
  return { median, min: s[0]!, max: s[s.length - 1]! }
}

/** Interleaved runs are paired: the ratio is taken per pair, then summarised. */
export function pairRatios(
  numerator: LoadResult[],
  denominator: LoadResult[],
  figure: (r: LoadResult) => number = (r) => r.rps,
): Spread {
  return spread(numerator.map((r, i) => figure(r) / figure(denominator[i]!)))
}

const fmt = (s: Spread, digits: number) =>
  `${s.median.toFixed(digits)} [${s.min.toFixed(digits)}-${s.max.toFixed(digits)}]`
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

function loadRow(label: string, who: string, runs: LoadResult[]): string[] {
  const failed = runs.reduce((n, r) => n + r.failed, 0)
  const overrun = runs.reduce((n, r) => n + r.overrun, 0)
  const statuses = [...new Set(runs.flatMap((r) => Object.keys(r.failures)))].join('/')
  return [
    label,
    who,
    fmt(spread(runs.map((r) => r.rps)), 0),
    fmt(spread(runs.map((r) => r.p50)), 2),
    fmt(spread(runs.map((r) => r.p99)), 2),
    fmt(spread(runs.map((r) => r.cpuMsPerOp ?? Number.NaN)), 3),
    fmt(spread(runs.map((r) => r.redisCpuMsPerOp ?? Number.NaN)), 3),
    `${failed}${statuses ? ` (HTTP ${statuses})` : ''}${overrun ? ` (pool ran out: ${overrun})` : ''}`,
  ]
}

export function printReport(r: Report): void {
  const { machine: m, options: o } = r
  console.log(`\nburnlink bench, ${m.date}: ${m.cores} x ${m.cpu}, Node ${m.node}, Redis ${m.redis}`)
  console.log(
    `${o.generator}, ${o.connections} connections, ${o.seconds} s per run, ${o.pairs} interleaved pair(s); median [min-max] of the runs`,
  )
  console.log(
    'CPU ms/op: server process(es) plus Redis, user + system, per 2xx answer; ratios are burnlink/baseline per pair',
  )
  const env = Object.entries(o.serverEnv)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')
  console.log(env ? `burnlink server with ${env}\n` : '')
  if (r.http) {
    const rows = [['operation', 'server', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/op', 'of it Redis', 'failed']]
    for (const [op, runs] of Object.entries(r.http) as Array<[Op, Runs]>) {
      rows.push(loadRow(op, 'baseline', runs.baseline), loadRow(op, 'burnlink', runs.burnlink))
      const ratio = (figure?: (r: LoadResult) => number) => fmt(pairRatios(runs.burnlink, runs.baseline, figure), 2)
      rows.push([op, 'ratio', ratio(), '', ratio((x) => x.p99), ratio((x) => x.cpuMsPerOp ?? Number.NaN), '', ''])
    }
    console.log(table(rows))
  }
  if (r.scaleout) {
    const { oneProcess, twoProcesses } = r.scaleout
    console.log('\nscale-out, reveal, one Redis:')
    console.log(
      table([
        ['servers', '', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/op', 'of it Redis', 'failed'],
        loadRow('1 process', '', oneProcess),
        loadRow('2 processes', '', twoProcesses),
        ['ratio 2/1', '', fmt(pairRatios(twoProcesses, oneProcess), 2), '', '', '', '', ''],
      ]),
    )
  }
  if (r.memory) {
    const { secrets, ctBytes, bytesPerSecret, keyUsage } = r.memory
    console.log(
      `\nRedis memory: ${bytesPerSecret} bytes per secret (${kb(bytesPerSecret)}) over ${secrets} secrets of 1000 bytes of text (ct ${ctBytes} bytes)`,
    )
    const usage = Object.entries(keyUsage ?? {}).filter(([, bytes]) => bytes > 0)
    console.log(`MEMORY USAGE of one secret's keys: ${usage.map(([k, bytes]) => `:${k} ${bytes}`).join(', ')}`)
  }
  if (r.files) printFiles(r.files)
  if (r.pages) {
    console.log('\npage weight, gzip -9, before any click:')
    console.log(table([['page', 'JS', 'CSS'], ...r.pages.pages.map((p) => [p.page, kb(p.js), kb(p.css)])]))
    console.log(`loaded on demand: ${r.pages.lazy.map((l) => `${l.file} ${kb(l.gzip)}`).join(', ')}`)
    console.log(`Argon2 (hash-wasm) in: ${r.pages.argon2Files.join(', ') || 'not found'}`)
  }
  if (r.browser) {
    const b = r.browser
    const ms = (t: { median: number; max: number }) => `${t.median.toFixed(0)} ms (max ${t.max.toFixed(0)})`
    console.log(
      `\nheadless Chromium, median of ${b.iterations}: seal 64 KiB ${ms(b.seal64k)}, open 64 KiB ${ms(b.open64k)}, Argon2id ${b.argon2id.params} ${ms(b.argon2id)}`,
    )
    console.log(
      `secret request, 64 KiB answer: make ${ms(b.request.make)}, answer ${ms(b.request.answer)}, collect ${ms(b.request.collect)}`,
    )
  }
  if (r.lighthouse) {
    const t = LIGHTHOUSE_TARGETS
    console.log('\nLighthouse 12.2.3, mobile (simulated slow 4G), median [min-max] of the runs:')
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`
    const perf = (f: { runs: Array<{ performance: number }> }) => f.runs.map((r) => r.performance)
    const tbt = (f: { runs: Array<{ totalBlockingTimeMs: number }> }) => f.runs.map((r) => r.totalBlockingTimeMs)
    const pair = (own: number[], other: number[]) => fmt(spread(own.map((v, i) => v - other[i]!)), 0)
    console.log(
      table([
        ['page', 'performance', 'accessibility', 'best practices', 'FCP', 'LCP', 'TBT', 'transferred'],
        ...r.lighthouse.map((p) => [
          p.page,
          fmt(spread(perf(p)), 0),
          String(p.accessibility),
          String(p.bestPractices),
          s(p.firstContentfulPaintMs),
          s(p.largestContentfulPaintMs),
          `${fmt(spread(tbt(p)), 0)} ms`,
          kb(p.transferredBytes),
        ]),
        ['target', `>= ${t.performance}`, String(t.accessibility), String(t.bestPractices), '', '', '', ''],
      ]),
    )
    console.log(
      '\nThe same pages in the same run, interleaved: without Cross-Origin-Opener-Policy (a proxy takes it out; the page keeps its scripts), and the baseline: the page once settled, its own headers kept and every script taken out (no rendering of the same content can do better here). Differences are per run:',
    )
    console.log(
      table([
        ['page', 'without COOP', 'TBT', 'as served minus it', 'without scripts', 'TBT', 'as served minus it'],
        ...r.lighthouse.map((p) => [
          p.page,
          fmt(spread(perf(p.withoutCoop)), 0),
          `${fmt(spread(tbt(p.withoutCoop)), 0)} ms`,
          pair(perf(p), perf(p.withoutCoop)),
          fmt(spread(perf(p.withoutScripts)), 0),
          `${fmt(spread(tbt(p.withoutScripts)), 0)} ms`,
          pair(perf(p), perf(p.withoutScripts)),
        ]),
      ]),
    )
  }
}

/** Targets of issue 12: ratio to the bare route, RSS growth, Redis bytes per stored byte. */
export const FILE_TARGETS = { ratio: 0.7, rssGrowthBytes: 64 * 1024 * 1024, redisPerStoredByte: 1.05 }

function printFiles(f: FilesReport): void {
  const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(0)} MB`
  console.log(
    `\nfile transfer, ${mb(f.fileBytes)} through the CLI's flows (encryption included) against a bare route to the same blob store, MB/s of plaintext:`,
  )
  const rows = [
    [
      'blob store',
      'server',
      'upload MB/s',
      'download MB/s',
      'CPU ms/MB up: server',
      'client',
      'down: server',
      'client',
    ],
  ]
  const picks: Array<(t: Transfer) => number> = [
    (t) => t.upMBps,
    (t) => t.downMBps,
    (t) => t.cpu.serverUp,
    (t) => t.cpu.clientUp,
    (t) => t.cpu.serverDown,
    (t) => t.cpu.clientDown,
  ]
  for (const s of f.stores) {
    for (const [name, runs] of [
      ['baseline', s.baseline],
      ['burnlink', s.burnlink],
    ] as const) {
      rows.push([s.store, name, ...picks.map((pick) => fmt(spread(runs.map(pick)), 1))])
    }
    const ratio = (pick: (t: Transfer) => number) =>
      fmt(spread(s.burnlink.map((t, i) => pick(t) / pick(s.baseline[i]!))), 2)
    rows.push([s.store, 'ratio', ...picks.map(ratio)])
  }
  rows.push(['target', '', `>= ${FILE_TARGETS.ratio}`, `>= ${FILE_TARGETS.ratio}`, '', '', '', ''])
  console.log(table(rows))
  for (const { store, beforeBytes, peakBytes } of f.rss) {
    console.log(
      `server RSS while ${mb(f.rssFileBytes)} went up and down, ${store} blob store: ${mb(beforeBytes)} -> ${mb(peakBytes)}, growth ${mb(peakBytes - beforeBytes)} (target < 64 MiB)`,
    )
  }
  console.log(
    `Redis memory per stored MB of chunks: ${f.redisPerStoredByte.toFixed(3)} MB (target <= ${FILE_TARGETS.redisPerStoredByte})`,
  )
}
