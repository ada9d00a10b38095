import type { SecretStatus } from '@burnlink/shared'
import { clientFor, withServer } from '../server.ts'
import { MANAGE_OPTIONS_HELP, parseManageCommand } from './manage.ts'

export const usage = `Usage: burnlink status [options] <manage-link>

Shows whether a secret you sent is still waiting, how often it was viewed, and when it
expires. Uses the manage link printed by send (--json), never the secret link.

${MANAGE_OPTIONS_HELP}`

const ENDINGS: Readonly<Record<SecretStatus['state'], string>> = {
  active: 'waiting to be viewed',
  viewed: 'viewed as many times as allowed, and deleted',
  expired: 'expired, and deleted',
  burned: 'burned',
}

const BURNED_BY = {
  creator: 'by its creator',
  recipient: 'by a recipient',
  attempts: 'after too many wrong passphrases',
} as const

export function describeStatus(s: SecretStatus): string {
  const state = s.burnReason ? `${ENDINGS[s.state]} ${BURNED_BY[s.burnReason]}` : ENDINGS[s.state]
  const rows: [string, string | number][] = [
    ['State', `${s.state} (${state})`],
    ['Views', `${s.views} of ${s.maxViews}`],
    ['Wrong passphrases', s.failedAttempts],
    ['Created', s.createdAt],
    ['Expires', s.expiresAt],
  ]
  if (s.endedAt) rows.push(['Ended', s.endedAt])
  const width = Math.max(...rows.map(([label]) => label.length)) + 2
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}\n`).join('')
}

export async function status(args: string[]): Promise<void> {
  const parsed = parseManageCommand('status', args, usage)
  if (!parsed) return
  const result = await withServer(parsed.server, () => clientFor(parsed.server).status(parsed.ref))
  process.stdout.write(parsed.json ? `${JSON.stringify(result)}\n` : describeStatus(result))
}
