import { isBareOpen, type SecretStatus, type TimelineEvent } from '@burnlink/shared'
import { clientFor, withServer } from '../server.ts'
import { MANAGE_OPTIONS_HELP, parseManageCommand } from './manage.ts'

export const usage = `Usage: burnlink status [options] <manage-link>

Shows whether a secret you sent is still waiting, how often it was viewed, when it
expires, and its timeline: when it was opened without a reveal (a person, or a mail
scanner or link preview fetching the page), revealed, given a wrong passphrase, and how it
ended. Times only: the server keeps nothing about who. Uses the manage link printed by
send (--json), never the secret link.

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

const EVENTS: Readonly<Record<TimelineEvent['type'], string>> = {
  opened: 'opened, not revealed',
  revealed: 'revealed',
  wrong_passphrase: 'wrong passphrase',
  viewed: 'gone: its last view was used',
  expired: 'gone: expired',
  burned: 'gone: burned',
}

function describeEvent(s: SecretStatus, i: number): string {
  const e = s.events[i]!
  const words =
    e.type === 'opened' && !isBareOpen(s.events, i)
      ? 'opened'
      : e.type === 'burned' && s.burnReason
        ? `${EVENTS.burned} ${BURNED_BY[s.burnReason]}`
        : EVENTS[e.type]
  return `${e.at}  ${words}`
}

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
  const events = s.events.map((_, i) => describeEvent(s, i))
  rows.push(['Timeline', events[0] ?? 'nothing yet'], ...events.slice(1).map((line): [string, string] => ['', line]))
  const width = Math.max(...rows.map(([label]) => label.length)) + 2
  return rows.map(([label, value]) => `${(label ? `${label}:` : '').padEnd(width)}${value}\n`).join('')
}

export async function status(args: string[]): Promise<void> {
  const parsed = parseManageCommand('status', args, usage)
  if (!parsed) return
  const result = await withServer(parsed.server, () => clientFor(parsed.server).status(parsed.ref))
  process.stdout.write(parsed.json ? `${JSON.stringify(result)}\n` : describeStatus(result))
}
