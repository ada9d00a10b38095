import { describe, expect, it } from 'vitest'
import { runCli, sendJson, useCliAndServer } from './helpers.ts'

const server = useCliAndServer()

/** Another address of the same machine: a different server as far as a link is concerned. */
const elsewhere = () => server.url.replace('127.0.0.1', 'localhost')

describe('--server on get, status and burn', () => {
  it('is accepted when it names the link’s own server, with or without a final slash', async () => {
    // Two views, so the burn after the get finds it still there.
    const { link, manageLink } = await sendJson(server.url, ['--views', '2'], 'checked')
    expect(await runCli(['status', '--server', server.url, manageLink])).toMatchObject({ code: 0 })
    expect(await runCli(['get', '--server', `${server.url}/`, link])).toMatchObject({ code: 0, out: 'checked' })
    expect(await runCli(['burn', '--server', server.url, manageLink])).toMatchObject({ code: 0 })
  })

  it.each(['get', 'status', 'burn'])(
    'refuses %s of a link from another server with 2, sending nothing',
    async (command) => {
      const { link, manageLink } = await sendJson(server.url, [], 'untouched')
      const r = await runCli([command, '--server', elsewhere(), command === 'get' ? link : manageLink])
      expect(r).toMatchObject({ code: 2, out: '' })
      expect(r.stderr).toContain(`this link is for the server ${server.url}, not for --server ${elsewhere()}`)
      // Nothing reached the server: the secret is still there to be read once.
      expect(await runCli(['get', link])).toMatchObject({ code: 0, out: 'untouched' })
    },
  )
})

describe('an unknown option', () => {
  it.each([
    ['get', '--bogus'],
    ['send', '-x'],
  ])('%s %s is named in a hint whose quotes pair up', async (command, option) => {
    const r = await runCli([command, option, 'arg'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      `burnlink: unknown option ${option}; see burnlink ${command} --help (an argument that starts with "-" goes after "--")\n`,
    )
  })
})
