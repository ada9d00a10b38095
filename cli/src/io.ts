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

/**
 * What a terminal would act on instead of showing: C0 controls but tab and line feed (ESC
 * starts title, clipboard (OSC 52) and hidden-text sequences), a carriage return not ending
 * a CRLF line (it lets later text overwrite earlier), DEL, the C1 controls (U+009B is a CSI
 * to some terminals) and the bidi embeddings, overrides and isolates that reorder what is
 * shown ("Trojan Source"). Zero-width joiners, marks and a BOM stay: emoji and scripts need them.
 */
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/gu

/** Shows each such character as its JavaScript escape: `\x1b`, `\r`, `\u202e`. */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => {
    if (c === '\r') return '\\r'
    const code = c.charCodeAt(0)
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`
  })
}

export const say = (message: string): void => {
  // Messages can quote the server, which is whoever the link's sender chose.
  process.stderr.write(`${escapeControls(message)}\n`)
}

/**
 * Pipes and files get the bytes exactly as they were sent. A person at a terminal gets a
 * final newline, and control characters shown escaped rather than obeyed: a sender must not
 * be able to retitle the window, write the clipboard or hide text on the recipient's screen.
 */
export function writeResult(text: string): void {
  if (!process.stdout.isTTY) return void process.stdout.write(text)
  const shown = escapeControls(text)
  process.stdout.write(shown.endsWith('\n') ? shown : `${shown}\n`)
  if (shown !== text) {
    say(
      'burnlink: control characters in this output are shown escaped (like \\x1b); pipe or redirect it for the exact bytes',
    )
  }
}
