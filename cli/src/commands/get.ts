import { accessSync, constants, statSync } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import {
  ApiError,
  ProtocolError,
  RevealInDoubtError,
  createRecipient,
  downloadFile,
  fileLayout,
  parseSecretLink,
} from '@burnlink/shared'
import type {
  ChunkReadApi,
  Recipient,
  RedirectPolicy,
  RetryOptions,
  RevealedFiles,
  RevealedSecret,
  WaitingSecret,
} from '@burnlink/shared'
import { COMMON_OPTIONS, onePositional, parseCommand } from '../args.ts'
import { CliError, ExitCode, toCliError, usageError } from '../exit.ts'
import { safeFileName } from '../filenames.ts'
import { ask, escapeControls, say, stdinIsTerminal, writeResult } from '../io.ts'
import { promptPassphrase, readPassphraseFile } from '../passphrase.ts'
import { formatBytes, progressBar } from '../progress.ts'
import type { Progress } from '../progress.ts'
import { saveFile } from '../save.ts'
import type { Saved } from '../save.ts'
import { clientFor, fetchLimits, linkServer, retryPolicy, withServer } from '../server.ts'

export const usage = `Usage: burnlink get [options] <link>

Reveals a secret and prints it to stdout exactly as it was sent; on a terminal, control
characters (escape sequences among them) are shown escaped instead, like \\x1b. This uses
one of its views: when stdin is a terminal it asks first. For a redirect link it prints
the URL. It asks for the passphrase when the secret has one.

Files are saved in the current directory (or -o DIR) under their names made safe (no
paths, controls or reserved names), readable by you only; the note sent with them is
printed. A file that exists is never replaced without --force: the new one gets a name
like "name (1).ext" and get exits with 1 after saying so. A download found altered or cut
short is deleted.

Options:
  -y, --yes               reveal without asking
  -o, --output DIR        save files in DIR; "-" writes a secret's single file to stdout
  --force                 replace files that exist in the target directory
  --passphrase-file FILE  read the passphrase from FILE (one final newline is ignored)
  --server URL            refuse the link unless it is for this server (the link names
                          its server; this is only a check)
  --insecure              allow a plain http link to a host other than this machine
  -h, --help              show this help

When the server answers 503 or not at all, the reveal is sent again for up to
$BURNLINK_RETRY_SECONDS (default 30; 0: never) with this run's claim, so it can never use a
second view. If it still gets no answer, the view may be used up: at a terminal it offers
to try again while the server keeps the view for this run; otherwise it exits with 6.
`

const OPTIONS = {
  ...COMMON_OPTIONS,
  yes: { type: 'boolean', short: 'y' },
  output: { type: 'string', short: 'o' },
  force: { type: 'boolean' },
  'passphrase-file': { type: 'string' },
  server: { type: 'string' },
} as const

async function confirmReveal({ viewsLeft, files }: WaitingSecret): Promise<void> {
  const views = viewsLeft === 1 ? 'its last view; it is deleted afterwards' : `one of its ${viewsLeft} views left`
  const holds = files
    ? `It holds ${files.count} file${files.count === 1 ? '' : 's'} (about ${formatBytes(files.bytes)}). `
    : ''
  const answer = await ask(`${holds}Reveal now? This uses ${views}. [y/N] `, {
    noTerminal: 'use --yes to reveal without asking',
  })
  if (!/^y(es)?$/i.test(answer.trim())) throw new CliError(ExitCode.failure, 'not revealed; the secret is unchanged')
}

/**
 * After a reveal got no answer, a person at a terminal may try again with the same claim
 * while the server keeps the view for it; a script gets exit 6 at once.
 */
async function tryAgain(e: RevealInDoubtError, server: string): Promise<boolean> {
  const minutes = e.minutesLeft()
  if (!stdinIsTerminal() || minutes < 1) return false
  say(
    `burnlink: the server at ${server} did not answer: the secret may have been used up by this attempt. ` +
      `This run can still fetch it for ${minutes} minute${minutes === 1 ? '' : 's'}.`,
  )
  const answer = await ask('Try again now? [Y/n] ', { noTerminal: 'no terminal to ask on' })
  return !/^no?$/i.test(answer.trim())
}

/**
 * A passphrase typed at the prompt may be retried while attempts are left, as on the web
 * page; one from a file is not, since retrying the same file would only burn attempts.
 */
async function reveal(
  recipient: Recipient,
  secret: WaitingSecret,
  fromFile: string | undefined,
  policy: RedirectPolicy,
  server: string,
): Promise<RevealedSecret> {
  const unlock = async () =>
    recipient.unlock(secret.needsPassphrase ? (fromFile ?? (await promptPassphrase({ confirm: false }))) : undefined)
  await unlock()
  for (;;) {
    try {
      return await recipient.reveal(policy)
    } catch (e) {
      // The keys are kept: the same reveal goes again, with the same claim.
      if (e instanceof RevealInDoubtError && (await tryAgain(e, server))) continue
      const retry =
        secret.needsPassphrase &&
        fromFile === undefined &&
        e instanceof ApiError &&
        e.code === 'wrong_passphrase' &&
        Boolean(e.attemptsLeft)
      if (!retry) throw e
      say(`burnlink: ${toCliError(e).message}`)
      await unlock()
    }
  }
}

export async function get(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand('get', args, OPTIONS)
  if (values.help) return void process.stdout.write(usage)
  const link = onePositional(positionals, 'link', 'get')
  if (link === undefined) throw usageError('give the secret link to reveal; see burnlink get --help')
  const { origin, k } = parseSecretLink(link)
  const server = linkServer(origin, values)
  const fromFile = values['passphrase-file'] === undefined ? undefined : readPassphraseFile(values['passphrase-file'])

  await withServer(server, async () => {
    const retry = retryPolicy(server)
    const limits = await fetchLimits(server, retry)
    const { claimRetrySeconds } = limits
    const recipient = await createRecipient(k, { api: clientFor(server), claimRetrySeconds, retry })
    const secret = await recipient.meta()
    // Checked before the view is used: afterwards a wrong target would cost the files.
    if (secret.files) checkOutput(values.output, secret.files.count)
    if (stdinIsTerminal() && !values.yes) await confirmReveal(secret)
    const content = await reveal(recipient, secret, fromFile, { allowHttp: limits.allowHttpRedirects }, server)
    if (!content.files) return writeResult(content.text)
    const { files } = content
    try {
      const download = { api: clientFor(server), files, retry }
      if (values.output === '-') await toStdout(download)
      else await toDirectory(download, values.output ?? '.', values.force ?? false)
    } finally {
      await files.finish()
    }
  })
}

function checkOutput(output: string | undefined, count: number): void {
  if (output === '-') {
    if (count > 1) throw usageError(`-o - writes one file, and this secret holds ${count}: give -o DIR instead`)
    if (process.stdout.isTTY)
      throw usageError('-o - would write the file to the terminal: redirect stdout or give -o DIR')
    return
  }
  const dir = output ?? '.'
  try {
    if (!statSync(dir).isDirectory()) throw usageError(`${dir} is not a directory`)
    accessSync(dir, constants.W_OK)
  } catch (e) {
    if (e instanceof CliError) throw e
    throw usageError(`cannot write files into ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
  }
}

interface Download {
  api: ChunkReadApi
  files: RevealedFiles
  retry: RetryOptions
}

function startProgress({ files }: Download): Progress {
  const total = files.ctx.sizes.reduce((sum, size) => sum + fileLayout(size).stored, 0)
  return progressBar('Downloading', total)
}

/** The person is told, in plain words, that what was written of a file is not the file. */
function damaged(name: string, e: unknown, kept: string): unknown {
  if (!(e instanceof ProtocolError)) return e
  // Chunks that open but are not the ones the creator signed (protocol.md §10.7): someone else's file.
  if (e.reason === 'files_digest') return new CliError(ExitCode.failure, `${name}: ${e.message}; ${kept}`)
  return new CliError(ExitCode.failure, `${name}: the download was tampered with or cut short (${e.message}); ${kept}`)
}

async function toStdout(download: Download): Promise<void> {
  const { note, files } = download.files.manifest
  // Meta said how many files before the reveal; this is for a server that did not say.
  if (files.length > 1) throw usageError(`-o - writes one file, and this secret holds ${files.length}: give -o DIR`)
  // Stdout carries the file, so the note goes beside it, escaped as any text for a person.
  if (note) say(`Note: ${note}`)
  const bar = startProgress(download)
  try {
    await pipeline(
      downloadFile(download.api, download.files, 0, { retry: download.retry, onProgress: bar.add }),
      process.stdout,
      // Stdout stays open: the process ends it, and an error message may still follow on stderr.
      { end: false },
    )
  } catch (e) {
    throw damaged(escapeControls(files[0]!.name), e, 'what was written to stdout is incomplete: discard it')
  }
  bar.done()
}

async function toDirectory(download: Download, dir: string, force: boolean): Promise<void> {
  const { note, files } = download.files.manifest
  if (note) writeResult(note)
  const bar = startProgress(download)
  const taken = new Set<string>()
  const saved: Saved[] = []
  for (const [f, entry] of files.entries()) {
    const name = safeFileName(entry.name, f)
    const pieces = downloadFile(download.api, download.files, f, { retry: download.retry, onProgress: bar.add })
    try {
      saved.push(await saveFile(dir, name, pieces, { force, taken }))
    } catch (e) {
      throw damaged(name, e, 'nothing of it was kept')
    }
  }
  bar.done()
  if (process.stderr.isTTY) for (const { path } of saved) say(`Saved ${path}`)
  const renamed = saved.filter((s) => s.wanted !== undefined)
  if (renamed.length > 0) {
    throw new CliError(
      ExitCode.failure,
      renamed.map((s) => `${s.wanted} was taken, so the file was saved as ${s.path}`).join('; ') +
        ' (--force replaces existing files)',
    )
  }
}
