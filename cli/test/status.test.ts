import { describe, expect, it } from 'vitest'
import { SecretStatus } from '@burnlink/shared'
import { runCli, sendJson, tempFile, useCliAndServer } from './helpers.ts'

const server = useCliAndServer()

describe('status timeline', () => {
  // Default Argon2id costs, as in production: each get takes about a second.
  it('lists opens, a wrong passphrase, the reveal and the end, in words and in --json', async () => {
    const right = tempFile('pass', 'correct horse\n')
    const wrong = tempFile('pass', 'battery staple\n')
    const { link, manageLink } = await sendJson(server.url, ['--passphrase-file', right], 'watched')
    const fresh = SecretStatus.parse(JSON.parse((await runCli(['status', '--json', manageLink])).out))
    expect(fresh.events).toEqual([])
    expect((await runCli(['status', manageLink])).out).toMatch(/^Timeline: +nothing yet$/m)

    expect((await runCli(['get', '--passphrase-file', wrong, link])).code).toBe(5)
    expect((await runCli(['get', '--passphrase-file', right, link])).code).toBe(0)

    const status = SecretStatus.parse(JSON.parse((await runCli(['status', '--json', manageLink])).out))
    // get opens (meta) before each reveal: each open leads straight to the step after it.
    expect(status.events.map((e) => e.type)).toEqual(['opened', 'wrong_passphrase', 'opened', 'revealed', 'viewed'])
    const times = status.events.map((e) => Date.parse(e.at))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(times[0]).toBeGreaterThanOrEqual(Date.parse(status.createdAt))
    expect(status.events.at(-1)?.at).toBe(status.endedAt)

    const words = (await runCli(['status', manageLink])).out
    const timeline = words.slice(words.indexOf('Timeline:')).trimEnd().split('\n')
    expect(timeline.map((line) => line.replace(/^(Timeline:)? +\S+ {2}/, ''))).toEqual([
      'opened',
      'wrong passphrase',
      'opened',
      'revealed',
      'gone: its last view was used',
    ])
    expect(timeline[0]).toContain(status.events[0]!.at)
  }, 30_000)

  it('says that an open went no further, and who burned it', async () => {
    const { link, manageLink } = await sendJson(server.url, ['--passphrase-file', tempFile('pass', 'x\n')], 'unread')
    // Without its passphrase, get stops after opening.
    expect((await runCli(['get', link])).code).toBe(2)
    expect(await runCli(['burn', manageLink])).toMatchObject({ code: 0 })
    const status = SecretStatus.parse(JSON.parse((await runCli(['status', '--json', manageLink])).out))
    expect(status.events).toEqual([
      { type: 'opened', at: expect.any(String) },
      { type: 'burned', at: status.endedAt },
    ])
    const words = (await runCli(['status', manageLink])).out
    expect(words).toMatch(/^Timeline: +\S+ {2}opened, not revealed\n +\S+ {2}gone: burned by its creator\n$/m)
  }, 30_000)
})
