import { parseManageLink } from '@burnlink/shared'
import type { ManageRef } from '@burnlink/shared'
import { COMMON_OPTIONS, onePositional, parseCommand } from '../args.ts'
import { usageError } from '../exit.ts'
import { linkServer } from '../server.ts'

const OPTIONS = { ...COMMON_OPTIONS, json: { type: 'boolean' }, server: { type: 'string' } } as const

export const MANAGE_OPTIONS_HELP = `Options:
  --json        print the server's answer as JSON
  --server URL  refuse the link unless it is for this server (the link names its
                server; this is only a check)
  --insecure    allow a plain http link to a host other than this machine
  -h, --help    show this help
`

/**
 * What status and burn share: one manage link, whose origin names the server. Null when
 * the usage was asked for, and printed.
 */
export function parseManageCommand(
  command: string,
  args: string[],
  usage: string,
): { ref: ManageRef; server: string; json: boolean } | null {
  const { values, positionals } = parseCommand(command, args, OPTIONS)
  if (values.help) {
    process.stdout.write(usage)
    return null
  }
  const link = onePositional(positionals, 'manage link', command)
  if (link === undefined) throw usageError(`give the manage link (the one with /r#1.); see burnlink ${command} --help`)
  const { origin, sid, mt } = parseManageLink(link)
  return { ref: { sid, mt }, server: linkServer(origin, values), json: values.json === true }
}
