/**
 * Saving received files: each is written under a temporary name in the target directory
 * and only put in place once whole, so a download that fails or is found altered leaves
 * nothing behind, and an existing file is never replaced unless the person asked for it.
 */
import { randomBytes } from 'node:crypto'
import { createWriteStream, existsSync, linkSync, renameSync, rmSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { numberedName } from './filenames.ts'

export interface Saved {
  path: string
  /** Set when an existing file had the name, so another was used. */
  wanted?: string
}

/** Puts `temp` at `target` unless something is there; false when something is. */
function placeNew(temp: string, target: string): boolean {
  try {
    // A hard link fails atomically on an existing name, where a check then a rename would race.
    linkSync(temp, target)
    unlinkSync(temp)
    return true
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return false
    // File systems without hard links (some network and FAT mounts).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw e
    if (existsSync(target)) return false
    renameSync(temp, target)
    return true
  }
}

/**
 * Writes `pieces` to `dir/name`, or to `name (n)` when that name is taken (by an existing
 * file without `force`, or by a file this run already saved). The file is readable by its
 * owner only: it holds what someone chose to send as a secret.
 */
export async function saveFile(
  dir: string,
  name: string,
  pieces: AsyncIterable<Uint8Array>,
  o: { force: boolean; taken: Set<string> },
): Promise<Saved> {
  const temp = join(dir, `.burnlink-${randomBytes(6).toString('hex')}.part`)
  // Interrupted, the process still leaves no part of a file behind.
  const interrupted = (signal: NodeJS.Signals) => {
    rmSync(temp, { force: true })
    process.kill(process.pid, signal)
  }
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted)
  try {
    await pipeline(pieces, createWriteStream(temp, { flags: 'wx', mode: 0o600 }))
    let existed = false
    for (let n = 0; ; n++) {
      const candidate = n === 0 ? name : numberedName(name, n)
      // Two files of one name in the secret: the second never replaces the first, --force or not.
      if (o.taken.has(candidate)) continue
      const target = join(dir, candidate)
      if (o.force && n === 0) renameSync(temp, target)
      else if (!placeNew(temp, target)) {
        existed = true
        continue
      }
      o.taken.add(candidate)
      return existed ? { path: target, wanted: name } : { path: target }
    }
  } catch (e) {
    rmSync(temp, { force: true })
    throw e
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted)
  }
}
