/**
 * A throwaway 3-master Redis Cluster on loopback for the cluster project: three
 * `redis-server --cluster-enabled yes` joined by `redis-cli --cluster create`, no replicas,
 * no persistence, in a temp dir removed at stop().
 */
import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import { startRedisServer, type RedisServer } from './redis.ts'

export interface RedisCluster {
  nodes: Array<{ host: string; port: number }>
  /** `host:port,...` as REDIS_CLUSTER_NODES takes it. */
  env: string
  servers: RedisServer[]
  stop(): Promise<void>
}

const run = promisify(execFile)

/**
 * Why the cluster tests cannot run here, or undefined when they can. In CI a missing
 * binary is a failure, not a skip: a green run must mean the cluster was tested.
 */
export function clusterUnavailable(): string | undefined {
  const missing = ['redis-server', 'redis-cli'].filter(
    (bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status !== 0,
  )
  if (missing.length === 0) return undefined
  const message = `Redis Cluster tests need ${missing.join(' and ')} on PATH (apt-get install redis-server, or brew install redis).`
  if (process.env.CI) throw new Error(message)
  console.warn(`\n*** SKIPPING the Redis Cluster tests: ${message} ***\n`)
  return message
}

/** The bus port is chosen too: the default, port + 10000, may not exist above 55535. */
async function unusedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'burnlink-cluster-'))
  const servers: RedisServer[] = []
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()))
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    for (let i = 0; i < masters; i++) {
      const nodeDir = join(dir, `node-${i}`)
      mkdirSync(nodeDir)
      servers.push(
        await startRedisServer([
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-port',
          String(await unusedPort()),
          '--dir',
          nodeDir,
        ]),
      )
    }
    const addresses = servers.map((s) => `127.0.0.1:${s.port}`)
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'])
    await Promise.all(servers.map((s) => waitForClusterOk(s.port)))
    return {
      nodes: servers.map((s) => ({ host: '127.0.0.1', port: s.port })),
      env: addresses.join(','),
      servers,
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}

async function waitForClusterOk(port: number, timeoutMs = 20_000): Promise<void> {
  const redis = new Redis(port, '127.0.0.1')
  try {
    const deadline = Date.now() + timeoutMs
    while (!/^cluster_state:ok\b/m.test(String(await redis.cluster('INFO')))) {
      if (Date.now() > deadline) throw new Error(`cluster node on port ${port} is not ok after ${timeoutMs} ms`)
      await new Promise((r) => setTimeout(r, 100))
    }
  } finally {
    redis.disconnect()
  }
}
