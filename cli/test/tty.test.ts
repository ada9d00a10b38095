/**
 * The interactive paths, on a real pseudo-terminal made by util-linux `script`: the
 * passphrase prompt must not echo, and get must ask before using a view.
 */
import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { CLI, useCliAndServer } from './helpers.ts'

const PASSPHRASE = 'pa55 w\u00f6rd'

const server = useCliAndServer()

/** A shell command on a terminal; `next` waits for the text, `type` answers it. */
function inTerminal(command: string) {
  const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: 'pipe' })
  let transcript = ''
  let cursor = 0
  child.stdout.on('data', (chunk: Buffer) => {
    transcript += chunk.toString('utf8')
  })
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  return {
    // Answers are typed only once the prompt is up, as a person would: typed earlier, the
    // terminal itself would echo them before the prompt could turn echo off.
    async next(text: string): Promise<void> {
      const deadline = Date.now() + 15_000
      while (transcript.indexOf(text, cursor) === -1) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${JSON.stringify(text)} in ${JSON.stringify(transcript)}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      cursor = transcript.indexOf(text, cursor) + text.length
    },
    type(answer: string): void {
      child.stdin.write(`${answer}\r`)
    },
    async finish(): Promise<{ code: number | null; transcript: string }> {
      const code = await exited
      return { code, transcript }
    },
  }
}

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
    const link = /http:\/\/\S+\/s#1\.[\w-]{43}/.exec(sent.transcript)?.[0]
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
