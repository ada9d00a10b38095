/**
 * One timed load run with wrk (Debian's package), the load generator the bench prefers: it
 * is C, so on a 2-core machine it leaves the cores to the servers, where autocannon (Node)
 * takes as much CPU as the server it measures and caps what both sides can show.
 *
 * wrk sends from one thread; a Lua script reads the pre-made bodies (one JSON document per
 * line) and sends each once, counts answers by status, and prints its figures as JSON.
 * wrk's latency histogram holds every answer, 2xx or not, at microsecond precision: a run
 * whose failures are not zero says so in the table, and its latencies are not comparable.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LoadOptions, LoadResult } from './load.ts'

const SCRIPT = `
-- Globals, not locals: done() reads them from the thread with thread:get().
bodies, count, next, sent, failures = {}, 0, 1, 0, {}

function init(args)
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  count = #bodies
  reusable = args[2] == 'reusable'
  path = args[3]
end

function request()
  local body = bodies[next]
  next = next % count + 1
  sent = sent + 1
  return wrk.format('POST', path, { ['Content-Type'] = 'application/json' }, body)
end

function response(status)
  if status < 200 or status > 299 then failures[tostring(status)] = (failures[tostring(status)] or 0) + 1 end
end

local threads = {}
function setup(thread) threads[#threads + 1] = thread end

function done(summary, latency)
  local t = threads[1]
  local failed, parts = 0, {}
  for status, n in pairs(t:get('failures')) do
    failed = failed + n
    parts[#parts + 1] = string.format('"%s":%d', status, n)
  end
  local overrun = 0
  if not t:get('reusable') then overrun = math.max(0, t:get('sent') - t:get('count')) end
  local e = summary.errors
  io.write(string.format(
    '\\nWRK-RESULT {"requests":%d,"durationUs":%d,"failed":%d,"socketErrors":%d,"p50Us":%d,"p99Us":%d,"overrun":%d,"failures":{%s}}\\n',
    summary.requests, summary.duration, failed, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), overrun, table.concat(parts, ',')))
end
`

/** True when `wrk` runs here; the bench falls back to autocannon otherwise and says so. */
export async function hasWrk(): Promise<boolean> {
  const child = spawn('wrk', ['-v'], { stdio: 'ignore' })
  try {
    await once(child, 'exit')
    return true
  } catch {
    return false
  }
}

/** Two runs at once (the scale-out part) each need their own files. */
let runs = 0

export async function runWrk({ url, workload, connections, seconds }: LoadOptions, dir: string): Promise<LoadResult> {
  // Per run: a second run rewriting a shared script while the first wrk reads it left that
  // one without its done() (no result line).
  const run = runs++
  const script = join(dir, `load-${run}.lua`)
  const bodies = join(dir, `bodies-${run}.jsonl`)
  writeFileSync(script, SCRIPT)
  writeFileSync(bodies, Buffer.concat(workload.bodies.flatMap((b) => [b, Buffer.from('\n')])))
  const child = spawn(
    'wrk',
    // Everything after `--` goes to init(): the bodies, whether they may be sent again, the path.
    [
      '-t1',
      `-c${connections}`,
      `-d${seconds}s`,
      '--timeout',
      '5s',
      '-s',
      script,
      url,
      '--',
      bodies,
      workload.reusable ? 'reusable' : 'once',
      workload.path,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  child.stdout.setEncoding('utf8')
  let out = ''
  child.stdout.on('data', (d: string) => (out += d))
  const [code] = (await once(child, 'exit')) as [number | null]
  rmSync(bodies)
  rmSync(script)
  const line = /^WRK-RESULT (.*)$/m.exec(out)?.[1]
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}):\n${out.slice(-2000)}`)
  const r = JSON.parse(line) as {
    requests: number
    durationUs: number
    failed: number
    socketErrors: number
    p50Us: number
    p99Us: number
    overrun: number
    failures: Record<string, number>
  }
  const ok = r.requests - r.failed
  return {
    rps: ok / (r.durationUs / 1e6),
    p50: r.p50Us / 1000,
    p99: r.p99Us / 1000,
    ok,
    failed: r.failed + r.socketErrors,
    failures: r.failures,
    overrun: r.overrun,
  }
}
