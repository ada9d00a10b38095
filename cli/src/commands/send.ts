import {
  MAX_PAYLOAD_BYTES,
  PayloadType,
  ProtocolError,
  TTL,
  TTL_PRESETS,
  prepareSecret,
  storeSecret,
  validateRedirectUrl,
} from '@burnlink/shared'
import { COMMON_OPTIONS, hasValueAfter, onePositional, parseCommand } from '../args.ts'
import { formatDuration, parseDuration } from '../duration.ts'
import { usageError } from '../exit.ts'
import { decodeText, readSmallFile, readStdin, say, stdinIsTerminal } from '../io.ts'
import { PASSPHRASE_IN_ARGV, promptPassphrase, readPassphraseFile } from '../passphrase.ts'
import { DEFAULT_SERVER, checkServer, clientFor, fetchLimits, retryPolicy, withServer } from '../server.ts'
import type { ServerLimits } from '@burnlink/shared'

const DEFAULT_TTL_SECONDS = 86400

export const usage = `Usage: burnlink send [options] [text]

Encrypts a secret on this machine, stores it on the server and prints a one-time link.
The secret comes from the text argument, from stdin when it is piped
(echo "$TOKEN" | burnlink send), or from --file.

Options:
  --file FILE             send the content of a small UTF-8 text file
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
  file: { type: 'string' },
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

function checkTtl(seconds: number, limits: ServerLimits): number {
  if (seconds < TTL.minSeconds || seconds > limits.maxTtlSeconds) {
    throw usageError(
      `--ttl must be from ${formatDuration(TTL.minSeconds)} to ${formatDuration(limits.maxTtlSeconds)} on this server`,
    )
  }
  return seconds
}

async function readText(argument: string | undefined, file: string | undefined): Promise<string> {
  let text: string
  if (argument !== undefined) text = argument
  else if (file !== undefined) text = decodeText(readSmallFile(file, MAX_PAYLOAD_BYTES), file)
  else if (!stdinIsTerminal()) text = decodeText(await readStdin(MAX_PAYLOAD_BYTES), 'the input')
  else throw usageError('nothing to send: give the secret as an argument, pipe it on stdin, or use --file FILE')
  if (text === '') throw usageError('the secret is empty')
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES)
    throw usageError(`the secret is too large: at most ${MAX_PAYLOAD_BYTES} bytes`)
  return text
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
  if ([argument, values.file, values.url].filter((v) => v !== undefined).length > 1) {
    throw usageError('give the secret one way only: as an argument, with --file, or with --url')
  }
  if (values.passphrase && values['passphrase-file'] !== undefined)
    throw usageError('use either --passphrase or --passphrase-file, not both')
  const server = checkServer(values.server ?? (process.env.BURNLINK_SERVER || DEFAULT_SERVER), values)
  const ttl = values.ttl === undefined ? undefined : parseDuration(values.ttl)

  await withServer(server, async () => {
    const retry = retryPolicy(server)
    const limits = await fetchLimits(server, retry)
    const maxViews = parseViews(values.views, limits)
    const type = values.url === undefined ? PayloadType.text : PayloadType.redirect
    const text = values.url === undefined ? await readText(argument, values.file) : checkRedirect(values.url, limits)
    const passphrase =
      values['passphrase-file'] !== undefined
        ? readPassphraseFile(values['passphrase-file'])
        : values.passphrase
          ? await promptPassphrase({ confirm: true })
          : undefined
    const prepared = await prepareSecret({
      type,
      text,
      passphrase,
      ttl: ttl === undefined ? Math.min(DEFAULT_TTL_SECONDS, limits.maxTtlSeconds) : checkTtl(ttl, limits),
      maxViews,
      origin: server,
      allowHttp: limits.allowHttpRedirects,
    })
    // Sent again as it is after 503 or no answer: a create the server already stored answers 201 again.
    const { sid, expiresAt } = await storeSecret(clientFor(server), prepared.request, retry)
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
