/**
 * CPU time per successful operation, the figure issue 17 optimises: far steadier than
 * requests per second on a shared machine, since it counts the work done, not how much of
 * the cores the processes got. Read from /proc/<pid>/stat (utime + stime, in clock ticks)
 * of the server processes and Redis, before and after a run.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100

/** User plus system CPU of the processes so far, in milliseconds. */
export function cpuMs(pids: number[]): number {
  let ticks = 0
  for (const pid of pids) {
    // The command name in parentheses may hold spaces: count fields after its closing one.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    ticks += Number(fields[11]) + Number(fields[12])
  }
  return (ticks * 1000) / TICKS_PER_SECOND
}
