/**
 * vitest globalSetup: one Redis for the whole run, shared with the tests as
 * `inject('redisUrl')`; each worker uses a database of its own (worker-redis.ts). Tests keep
 * apart by using fresh random sids.
 */
import type { TestProject } from 'vitest/node'
import { getRedis } from './redis.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string
    /** True when the run started this Redis itself, so nobody else's data is in it. */
    redisOwned: boolean
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await getRedis()
  // Host and port only: a REDIS_URL may carry a password.
  const { host } = new URL(redis.url)
  console.log(`[${project.name}] Redis from ${redis.source} at ${host}`)
  project.provide('redisUrl', redis.url)
  project.provide('redisOwned', redis.source !== 'env')
  return () => redis.stop()
}
