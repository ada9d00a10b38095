/**
 * Finds a Redis for the tests, first that works: `REDIS_URL`, a `redis-server` binary on
 * PATH, a testcontainers `redis:7.4`. Tests never mock Redis: the atomicity and expiry
 * they check only exist in the real thing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer, Socket } from 'node:net'
import { once } from 'node:events'

export interface RedisHandle {
  url: string
  source: 'env' | 'binary' | 'testcontainers'
  stop(): Promise<void>
}

export interface RedisServer {
  url: string
  port: number
  /** Kills the process (SIGKILL by default: a crash, not a shutdown). */
  kill(signal?: NodeJS.Signals): Promise<void>
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>
  /** Freezes the process (SIGSTOP): connections stay open and commands hang, as in a stall. */
  stall(): void
  /** Thaws a stalled process (SIGCONT); harmless when it runs. */
  resume(): void
  /** Stops it (SIGTERM), thawing it first: a stopped process would never act on the signal. */
  stop(): Promise<void>
}

const NO_REDIS = [
  'No Redis available for the tests. Any one of these works:',
  '  - install the server: apt-get install redis-server (or brew install redis)',
  '  - point at one: REDIS_URL=redis://127.0.0.1:6379',
  '  - start Docker, so testcontainers can run redis:7.4',
].join('\n')

export async function getRedis(): Promise<RedisHandle> {
  const fromEnv = process.env.REDIS_URL
  if (fromEnv) return { url: fromEnv, source: 'env', stop: async () => {} }
  if (hasRedisBinary()) {
    const server = await startRedisServer()
    return { url: server.url, source: 'binary', stop: server.stop }
  }
  return startContainer()
}

export function hasRedisBinary(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
}

export async function startRedisServer(args: string[] = []): Promise<RedisServer> {
  if (!hasRedisBinary()) throw new Error(`redis-server is not on PATH.\n${NO_REDIS}`)
  const port = await freePort()
  const argv = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--maxmemory-policy',
    'noeviction',
    ...args,
  ]
  let child: ChildProcess | undefined

  const start = async () => {
    child = spawn('redis-server', argv, { stdio: 'ignore' })
    await waitForPing(port, child)
  }
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const c = child
    child = undefined
    if (!c || c.exitCode !== null || c.signalCode !== null) return
    c.kill(signal)
    await once(c, 'exit')
  }

  let stalled = false
  const resume = () => {
    if (stalled) child?.kill('SIGCONT')
    stalled = false
  }

  await start()
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    restart: async () => {
      await kill()
      await start()
    },
    stall: () => {
      child?.kill('SIGSTOP')
      stalled = true
    },
    resume,
    stop: () => {
      resume()
      return kill('SIGTERM')
    },
  }
}

async function startContainer(): Promise<RedisHandle> {
  let container
  try {
    const { GenericContainer, Wait } = await import('testcontainers')
    container = await new GenericContainer('redis:7.4')
      .withCommand(['redis-server', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'])
      .withExposedPorts(6379)
      .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
      .start()
  } catch (err) {
    throw new Error(NO_REDIS, { cause: err })
  }
  const started = container
  return {
    url: `redis://${started.getHost()}:${started.getMappedPort(6379)}`,
    source: 'testcontainers',
    stop: async () => {
      await started.stop()
    },
  }
}

/** A port nothing listens on right now, on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

/** A raw PING so this helper does not depend on the client under test. */
async function waitForPing(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} on port ${port}`)
    if (await pingOnce(port)) return
    await new Promise((r) => setTimeout(r, 25))
  }
  child.kill('SIGKILL')
  throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`)
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket()
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.once('error', () => done(false))
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')))
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
  })
}
