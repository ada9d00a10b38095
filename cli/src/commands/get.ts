import { ApiError, PayloadType, RevealInDoubtError, createRecipient, parseSecretLink } from '@burnlink/shared'
import type { Recipient, RedirectPolicy, RevealedSecret, WaitingSecret } from '@burnlink/shared'
import { COMMON_OPTIONS, onePositional, parseCommand } from '../args.ts'
import { CliError, ExitCode, toCliError, usageError } from '../exit.ts'
import { ask, say, stdinIsTerminal, writeResult } from '../io.ts'
import { promptPassphrase, readPassphraseFile } from '../passphrase.ts'
import { clientFor, fetchLimits, linkServer, retryPolicy, withServer } from '../server.ts'

export const usage = `Usage: burnlink get [options] <link>

Reveals a secret and prints it to stdout exactly as it was sent; on a terminal, control
characters (escape sequences among them) are shown escaped instead, like \\x1b. This uses
one of its views: when stdin is a terminal it asks first. For a redirect link it prints
the URL. It asks for the passphrase when the secret has one.

Options:
  -y, --yes               reveal without asking
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
  'passphrase-file': { type: 'string' },
  server: { type: 'string' },
} as const

async function confirmReveal(viewsLeft: number): Promise<void> {
  const views = viewsLeft === 1 ? 'its last view; it is deleted afterwards' : `one of its ${viewsLeft} views left`
  const answer = await ask(`Reveal now? This uses ${views}. [y/N] `, {
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
    if (stdinIsTerminal() && !values.yes) await confirmReveal(secret.viewsLeft)
    const content = await reveal(recipient, secret, fromFile, { allowHttp: limits.allowHttpRedirects }, server)
    if (content.type === PayloadType.attachment) {
      throw new CliError(
        ExitCode.failure,
        'this secret holds files, which this version of burnlink cannot open; open the link in a browser',
      )
    }
    writeResult(content.text)
  })
}
