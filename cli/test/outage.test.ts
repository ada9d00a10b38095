/**
 * The CLI through a short outage between it and the server: an answer lost after the server
 * acted, then connections refused for two seconds. `get` must still print the secret, using
 * one view (its retries carry the run's claim), and `send` must still print a working link,
 * storing the secret once (its retries are the identical create).
 */
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createClient, parseManageLink } from '@burnlink/shared'
import { CLI, inTerminal, runCli, sendJson, useCliAndServer } from './helpers.ts'

const server = useCliAndServer()

interface Outage {
  url: string
  /** Requests the server answered but the CLI never heard back from. */
  lost: string[]
  close(): Promise<void>
}

/**
 * An HTTP proxy to the test server that lets the first request to `path` reach the server,
 * drops the server's answer on the floor, and then refuses every connection for `downMs`.
 */
async function outageAt(path: string, downMs = 2000): Promise<Outage> {
  const target = new URL(server.url)
  const lost: string[] = []
  let downUntil = 0
  const sockets = new Set<Socket>()
  const proxy: Server = createServer((req, res) => {
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        if (req.url === path && lost.length === 0) {
          lost.push(`${req.method} ${req.url} -> ${answer.statusCode}`)
          downUntil = Date.now() + downMs
          answer.resume()
          // A cut: kept-alive connections go too, so no retry slips through before the end.
          for (const socket of sockets) socket.destroy()
          return
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    req.pipe(upstream)
  })
  proxy.on('connection', (socket: Socket) => {
    if (Date.now() < downUntil) return void socket.destroy()
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const { port } = proxy.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    lost,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise((resolve) => proxy.close(resolve))
    },
  }
}

let outage: Outage | undefined
afterEach(async () => {
  await outage?.close()
  outage = undefined
})

// Each waits out a 2 to 3 s outage on top of the CLI's own start: more than the default 5 s.
describe('through a short outage', { timeout: 30_000 }, () => {
  it('get prints the secret whose reveal answer was lost, using one view', async () => {
    outage = await outageAt('/api/v1/secrets/reveal')
    const { link, manageLink } = await sendJson(outage.url, ['--views', '2'], 'survives the outage')
    const started = Date.now()
    const r = await runCli(['get', link])
    expect(outage.lost).toEqual(['POST /api/v1/secrets/reveal -> 200'])
    expect(r).toMatchObject({ code: 0, out: 'survives the outage' })
    expect(r.stderr).toMatch(/not answering; trying again/)
    expect(Date.now() - started).toBeGreaterThan(2000)
    const { sid, mt } = parseManageLink(manageLink)
    expect(await createClient({ baseUrl: server.url }).status({ sid, mt })).toMatchObject({ views: 1 })
  })

  it('send prints a working link when the answer to its create was lost: the repeated create answers 201', async () => {
    outage = await outageAt('/api/v1/secrets')
    const sent = await sendJson(outage.url, [], 'sent through the outage')
    expect(outage.lost).toEqual(['POST /api/v1/secrets -> 201'])
    expect((await runCli(['get', sent.link])).out).toBe('sent through the outage')
  })

  it('get exits 6 and says the view may be used when the reveal never gets an answer', async () => {
    outage = await outageAt('/api/v1/secrets/reveal', 60_000)
    const { link } = await sendJson(server.url, [], 'lost')
    const r = await runCli(['get', link.replace(server.url, outage.url)], { env: { BURNLINK_RETRY_SECONDS: '2' } })
    expect(r).toMatchObject({ code: 6, out: '' })
    expect(r.stderr).toMatch(/did not answer the reveal: the secret may have been used up by this attempt/)
  })

  it('get offers a person at a terminal to try again, and the same claim then gets the view', async () => {
    outage = await outageAt('/api/v1/secrets/reveal', 3000)
    const { link, manageLink } = await sendJson(outage.url, [], 'worth the wait')
    const getter = inTerminal(`BURNLINK_RETRY_SECONDS=1 node ${CLI} get --yes '${link}'`)
    await getter.next('the secret may have been used up by this attempt. This run can still fetch it for 4 minutes.')
    await getter.next('Try again now? [Y/n] ')
    // Answered once the outage is over, as a person who waited would.
    await new Promise((resolve) => setTimeout(resolve, 3000))
    getter.type('y')
    const got = await getter.finish()
    expect(got.code).toBe(0)
    expect(got.transcript).toMatch(/worth the wait\r\n$/)
    const { sid, mt } = parseManageLink(manageLink)
    expect(await createClient({ baseUrl: server.url }).status({ sid, mt })).toMatchObject({ views: 1 })
  })

  it('refuses a BURNLINK_RETRY_SECONDS that is not a whole number of seconds', async () => {
    const r = await runCli(['send', '--server', server.url, 'x'], { env: { BURNLINK_RETRY_SECONDS: 'soon' } })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/BURNLINK_RETRY_SECONDS/)
  })
})
