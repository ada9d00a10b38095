/**
 * The interactive paths, on a real pseudo-terminal made by util-linux `script`: the
 * passphrase prompt must not echo, get must ask before using a view, and a sender's
 * control characters are shown to the terminal, never obeyed by it.
 */
import { describe, expect, it } from 'vitest'
import { CLI, inTerminal, runCli, sendJson, useCliAndServer } from './helpers.ts'

const PASSPHRASE = 'pa55 w\u00f6rd'

const server = useCliAndServer()

describe('on a terminal', () => {
  it('asks for the passphrase without echo, and asks before revealing', async () => {
    // The secret is piped, so the prompt has to find the terminal by itself.
    const sender = inTerminal(`printf 'piped secret' | node ${CLI} send --server ${server.url} --passphrase`)
    await sender.next('Passphrase: ')
    sender.type(PASSPHRASE)
    await sender.next('Repeat passphrase: ')
    sender.type(PASSPHRASE)
    const sent = await sender.finish()
    expect(sent.code).toBe(0)
    expect(sent.transcript).not.toContain('pa55')
    expect(sent.transcript).toContain('Manage link (status, burn): ')
    const link = /http:\/\/\S+\/s#2\.[\w-]{43}\.[\w-]{22}/.exec(sent.transcript)?.[0]
    expect(link).toBeDefined()

    const declined = inTerminal(`node ${CLI} get ${link}`)
    await declined.next('Reveal now? This uses its last view')
    declined.type('n')
    expect((await declined.finish()).code).toBe(1)

    const getter = inTerminal(`node ${CLI} get ${link}`)
    await getter.next('Reveal now?')
    getter.type('y')
    await getter.next('Passphrase: ')
    getter.type('not it')
    await getter.next('burnlink: wrong passphrase: 4 attempts left')
    await getter.next('Passphrase: ')
    getter.type(PASSPHRASE)
    const got = await getter.finish()
    expect(got.code).toBe(0)
    expect(got.transcript).not.toContain('pa55')
    // A person at a terminal gets a final newline the secret itself does not have.
    expect(got.transcript).toMatch(/piped secret\r\n$/)
  }, 45_000)
})

/** A window title, a clipboard write, hidden text, a C1 CSI, a bidi override and a lone CR. */
const HOSTILE =
  'title\x1b]0;pwned\x07 clip\x1b]52;c;cHduZWQ=\x07 hidden\x1b[8mghost\x1b[0m ' +
  'c1\u009b31m bidi\u202eevil\u202c lone\rcr, and a CRLF\r\nwith\ttab\n'
const HOSTILE_SHOWN =
  'title\\x1b]0;pwned\\x07 clip\\x1b]52;c;cHduZWQ=\\x07 hidden\\x1b[8mghost\\x1b[0m ' +
  'c1\\x9b31m bidi\\u202eevil\\u202c lone\\rcr, and a CRLF'

describe('control characters in a secret', () => {
  it('are shown escaped on a terminal, with a note on stderr', async () => {
    const { link } = await sendJson(server.url, [], HOSTILE)
    const got = await inTerminal(`node ${CLI} get --yes ${link}`).finish()
    expect(got.code).toBe(0)
    expect(got.transcript).toContain(HOSTILE_SHOWN)
    // The terminal turns each line feed into CR LF, so the CRLF line ends in CR CR LF.
    expect(got.transcript).toContain('CRLF\r\r\nwith\ttab\r\n')
    for (const obeyed of ['\x1b', '\x07', '\u009b', '\u202e', 'lone\rcr']) expect(got.transcript).not.toContain(obeyed)
    expect(got.transcript).toContain('control characters in this output are shown escaped (like \\x1b)')
  }, 30_000)

  it('go through a pipe byte for byte, without a note', async () => {
    const { link } = await sendJson(server.url, [], HOSTILE)
    const got = await runCli(['get', link])
    expect(got).toMatchObject({ code: 0, stderr: '' })
    expect(got.stdout.equals(Buffer.from(HOSTILE, 'utf8'))).toBe(true)
  })
})
