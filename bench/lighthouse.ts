/**
 * First paint on a phone (issue 15), as Lighthouse 12.2.3 sees it with its default mobile
 * preset (a mid-range phone on a slow 4G link, simulated) in Debian's Chromium: the create
 * page, the reveal page of a real link, and My links, each served by the built server from
 * a fresh build. Scores and times are medians over the runs; the bytes are what the page
 * transferred, headers included.
 *
 * LIGHTHOUSE_REPORT_DIR=/some/dir keeps every run's full report there (`<page>-<run>.json`):
 * the critical request chains, long tasks, bootup time and network requests behind a score;
 * and, in `<page>-<run>.lantern.txt`, the requests and main-thread tasks that Lighthouse's
 * simulation (lantern) counted into its first and largest contentful paint, which the report
 * leaves out; and in `<page>-<run>.trace.json` the unthrottled trace the simulation started from.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import lighthouse, { type RunnerResult } from 'lighthouse'
import { LanternFirstContentfulPaint } from 'lighthouse/core/computed/metrics/lantern-first-contentful-paint.js'
import { LanternLargestContentfulPaint } from 'lighthouse/core/computed/metrics/lantern-largest-contentful-paint.js'
import { chromium } from 'playwright-core'
import { CHROMIUM_PATH, seedSecret } from '../tests/helpers/browser.ts'
import { percentile } from './load.ts'
import { unusedPort } from './processes.ts'

/** What the issue asks of every page: performance at least 98, the other two 100. */
export const LIGHTHOUSE_TARGETS = { performance: 98, accessibility: 100, bestPractices: 100 } as const

export interface LighthousePage {
  page: 'create' | 'reveal' | 'links'
  /** Scores out of 100. */
  performance: number
  accessibility: number
  bestPractices: number
  firstContentfulPaintMs: number
  largestContentfulPaintMs: number
  totalBlockingTimeMs: number
  transferredBytes: number
  /**
   * Each run's figures, raw, for the report's [min-max]: one build's runs spread wider than
   * most changes move the median (86-97 on one page, one afternoon).
   */
  runs: Figures[]
}

type Figures = Omit<LighthousePage, 'page' | 'runs'>

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  )

interface LanternNode {
  type: 'network' | 'cpu'
  request?: { url: string }
}
interface LanternEstimate {
  timeInMs: number
  nodeTimings: Map<LanternNode, { startTime: number; endTime: number }>
}

/**
 * Each paint's two simulated graphs (Lighthouse reports their mean): the requests and tasks
 * in each, with their simulated start and end in ms, in the order they end.
 */
async function lanternGraphs(result: RunnerResult): Promise<string> {
  const { artifacts, lhr } = result
  const data = {
    trace: artifacts.Trace,
    devtoolsLog: artifacts.DevtoolsLog,
    gatherContext: artifacts.GatherContext,
    settings: lhr.configSettings,
    URL: artifacts.URL,
    simulator: null,
  }
  const context = { computedCache: new Map() }
  const lines: string[] = []
  for (const [name, metric] of [
    ['first contentful paint', LanternFirstContentfulPaint],
    ['largest contentful paint', LanternLargestContentfulPaint],
  ] as const) {
    const estimates = (await metric.request(data as never, context as never)) as unknown as Record<
      'optimisticEstimate' | 'pessimisticEstimate',
      LanternEstimate
    >
    for (const kind of ['optimisticEstimate', 'pessimisticEstimate'] as const) {
      const { timeInMs, nodeTimings } = estimates[kind]
      lines.push(`${name}, ${kind.replace('Estimate', '')}: ${Math.round(timeInMs)} ms`)
      for (const [node, t] of [...nodeTimings].sort((a, b) => a[1].endTime - b[1].endTime)) {
        const what = node.type === 'network' ? new URL(node.request!.url).pathname : 'main-thread task'
        lines.push(`  ${Math.round(t.startTime)}-${Math.round(t.endTime)} ${what}`)
      }
    }
  }
  return `${lines.join('\n')}\n`
}

export async function measureLighthouse(serverUrl: string, runs: number): Promise<LighthousePage[]> {
  const { link } = await seedSecret(serverUrl, { text: 'measured, never revealed' })
  const pages = [
    ['create', `${serverUrl}/`],
    // Opening a link consumes nothing, so every run sees the same waiting secret.
    ['reveal', link],
    ['links', `${serverUrl}/links`],
  ] as const
  const reportDir = process.env.LIGHTHOUSE_REPORT_DIR
  if (reportDir) mkdirSync(reportDir, { recursive: true })
  const port = await unusedPort()
  // Lighthouse drives the browser over the DevTools port, in a tab of its own.
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', `--remote-debugging-port=${port}`],
  })
  try {
    const results: LighthousePage[] = []
    for (const [page, url] of pages) {
      const samples: Figures[] = []
      for (let i = 0; i < runs; i++) {
        const result = await lighthouse(url, {
          port,
          logLevel: 'error',
          onlyCategories: ['performance', 'accessibility', 'best-practices'],
        })
        const lhr = result?.lhr
        if (!lhr || lhr.runtimeError)
          throw new Error(`Lighthouse could not measure ${page}: ${lhr?.runtimeError?.message}`)
        if (reportDir) {
          writeFileSync(join(reportDir, `${page}-${i}.json`), JSON.stringify(lhr))
          writeFileSync(join(reportDir, `${page}-${i}.lantern.txt`), await lanternGraphs(result))
          // What each task was made of (open it in Chromium's Performance panel).
          writeFileSync(join(reportDir, `${page}-${i}.trace.json`), JSON.stringify(result.artifacts.Trace))
        }
        const score = (id: string) => Math.round((lhr.categories[id]?.score ?? 0) * 100)
        const value = (id: string) => lhr.audits[id]?.numericValue ?? Number.NaN
        samples.push({
          performance: score('performance'),
          accessibility: score('accessibility'),
          bestPractices: score('best-practices'),
          firstContentfulPaintMs: value('first-contentful-paint'),
          largestContentfulPaintMs: value('largest-contentful-paint'),
          totalBlockingTimeMs: value('total-blocking-time'),
          transferredBytes: value('total-byte-weight'),
        })
      }
      const figures = Object.fromEntries(
        Object.keys(samples[0]!).map((key) => [key, median(samples.map((f) => f[key as keyof Figures]))]),
      ) as Figures
      results.push({ page, ...figures, runs: samples })
      console.log(`measured ${page} with Lighthouse`)
    }
    return results
  } finally {
    await browser.close()
  }
}
