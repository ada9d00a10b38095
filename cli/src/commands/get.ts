import { ApiError, PayloadType, createRecipient, parseSecretLink } from '@burnlink/shared'
import type { Recipient, RedirectPolicy, RevealedSecret, WaitingSecret } from '@burnlink/shared'
import { COMMON_OPTIONS, onePositional, parseCommand } from '../args.ts'
import { CliError, ExitCode, toCliError, usageError } from '../exit.ts'
import { ask, say, stdinIsTerminal, writeResult } from '../io.ts'
import { promptPassphrase, readPassphraseFile } from '../passphrase.ts'
import { checkServer, clientFor, fetchLimits, withServer } from '../server.ts'

export const usage = `Usage: burnlink get [options] <link>

Reveals a secret and prints it to stdout exactly as it was sent; on a terminal, control
characters (escape sequences among them) are shown escaped instead, like \\x1b. This uses
one of its views: when stdin is a terminal it asks first. For a redirect link it prints
the URL. It asks for the passphrase when the secret has one.

Options:
  -y, --yes               reveal without asking
  --passphrase-file FILE  read the passphrase from FILE (one final newline is ignored)
  --insecure              allow a plain http link to a host other than this machine
  -h, --help              show this help
`

const OPTIONS = {
  ...COMMON_OPTIONS,
  yes: { type: 'boolean', short: 'y' },
  'passphrase-file': { type: 'string' },
} as const

async function confirmReveal(viewsLeft: number): Promise<void> {
  const views = viewsLeft === 1 ? 'its last view; it is deleted afterwards' : `one of its ${viewsLeft} views left`
  const answer = await ask(`Reveal now? This uses ${views}. [y/N] `, {
    noTerminal: 'use --yes to reveal without asking',
  })
  if (!/^y(es)?$/i.test(answer.trim())) throw new CliError(ExitCode.failure, 'not revealed; the secret is unchanged')
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
): Promise<RevealedSecret> {
  for (;;) {
    await recipient.unlock(
      secret.needsPassphrase ? (fromFile ?? (await promptPassphrase({ confirm: false }))) : undefined,
    )
    try {
      return await recipient.reveal(policy)
    } catch (e) {
      const retry =
        secret.needsPassphrase &&
        fromFile === undefined &&
        e instanceof ApiError &&
        e.code === 'wrong_passphrase' &&
        Boolean(e.attemptsLeft)
      if (!retry) throw e
      say(`burnlink: ${toCliError(e).message}`)
    }
  }
}

export async function get(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand('get', args, OPTIONS)
  if (values.help) return void process.stdout.write(usage)
  const link = onePositional(positionals, 'link', 'get')
  if (link === undefined) throw usageError('give the secret link to reveal; see burnlink get --help')
  const { origin, k } = parseSecretLink(link)
  const server = checkServer(origin, values)
  const fromFile = values['passphrase-file'] === undefined ? undefined : readPassphraseFile(values['passphrase-file'])

  await withServer(server, async () => {
    const recipient = await createRecipient(k, { api: clientFor(server) })
    const [secret, limits] = await Promise.all([recipient.meta(), fetchLimits(server)])
    if (stdinIsTerminal() && !values.yes) await confirmReveal(secret.viewsLeft)
    const content = await reveal(recipient, secret, fromFile, { allowHttp: limits.allowHttpRedirects })
    if (content.type === PayloadType.attachment) {
      throw new CliError(
        ExitCode.failure,
        'this secret holds files, which this version of burnlink cannot open; open the link in a browser',
      )
    }
    writeResult(content.text)
  })
}
