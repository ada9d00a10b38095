/**
 * Secret requests (protocol.md §12) from the command line: `request` asks for a secret,
 * `respond` answers a request link, `collect` fetches the answer once. All three speak the
 * same protocol as the web pages, so either side can be a browser.
 */
import {
  ApiError,
  MAX_PAYLOAD_BYTES,
  createCollector,
  createResponder,
  parseCollectLink,
  parseRequestLink,
  prepareRequest,
  storeRequest,
} from '@burnlink/shared'
import type { SecretState } from '@burnlink/shared'
import { COMMON_OPTIONS, onePositional, parseCommand } from '../args.ts'
import { formatDuration, parseDuration } from '../duration.ts'
import { CliError, ExitCode, usageError } from '../exit.ts'
import { decodeText, readSmallFile, say, writeResult } from '../io.ts'
import { DEFAULT_SERVER, checkServer, clientFor, fetchLimits, linkServer, retryPolicy, withServer } from '../server.ts'
import { DEFAULT_TTL_SECONDS, checkTtl, readText } from './send.ts'

export const requestUsage = `Usage: burnlink request [options]

Asks someone for a secret. Prints the request link on stdout: send it to the person who
has the secret. At a terminal, the collect link follows on stderr: keep it, it alone opens
the answer (burnlink collect), and nobody else should see it.

Options:
  --ttl DURATION   how long the request stays open (default ${formatDuration(DEFAULT_TTL_SECONDS)})
  --note TEXT      a note for the responder, encrypted like the answer
  --json           print {"requestLink", "collectLink", "rid", "expiresAt"} as JSON
  --server URL     the burnlink server (default $BURNLINK_SERVER or ${DEFAULT_SERVER})
  --insecure       allow plain http to a host other than this machine
  -h, --help       show this help
`

export const respondUsage = `Usage: burnlink respond [options] <request-link> [secret]

Answers a secret request: checks that the server's key is the one in the link (and
refuses otherwise), shows the requester's note on stderr, encrypts the secret to the
requester and sends it. The secret comes from the argument, --file, or piped stdin. A
request takes one answer: exit 8 when somebody answered first.

Options:
  --file FILE      send this file's text
  --server URL     refuse the link unless it is for this server
  --insecure       allow a plain http link to a host other than this machine
  -h, --help       show this help
`

export const collectUsage = `Usage: burnlink collect [options] <collect-link>

Fetches the answer to your request once and prints it exactly (as get does); it is then
gone from the server. Exit 7 when nobody has answered yet, 4 when the request has ended
(collected, expired or burned).

Options:
  --wait SECONDS   wait up to this long for the answer, asking every few seconds
  --server URL     refuse the link unless it is for this server
  --insecure       allow a plain http link to a host other than this machine
  -h, --help       show this help
`

const SERVER_OPTIONS = { ...COMMON_OPTIONS, server: { type: 'string' } } as const

export async function request(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand('request', args, {
    ...SERVER_OPTIONS,
    ttl: { type: 'string' },
    note: { type: 'string' },
    json: { type: 'boolean' },
  })
  if (values.help) return void process.stdout.write(requestUsage)
  if (positionals.length > 0) throw usageError('request takes no arguments; see burnlink request --help')
  const server = checkServer(values.server ?? (process.env.BURNLINK_SERVER || DEFAULT_SERVER), values)
  const ttl = values.ttl === undefined ? undefined : parseDuration(values.ttl)
  if (values.note !== undefined && Buffer.byteLength(values.note) > MAX_PAYLOAD_BYTES)
    throw usageError(`the note is too large: at most ${MAX_PAYLOAD_BYTES} bytes`)

  await withServer(server, async () => {
    const retry = retryPolicy(server)
    const limits = await fetchLimits(server, retry)
    const prepared = await prepareRequest({
      origin: server,
      ttl: ttl === undefined ? Math.min(DEFAULT_TTL_SECONDS, limits.maxTtlSeconds) : checkTtl(ttl, limits),
      ...(values.note && { note: values.note }),
    })
    const { expiresAt } = await storeRequest(clientFor(server).requests, prepared.request, retry)
    const { requestLink, collectLink, ref } = prepared
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ requestLink, collectLink, rid: ref.rid, expiresAt })}\n`)
      return
    }
    process.stdout.write(`${requestLink}\n`)
    // Only people see this: scripts reading stdout get the request link alone.
    if (process.stderr.isTTY) say(`Collect link (keep it to yourself): ${collectLink}`)
  })
}

async function readAnswer(argument: string | undefined, file: string | undefined): Promise<string> {
  if (argument !== undefined && file !== undefined) throw usageError('give the secret one way only')
  const text = file === undefined ? await readText(argument) : decodeText(readSmallFile(file, MAX_PAYLOAD_BYTES), file)
  if (text === undefined)
    throw usageError('nothing to send: give the secret as an argument, pipe it on stdin, or use --file FILE')
  if (text === '') throw usageError('the secret is empty')
  return text
}

export async function respond(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand('respond', args, { ...SERVER_OPTIONS, file: { type: 'string' } })
  if (values.help) return void process.stdout.write(respondUsage)
  if (positionals.length === 0) throw usageError('give the request link to answer; see burnlink respond --help')
  const [link, argument, ...more] = positionals
  if (more.length > 0) throw usageError('expected a request link and at most one secret; quote text with spaces')
  const { origin, n, fp } = parseRequestLink(link!)
  const server = linkServer(origin, values)

  await withServer(server, async () => {
    const retry = retryPolicy(server)
    const responder = await createResponder({ n, fp }, clientFor(server).requests, retry)
    const { note } = await responder.open()
    if (note !== undefined) say(`Note from the requester: ${note}`)
    await responder.answer(await readAnswer(argument, values.file))
    say('Sent: only the requester can open it.')
  })
}

const POLL_MS = 3000

export async function collect(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand('collect', args, { ...SERVER_OPTIONS, wait: { type: 'string' } })
  if (values.help) return void process.stdout.write(collectUsage)
  const link = onePositional(positionals, 'collect link', 'collect')
  if (link === undefined) throw usageError('give the collect link; see burnlink collect --help')
  const wait = values.wait === undefined ? 0 : Number(values.wait)
  if (!(Number.isInteger(wait) && wait >= 0 && wait <= 86400))
    throw usageError(`--wait must be a whole number of seconds from 0 to 86400 (got "${values.wait}")`)
  const key = parseCollectLink(link)
  const server = linkServer(key.origin, values)

  await withServer(server, async () => {
    const retry = retryPolicy(server)
    const collector = await createCollector(key, clientFor(server).requests, { retry })
    const until = Date.now() + wait * 1000
    for (;;) {
      try {
        const answer = await collector.collect()
        writeResult(answer.text)
        await answer.acked
        return
      } catch (e) {
        if (e instanceof ApiError && e.code === 'gone') throw goneRequest(e)
        const waiting = e instanceof ApiError && e.code === 'not_answered' && Date.now() + POLL_MS <= until
        if (!waiting) throw e
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
  })
}

/** A 410 says how the request ended in §7's words: a collected answer reads as viewed. */
const GONE_REQUEST: Readonly<Record<SecretState, string>> = {
  active: 'this request is no longer open',
  viewed: 'the answer to this request was already collected and is gone',
  expired: 'this request expired before its answer was collected',
  burned: 'this request was burned',
}

const goneRequest = (e: ApiError) => new CliError(ExitCode.gone, GONE_REQUEST[e.state ?? 'active'])
