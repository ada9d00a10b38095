import { describe, expect, it } from 'vitest'
import { runCli, tempFile, useCliAndServer } from './helpers.ts'

const server = useCliAndServer()

/** Multi-line, non-ASCII, CRLF, a BOM and a final newline: all must survive. */
const TRICKY = '\uFEFFssh-ed25519 AAAA caf\u00e9 \u{1F511}\r\nsecond line\n'

async function requestJson(args: string[] = []) {
  const made = await runCli(['request', '--server', server.url, '--json', ...args])
  expect(made).toMatchObject({ code: 0, stderr: '' })
  return JSON.parse(made.out) as { requestLink: string; collectLink: string; rid: string; expiresAt: string }
}

describe('request, respond, collect', { timeout: 60_000 }, () => {
  it('round-trips the exact bytes from stdin, with the note shown to the responder', async () => {
    const { requestLink, collectLink, rid } = await requestJson(['--ttl', '1h', '--note', 'your SSH key, please'])
    expect(requestLink).toMatch(new RegExp(`^${server.url}/q#1\\.[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{22}$`))
    expect(collectLink.startsWith(`${server.url}/c#1.${rid}.`)).toBe(true)

    const early = await runCli(['collect', collectLink])
    expect(early.code).toBe(7)
    expect(early.stderr).toMatch(/nobody has answered/)

    const sent = await runCli(['respond', requestLink], { input: TRICKY })
    expect(sent.code).toBe(0)
    expect(sent.stderr).toContain('Note from the requester: your SSH key, please')

    const got = await runCli(['collect', collectLink])
    expect(got.code).toBe(0)
    expect(got.stdout.equals(Buffer.from(TRICKY, 'utf8'))).toBe(true)
    const again = await runCli(['collect', collectLink])
    expect(again.code).toBe(4)
    expect(again.stderr).toMatch(/already collected/)
  })

  it('takes one answer: a second responder exits 8', async () => {
    const { requestLink, collectLink } = await requestJson()
    expect((await runCli(['respond', requestLink, 'first'])).code).toBe(0)
    const second = await runCli(['respond', requestLink, '--file', tempFile('second.txt', 'second')])
    expect(second.code).toBe(8)
    expect((await runCli(['collect', collectLink])).out).toBe('first')
  })

  it('collect --wait picks up an answer that arrives while it waits', async () => {
    const { requestLink, collectLink } = await requestJson()
    const waiting = runCli(['collect', '--wait', '30', collectLink], { timeoutMs: 40_000 })
    await new Promise((r) => setTimeout(r, 1000))
    expect((await runCli(['respond', requestLink, 'late'])).code).toBe(0)
    expect(await waiting).toMatchObject({ code: 0, out: 'late' })
  })

  it('refuses links of the wrong kind as usage errors', async () => {
    const { requestLink, collectLink } = await requestJson()
    expect((await runCli(['respond', collectLink, 'x'])).code).toBe(2)
    expect((await runCli(['collect', requestLink])).code).toBe(2)
  })
})
