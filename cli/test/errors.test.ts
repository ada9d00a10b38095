import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { startTestServer } from '../../tests/helpers/server.ts'
import { version } from '../package.json'
import { runCli, sendJson, useCliAndServer } from './helpers.ts'

const server = useCliAndServer()

/** A link of the right shape whose key no secret was ever made with. */
const unknownLink = (origin: string) => `${origin}/s#1.${'A'.repeat(42)}A`
const unknownManageLink = (origin: string) => `${origin}/r#1.${'A'.repeat(22)}.${'B'.repeat(42)}A`

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

describe('a passphrase in argv', () => {
  it.each([
    ['--passphrase', 'letmein', 'the text'],
    ['--passphrase=letmein', 'the text'],
  ])('is refused before anything is sent: %s', async (...args) => {
    // The server would answer if anything were sent; a usage error proves nothing was.
    const r = await runCli(['send', '--server', server.url, ...args])
    expect(r).toMatchObject({ code: 2, out: '' })
    expect(r.stderr).toMatch(/shell history/)
  })

  it('still allows --passphrase followed by another option', async () => {
    // No terminal to prompt on: a usage error about the terminal, not about argv.
    const r = await runCli(['send', '--server', server.url, '--passphrase', '--views', '1', 'text'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/no terminal/)
  })
})

describe('exit codes', () => {
  it('3 for a well-formed link or manage link that matches no secret', async () => {
    const got = await runCli(['get', unknownLink(server.url)])
    expect(got).toMatchObject({ code: 3, out: '' })
    expect(got.stderr).toMatch(/no secret found/)
    expect((await runCli(['status', unknownManageLink(server.url)])).code).toBe(3)
    expect((await runCli(['burn', unknownManageLink(server.url)])).code).toBe(3)
  })

  it('4 for a second get', async () => {
    const { link } = await sendJson(server.url, [], 'once')
    expect((await runCli(['get', link])).code).toBe(0)
    const again = await runCli(['get', link])
    expect(again).toMatchObject({ code: 4, out: '' })
    expect(again.stderr).toMatch(/already viewed/)
  })

  it('6 when the server that made the link has stopped', async () => {
    const other = await startTestServer()
    const { link } = await sendJson(other.url, [], 'stranded')
    await other.close()
    const r = await runCli(['get', link], { env: { BURNLINK_RETRY_SECONDS: '0' } })
    expect(r.code).toBe(6)
    expect(r.stderr).toContain(`could not reach the server at ${other.url}`)
  })

  it('6 when nothing listens on the port', async () => {
    const r = await runCli(['send', '--server', `http://127.0.0.1:${await closedPort()}`, 'text'], {
      env: { BURNLINK_RETRY_SECONDS: '0' },
    })
    expect(r.code).toBe(6)
    expect(r.stderr).not.toMatch(/trying again/)
  })

  it('6 when the server keeps answering 503, after trying again for BURNLINK_RETRY_SECONDS', async () => {
    let requests = 0
    const unavailable = createServer((_req, res) => {
      requests++
      res.writeHead(503, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: 'unavailable', message: 'the store is unavailable' }))
    })
    await new Promise<void>((resolve) => unavailable.listen(0, '127.0.0.1', resolve))
    const { port } = unavailable.address() as AddressInfo
    try {
      const r = await runCli(['get', unknownLink(`http://127.0.0.1:${port}`)], { env: { BURNLINK_RETRY_SECONDS: '2' } })
      expect(r.code).toBe(6)
      expect(r.stderr).toMatch(/unavailable/)
      expect(r.stderr).toMatch(/not answering; trying again for up to 2 s/)
      // Waits of about 0.5 and 1 s fit in 2 s: three tries of the limits, none after the budget
      // (counted, not timed: a busy machine slows the tries, not their number).
      expect(requests).toBeGreaterThanOrEqual(3)
      expect(requests).toBeLessThanOrEqual(4)
    } finally {
      await new Promise((resolve) => unavailable.close(resolve))
    }
  })

  it.each([
    ['an unknown command', ['fetch']],
    ['an unknown option', ['send', '--view', '2', 'x']],
    ['a damaged link', ['get', 'http://127.0.0.1:1/s#1.tooshort']],
    ['a manage link given to get', ['get', unknownManageLink('http://127.0.0.1:1')]],
    ['a secret link given to status', ['status', unknownLink('http://127.0.0.1:1')]],
    ['a bad --ttl', ['send', '--ttl', '10x', 'x']],
    ['two secrets at once', ['send', '--url', 'https://example.com/', 'x']],
    ['a link with files', ['send', '--url', 'https://example.com/', '--file', '/etc/hostname']],
    ['a --file that is a directory', ['send', '--file', '/tmp']],
    ['plain http to another host', ['send', '--server', 'http://example.com', 'x']],
    ['a plain http link to another host', ['get', unknownLink('http://example.com')]],
    ['no command', []],
  ])('2 for %s, without touching the network', async (_what, args) => {
    const r = await runCli(args)
    expect(r).toMatchObject({ code: 2, out: '' })
    expect(r.stderr).toMatch(/^burnlink: \S/)
  })

  it.each([
    ['--ttl below the minimum', ['--ttl', '59']],
    ['--ttl above the server maximum', ['--ttl', '8d']],
    ['--views 0', ['--views', '0']],
    ['an http --url', ['--url', 'http://example.com/']],
    ['a --url with credentials', ['--url', 'https://user:pw@example.com/']],
  ])('2 for %s on a real server', async (_what, args) => {
    const r = await runCli(['send', '--server', server.url, ...args, ...(args[0] === '--url' ? [] : ['x'])])
    expect(r).toMatchObject({ code: 2, out: '' })
  })

  it('2 for empty or non-UTF-8 input on stdin', async () => {
    expect((await runCli(['send', '--server', server.url], { input: '' })).code).toBe(2)
    const binary = await runCli(['send', '--server', server.url], { input: Uint8Array.of(0x66, 0xff, 0xfe) })
    expect(binary.code).toBe(2)
    expect(binary.stderr).toMatch(/not UTF-8/)
  })

  it('--insecure lets plain http through to a host that is not loopback', async () => {
    // 0.0.0.0 reaches this machine but is not a loopback name, so it stands for "another host".
    const link = unknownLink(server.url.replace('127.0.0.1', '0.0.0.0'))
    expect((await runCli(['get', link])).code).toBe(2)
    expect((await runCli(['get', '--insecure', link])).code).toBe(3)
  })
})

describe('help and version', () => {
  it.each([['--help'], ['send', '--help'], ['get', '-h'], ['status', '--help'], ['burn', '--help']])(
    '%s prints usage',
    async (...args) => {
      const r = await runCli(args)
      expect(r.code).toBe(0)
      expect(r.out).toMatch(/^Usage: burnlink/)
    },
  )

  it('--version prints the package version', async () => {
    expect(await runCli(['--version'])).toMatchObject({ code: 0, out: `${version}\n` })
  })
})
