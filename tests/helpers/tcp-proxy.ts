/**
 * A TCP proxy that can cut every connection and refuse new ones, then let traffic through
 * again: outage tests make Redis "go down" this way whatever Redis they run against.
 */
import { createServer, connect, type Socket } from 'node:net'
import { once } from 'node:events'

export interface TcpProxy {
  port: number
  /** The target URL with its host and port pointing at the proxy. */
  url: string
  /** Destroys every open connection and drops new ones until `restore()`. */
  cut(): void
  restore(): void
  close(): Promise<void>
}

/** `target` is a port on 127.0.0.1 or a URL such as `redis://host:port/0`. */
export async function startTcpProxy(target: number | string): Promise<TcpProxy> {
  const targetUrl = new URL(typeof target === 'number' ? `redis://127.0.0.1:${target}` : target)
  const targetHost = targetUrl.hostname
  const targetPort = Number(targetUrl.port)
  const sockets = new Set<Socket>()
  let down = false

  const track = (s: Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
    // A cut makes the peer see resets; they are the point, not a failure.
    s.on('error', () => s.destroy())
  }

  const server = createServer((client) => {
    track(client)
    if (down) {
      client.destroy()
      return
    }
    const upstream = connect(targetPort, targetHost)
    track(upstream)
    client.pipe(upstream).pipe(client)
    client.once('close', () => upstream.destroy())
    upstream.once('close', () => client.destroy())
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  const cut = () => {
    down = true
    for (const s of sockets) s.destroy()
  }
  const url = new URL(targetUrl)
  url.hostname = '127.0.0.1'
  url.port = String(port)

  return {
    port,
    url: url.toString(),
    cut,
    restore() {
      down = false
    },
    async close() {
      cut()
      server.close()
      await once(server, 'close')
    },
  }
}
