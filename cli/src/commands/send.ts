import { createReadStream, statSync } from 'node:fs'
import { basename } from 'node:path'
import {
  MAX_PAYLOAD_BYTES,
  PayloadType,
  ProtocolError,
  TTL,
  TTL_PRESETS,
  fileLayout,
  fileLimitProblem,
  prepareFileSecret,
  prepareSecret,
  storeSecret,
  uploadFileSecret,
  validateRedirectUrl,
} from '@burnlink/shared'
import type { FileEntry, RetryOptions } from '@burnlink/shared'
import { COMMON_OPTIONS, hasValueAfter, onePositional, parseCommand } from '../args.ts'
import { formatDuration, parseDuration } from '../duration.ts'
import { CliError, ExitCode, usageError } from '../exit.ts'
import { decodeText, readStdin, say, stdinIsTerminal } from '../io.ts'
import { PASSPHRASE_IN_ARGV, promptPassphrase, readPassphraseFile } from '../passphrase.ts'
import { progressBar } from '../progress.ts'
import { DEFAULT_SERVER, checkServer, clientFor, fetchLimits, retryPolicy, withServer } from '../server.ts'
import type { ServerLimits } from '@burnlink/shared'

export const DEFAULT_TTL_SECONDS = 86400

export const usage = `Usage: burnlink send [options] [text]

Encrypts a secret on this machine, stores it on the server and prints a one-time link.
The secret comes from the text argument or from stdin when it is piped
(echo "$TOKEN" | burnlink send). With --file it is files, of any kind, and the text
argument or stdin, when given, is a note sent with them.

Options:
  --file FILE             send this file (repeat for several); the server's limits on
                          their number and total size are checked before anything is sent
  --url URL               send a one-time redirect link to this https URL instead of text
  --ttl DURATION          expire after this long: seconds, or ${TTL_PRESETS.map((p) => formatDuration(p.seconds)).join(', ')}... (default ${formatDuration(DEFAULT_TTL_SECONDS)})
  --views N               allow N views before the secret is deleted (default 1)
  --passphrase            ask for a passphrase on the terminal (never give it here)
  --passphrase-file FILE  read the passphrase from FILE (one final newline is ignored)
  --server URL            the burnlink server (default $BURNLINK_SERVER, then ${DEFAULT_SERVER})
  --json                  print {"link", "manageLink", "sid", "expiresAt"} as JSON
  --insecure              allow plain http to a host other than this machine
  -h, --help              show this help

When the server answers 503 or not at all, the create is sent again, identical, for up to
$BURNLINK_RETRY_SECONDS (default 30; 0: never): a create that was stored is never doubled.
`

const OPTIONS = {
  ...COMMON_OPTIONS,
  file: { type: 'string', multiple: true },
  url: { type: 'string' },
  ttl: { type: 'string' },
  views: { type: 'string' },
  passphrase: { type: 'boolean' },
  'passphrase-file': { type: 'string' },
  server: { type: 'string' },
  json: { type: 'boolean' },
} as const

function parseViews(value: string | undefined, limits: ServerLimits): number {
  if (value === undefined) return 1
  const views = /^\d{1,6}$/.test(value) ? Number(value) : NaN
  if (!(views >= 1 && views <= limits.maxViews))
    throw usageError(`--views must be a whole number from 1 to ${limits.maxViews} (got "${value}")`)
  return views
}

export function checkTtl(seconds: number, limits: ServerLimits): number {
  if (seconds < TTL.minSeconds || seconds > limits.maxTtlSeconds) {
    throw usageError(
      `--ttl must be from ${formatDuration(TTL.minSeconds)} to ${formatDuration(limits.maxTtlSeconds)} on this server`,
    )
  }
  return seconds
}

/** The text argument, else piped stdin; undefined when there is neither. */
export async function readText(argument: string | undefined): Promise<string | undefined> {
  const text = argument ?? (stdinIsTerminal() ? undefined : decodeText(await readStdin(MAX_PAYLOAD_BYTES), 'the input'))
  if (text !== undefined && Buffer.byteLength(text) > MAX_PAYLOAD_BYTES)
    throw usageError(`the text is too large: at most ${MAX_PAYLOAD_BYTES} bytes`)
  return text
}

async function readSecret(argument: string | undefined): Promise<string> {
  const text = await readText(argument)
  if (text === undefined)
    throw usageError('nothing to send: give the secret as an argument, pipe it on stdin, or use --file FILE')
  if (text === '') throw usageError('the secret is empty')
  return text
}

/** What the manifest says of each file; only regular files, whose size is known before reading. */
function describeFiles(paths: string[]): FileEntry[] {
  return paths.map((path) => {
    let size: number
    try {
      const stat = statSync(path)
      if (!stat.isFile()) throw usageError(`${path} is not a regular file`)
      size = stat.size
    } catch (e) {
      if (e instanceof CliError) throw e
      throw usageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
    }
    // The type is left to the recipient's system: it is informational only and never decides how a file opens.
    return { name: basename(path), type: '', size }
  })
}

function checkRedirect(url: string, limits: ServerLimits): string {
  try {
    return validateRedirectUrl(url, { allowHttp: limits.allowHttpRedirects })
  } catch (e) {
    throw e instanceof ProtocolError ? usageError(`--url: ${e.message}`) : e
  }
}

export async function send(args: string[]): Promise<void> {
  if (hasValueAfter(args, 'passphrase')) throw usageError(PASSPHRASE_IN_ARGV)
  const { values, positionals } = parseCommand('send', args, OPTIONS)
  if (values.help) return void process.stdout.write(usage)
  const argument = onePositional(positionals, 'text argument (quote text with spaces)', 'send')
  const paths = values.file ?? []
  if (values.url !== undefined && (argument !== undefined || paths.length > 0)) {
    throw usageError('give the secret one way only: as text, as files with --file, or as a link with --url')
  }
  if (values.passphrase && values['passphrase-file'] !== undefined)
    throw usageError('use either --passphrase or --passphrase-file, not both')
  const server = checkServer(values.server ?? (process.env.BURNLINK_SERVER || DEFAULT_SERVER), values)
  const ttl = values.ttl === undefined ? undefined : parseDuration(values.ttl)
  const files = describeFiles(paths)

  await withServer(server, async () => {
    const retry = retryPolicy(server)
    const limits = await fetchLimits(server, retry)
    const maxViews = parseViews(values.views, limits)
    const problem =
      files.length > 0
        ? fileLimitProblem(
            files.map((f) => f.size),
            limits,
          )
        : undefined
    if (problem) throw usageError(problem)
    const type = values.url === undefined ? PayloadType.text : PayloadType.redirect
    const text =
      values.url !== undefined
        ? checkRedirect(values.url, limits)
        : files.length > 0
          ? await readText(argument)
          : await readSecret(argument)
    const passphrase =
      values['passphrase-file'] !== undefined
        ? readPassphraseFile(values['passphrase-file'])
        : values.passphrase
          ? await promptPassphrase({ confirm: true })
          : undefined
    const common = {
      passphrase,
      ttl: ttl === undefined ? Math.min(DEFAULT_TTL_SECONDS, limits.maxTtlSeconds) : checkTtl(ttl, limits),
      maxViews,
      origin: server,
    }
    const { prepared, sid, expiresAt } =
      files.length > 0
        ? await sendFiles(server, paths, { ...common, files, ...(text ? { note: text } : {}) }, retry)
        : await sendText(server, { ...common, type, text: text!, allowHttp: limits.allowHttpRedirects }, retry)
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ link: prepared.link, manageLink: prepared.manageLink, sid, expiresAt })}\n`,
      )
      return
    }
    process.stdout.write(`${prepared.link}\n`)
    // Only people see this: scripts reading stdout get the link alone.
    if (process.stderr.isTTY) say(`Manage link (status, burn): ${prepared.manageLink}`)
  })
}

async function sendText(server: string, o: Parameters<typeof prepareSecret>[0], retry: RetryOptions) {
  const prepared = await prepareSecret(o)
  // Sent again as it is after 503 or no answer: a create the server already stored answers 201 again.
  return { prepared, ...(await storeSecret(clientFor(server), prepared.request, retry)) }
}

async function sendFiles(
  server: string,
  paths: string[],
  o: Parameters<typeof prepareFileSecret>[0],
  retry: RetryOptions,
) {
  let prepared
  try {
    prepared = await prepareFileSecret(o)
  } catch (e) {
    // The only manifest a sender can make invalid is one whose note leaves no room for the file list.
    if (e instanceof ProtocolError) throw usageError(`cannot send these files: ${e.message}`)
    throw e
  }
  const bar = progressBar(
    'Uploading',
    o.files.reduce((sum, f) => sum + fileLayout(f.size).stored, 0),
  )
  try {
    const done = await uploadFileSecret(clientFor(server), prepared, (f) => createReadStream(paths[f]!), {
      retry,
      onProgress: bar.add,
    })
    bar.done()
    return { prepared, ...done }
  } catch (e) {
    if (e instanceof ProtocolError) throw new CliError(ExitCode.failure, `nothing was sent: ${e.message}`)
    throw e
  }
}
