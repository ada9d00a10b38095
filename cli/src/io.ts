/**
 * Everything that touches stdin, files and the terminal. Secrets are read as bytes and
 * decoded strictly, so what the recipient prints is exactly what the sender had.
 */
import { closeSync, openSync, readFileSync, statSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'
import { ReadStream, WriteStream } from 'node:tty'
import { CliError, ExitCode, usageError } from './exit.ts'

// ignoreBOM keeps a leading U+FEFF: the text goes out exactly as it came in.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export function decodeText(bytes: Uint8Array, what: string): string {
  try {
    return strictUtf8.decode(bytes)
  } catch {
    throw usageError(`${what} is not UTF-8 text; binary data cannot be sent`)
  }
}

const tooLarge = (what: string, limit: number) => usageError(`${what} is too large: at most ${limit} bytes`)

/** Stops reading as soon as the limit is passed rather than buffering an endless pipe. */
export async function readStdin(limit: number): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw tooLarge('the input', limit)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

export function readSmallFile(path: string, limit: number): Uint8Array {
  try {
    if (statSync(path).size > limit) throw tooLarge(path, limit)
    return readFileSync(path)
  } catch (e) {
    if (e instanceof CliError) throw e
    throw usageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
  }
}

interface Terminal {
  input: NodeJS.ReadStream | ReadStream
  output: NodeJS.WriteStream | WriteStream
  close(): void
}

/**
 * Stdin when it is a terminal; otherwise the controlling terminal itself, so that
 * `echo $TOKEN | burnlink send --passphrase` can still ask. Null when there is none.
 */
function openTerminal(): Terminal | null {
  if (process.stdin.isTTY) return { input: process.stdin, output: process.stderr, close() {} }
  const fds: number[] = []
  try {
    fds.push(openSync('/dev/tty', 'r'))
    fds.push(openSync('/dev/tty', 'w'))
  } catch {
    fds.forEach((fd) => closeSync(fd))
    return null
  }
  const input = new ReadStream(fds[0]!)
  const output = new WriteStream(fds[1]!)
  return {
    input,
    output,
    close() {
      input.destroy()
      output.destroy()
    },
  }
}

export const stdinIsTerminal = (): boolean => process.stdin.isTTY === true

/** `hidden` echoes nothing while the answer is typed, for passphrases. */
export async function ask(question: string, o: { hidden?: boolean; noTerminal: string }): Promise<string> {
  const hidden = o.hidden ?? false
  const term = openTerminal()
  if (!term) throw usageError(o.noTerminal)
  let muted = false
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) term.output.write(chunk)
      done()
    },
  })
  const rl = createInterface({ input: term.input, output, terminal: true })
  try {
    return await new Promise<string>((resolve, reject) => {
      rl.on('SIGINT', () => reject(new CliError(ExitCode.failure, 'cancelled')))
      rl.on('close', () => reject(new CliError(ExitCode.failure, 'cancelled: no answer')))
      rl.question(question, resolve)
      muted = hidden
    })
  } finally {
    if (hidden) term.output.write('\n')
    rl.close()
    term.close()
  }
}

/** Adds a final newline only for a person at a terminal; pipes get the bytes as they are. */
export function writeResult(text: string): void {
  process.stdout.write(process.stdout.isTTY && !text.endsWith('\n') ? `${text}\n` : text)
}

export const say = (message: string): void => {
  process.stderr.write(`${message}\n`)
}
