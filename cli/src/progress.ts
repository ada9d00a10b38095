/**
 * A progress line on stderr for uploads and downloads, only at a terminal: a pipe or a log
 * file gets nothing from it, so scripts see errors alone on stderr.
 */
import { escapeControls } from './io.ts'

export interface Progress {
  add(bytes: number): void
  /** Leaves the last line standing, so the person sees the total and the time taken. */
  done(): void
}

const REDRAW_MS = 100
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']

export function formatBytes(n: number): string {
  let value = n
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${UNITS[unit]}`
}

function formatSeconds(seconds: number): string {
  const s = Math.round(seconds)
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)]
  const ss = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

const silent: Progress = { add() {}, done() {} }

/** `total` bytes to move; `label` says what moves (escaped: it may quote a sender's file name). */
export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return silent
  const started = Date.now()
  let moved = 0
  let drawn = 0
  const draw = () => {
    drawn = Date.now()
    const elapsed = Math.max((drawn - started) / 1000, 0.001)
    const rate = moved / elapsed
    const fraction = total > 0 ? Math.min(moved / total, 1) : 1
    const eta =
      moved >= total ? `in ${formatSeconds(elapsed)}` : rate > 0 ? `${formatSeconds((total - moved) / rate)} left` : ''
    const figures = ` ${Math.floor(fraction * 100)}% ${formatBytes(moved)} / ${formatBytes(total)}  ${formatBytes(rate)}/s  ${eta}`
    const columns = stream.columns || 80
    const width = Math.max(10, Math.min(30, columns - figures.length - 30))
    const filled = Math.round(fraction * width)
    const name = escapeControls(label).slice(0, Math.max(0, columns - figures.length - width - 4))
    stream.write(`\r\x1b[K${name} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}]${figures}`)
  }
  return {
    add(bytes) {
      moved += bytes
      if (Date.now() - drawn >= REDRAW_MS) draw()
    },
    done() {
      draw()
      stream.write('\n')
    },
  }
}
