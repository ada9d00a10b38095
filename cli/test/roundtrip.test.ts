import { describe, expect, it } from 'vitest'
import { runCli, sendJson, tempFile, useCliAndServer } from './helpers.ts'

const server = useCliAndServer()

/** Multi-line, non-ASCII, combining characters, CRLF, a BOM and a final newline: all must survive. */
const TRICKY =
  '\uFEFFfirst line\r\nsecond: caf\u00e9 / cafe\u0301 \u{1F511}\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\n\tindented  \nlast line\n'

describe('send and get', () => {
  it('sends an argument and gets it back without an added newline', async () => {
    const sent = await runCli(['send', '--server', server.url, 'hunter2'])
    expect(sent.code).toBe(0)
    expect(sent.out).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/s#2\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}\n$/)
    const got = await runCli(['get', '--yes', sent.out.trim()])
    expect(got).toMatchObject({ code: 0, out: 'hunter2', stderr: '' })
  })

  it('reads the secret piped on stdin and prints it byte for byte', async () => {
    const { link } = await sendJson(server.url, [], TRICKY)
    const got = await runCli(['get', link])
    expect(got.code).toBe(0)
    expect(got.stdout.equals(Buffer.from(TRICKY, 'utf8'))).toBe(true)
  })

  it('takes the server from BURNLINK_SERVER', async () => {
    const sent = await runCli(['send', TRICKY], { env: { BURNLINK_SERVER: server.url } })
    expect(sent.code).toBe(0)
    const got = await runCli(['get', sent.out.trim()])
    expect(got.stdout.equals(Buffer.from(TRICKY, 'utf8'))).toBe(true)
  })

  it('prints machine-readable JSON with --json', async () => {
    const before = Date.now()
    const sent = await sendJson(server.url, ['--ttl', '30m'], 'x')
    expect(sent.link.startsWith(`${server.url}/s#2.`)).toBe(true)
    expect(sent.manageLink).toBe(`${server.url}/r#1.${sent.sid}.${sent.manageLink.split('.').at(-1)}`)
    const ttl = Date.parse(sent.expiresAt) - before
    expect(ttl).toBeGreaterThan(29 * 60_000)
    expect(ttl).toBeLessThan(31 * 60_000)
  })

  it('allows --views N reveals, then reports the secret as gone', async () => {
    const { link } = await sendJson(server.url, ['--views', '2'], 'twice')
    expect((await runCli(['get', link])).out).toBe('twice')
    expect((await runCli(['get', link])).out).toBe('twice')
    const third = await runCli(['get', link])
    expect(third.code).toBe(4)
    expect(third.stderr).toMatch(/already viewed/)
  })

  it('sends a redirect link with --url and get prints the URL', async () => {
    const target = 'https://example.com/invite?code=abc#welcome'
    const { link } = await sendJson(server.url, ['--url', target])
    expect(await runCli(['get', link])).toMatchObject({ code: 0, out: target })
  })
})

describe('status and burn', () => {
  it('reports views on the manage link, in words and as JSON', async () => {
    const { link, manageLink } = await sendJson(server.url, [], 'watched')
    const before = await runCli(['status', '--json', manageLink])
    expect(JSON.parse(before.out)).toMatchObject({ state: 'active', views: 0, maxViews: 1, failedAttempts: 0 })
    await runCli(['get', link])
    const after = await runCli(['status', manageLink])
    expect(after.code).toBe(0)
    expect(after.out).toMatch(/^State: +viewed/m)
    expect(after.out).toMatch(/^Views: +1 of 1$/m)
  })

  it('burns a secret: get then says it is gone, and a second burn too', async () => {
    const { link, manageLink } = await sendJson(server.url, [], 'doomed')
    expect(await runCli(['burn', manageLink])).toMatchObject({ code: 0 })
    const got = await runCli(['get', link])
    expect(got).toMatchObject({ code: 4, out: '' })
    expect(got.stderr).toMatch(/burned/)
    expect((await runCli(['burn', manageLink])).code).toBe(4)
    expect(JSON.parse((await runCli(['status', '--json', manageLink])).out)).toMatchObject({
      state: 'burned',
      burnReason: 'creator',
    })
  })
})

// Default Argon2id costs, as in production: each run takes about a second.
describe('passphrase', () => {
  it('round-trips CLI to CLI with --passphrase-file, spending an attempt on a wrong one', async () => {
    const right = tempFile('pass', 'correct horse \u00e9t\u00e9\n')
    const wrong = tempFile('pass', 'battery staple\n')
    const { link, manageLink } = await sendJson(server.url, ['--passphrase-file', right], 'behind a passphrase')

    const noPassphrase = await runCli(['get', link])
    expect(noPassphrase.code).toBe(2)
    expect(noPassphrase.stderr).toMatch(/--passphrase-file/)

    const bad = await runCli(['get', '--passphrase-file', wrong, link])
    expect(bad).toMatchObject({ code: 5, out: '' })
    expect(bad.stderr).toMatch(/wrong passphrase: 4 attempts left/)

    const good = await runCli(['get', '--passphrase-file', right, link])
    expect(good).toMatchObject({ code: 0, out: 'behind a passphrase' })
    expect(JSON.parse((await runCli(['status', '--json', manageLink])).out)).toMatchObject({
      state: 'viewed',
      failedAttempts: 1,
    })
  }, 30_000)
})
