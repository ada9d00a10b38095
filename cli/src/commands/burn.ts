import { clientFor, withServer } from '../server.ts'
import { MANAGE_OPTIONS_HELP, parseManageCommand } from './manage.ts'

export const usage = `Usage: burnlink burn [options] <manage-link>

Destroys a secret you sent, at once: nobody can open it afterwards. Uses the manage
link printed by send (--json), never the secret link.

${MANAGE_OPTIONS_HELP}`

export async function burn(args: string[]): Promise<void> {
  const parsed = parseManageCommand('burn', args, usage)
  if (!parsed) return
  const result = await withServer(parsed.server, () => clientFor(parsed.server).burn(parsed.ref))
  process.stdout.write(parsed.json ? `${JSON.stringify(result)}\n` : 'Burned: nobody can open this secret any more.\n')
}
