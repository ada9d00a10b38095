/**
 * Redis memory per secret (issue 6): `used_memory` growth over `count` 1 KB secrets
 * created through the store, i.e. the server's own Lua script and value layout.
 */
import type { Redis } from 'ioredis'
import { secretKeys, type RedisStore } from '../server/src/store/redis-store.ts'
import { decodeB64u } from '@burnlink/shared'
import { freshIds, storeSecrets, type Envelope } from './workloads.ts'

export interface MemoryResult {
  secrets: number
  ctBytes: number
  bytesPerSecret: number
  /** MEMORY USAGE of one secret's keys (value, key name and object header, not the dict entries). */
  keyUsage: Record<string, number>
}

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1])
}

export async function memoryPerSecret(
  store: RedisStore,
  redis: Redis,
  envelope: Envelope,
  count: number,
): Promise<MemoryResult> {
  await redis.flushall()
  const ids = Array.from({ length: count }, freshIds)
  const before = await usedMemory(redis)
  await storeSecrets(store, envelope, ids)
  const after = await usedMemory(redis)
  const keyUsage: Record<string, number> = {}
  for (const [name, key] of Object.entries(secretKeys(ids[0]!.sid))) {
    keyUsage[name] = Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'))
  }
  return {
    keyUsage,
    secrets: count,
    ctBytes: decodeB64u(envelope.ct).length,
    bytesPerSecret: Math.round((after - before) / count),
  }
}
