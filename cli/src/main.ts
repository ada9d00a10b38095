import { version } from '../package.json'
import { burn } from './commands/burn.ts'
import { get } from './commands/get.ts'
import { collect, request, respond } from './commands/request.ts'
import { send } from './commands/send.ts'
import { status } from './commands/status.ts'
import { toCliError, usageError } from './exit.ts'
import { say } from './io.ts'

const USAGE = `Usage: burnlink <command> [options]

Share one-time, end-to-end encrypted secrets. The key stays in the link: the server
never sees the secret, the key or the passphrase.

Commands:
  send [text]            encrypt a secret (text, or files with --file) and print a one-time link
  get <link>             reveal a secret and print it, or save its files
  status <manage-link>   show what happened to a secret you sent
  burn <manage-link>     destroy a secret you sent
  request                ask someone for a secret: prints a request link (and a collect link)
  respond <request-link> answer a request with a secret (argument, stdin or --file)
  collect <collect-link> fetch the answer to your request, once

Run burnlink <command> --help for a command's options; burnlink --version for the version.

Exit codes: 0 ok, 2 usage, 3 not found, 4 gone (viewed, expired or burned),
5 wrong passphrase, 6 server unavailable, 7 not answered yet (collect),
8 already answered (respond), 1 anything else.
`

const COMMANDS: Readonly<Record<string, (args: string[]) => Promise<void>>> = {
  send,
  get,
  status,
  burn,
  request,
  respond,
  collect,
}

async function main([command, ...rest]: string[]): Promise<void> {
  if (command === '--help' || command === '-h' || command === 'help') return void process.stdout.write(USAGE)
  if (command === '--version' || command === '-V') return void process.stdout.write(`${version}\n`)
  if (command === undefined) throw usageError(`a command is needed\n\n${USAGE}`)
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined
  if (!run) throw usageError(`unknown command "${command}"; see burnlink --help`)
  await run(rest)
}

// exitCode rather than exit(): stdout is flushed before the process ends.
main(process.argv.slice(2)).catch((e: unknown) => {
  const error = toCliError(e)
  say(`burnlink: ${error.message}`)
  process.exitCode = error.code
})
