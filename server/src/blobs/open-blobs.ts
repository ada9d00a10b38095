/**
 * Picks the blob store from the configuration and starts the sweep beside it. The sweep
 * queue lives where the secrets do (Redis when there is one, else this process), since its
 * times are the secrets store's.
 */
import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import type { RedisClient } from '../store/redis-client.ts'
import type { BlobStore } from './blob-store.ts'
import { MemoryBlobStore } from './memory-blobs.ts'
import { RedisBlobStore } from './redis-blobs.ts'
import { S3BlobStore } from './s3-blobs.ts'
import { MemorySweepQueue, RedisSweepQueue, Sweeper, type SweepOptions } from './sweep.ts'

export interface BlobStorage {
  blobs: BlobStore
  /** Already sweeping; schedule() and cancel() keep each secret's entry right. */
  sweeper: Sweeper
  /** Stops the sweep, then closes the blob store; the Redis client stays the caller's. */
  close(): Promise<void>
}

/** `redis` is the secrets store's client (openStore gives it), or undefined for the memory store. */
export function openBlobStorage(
  config: Config,
  redis: RedisClient | undefined,
  logger: Logger,
  sweep?: SweepOptions,
): BlobStorage {
  const blobs = openBlobStore(config, redis, logger)
  const sweeper = new Sweeper(redis ? new RedisSweepQueue(redis) : new MemorySweepQueue(), blobs, logger, sweep)
  sweeper.start()
  return {
    blobs,
    sweeper,
    close: async () => {
      await sweeper.close()
      await blobs.close()
    },
  }
}

function openBlobStore(config: Config, redis: RedisClient | undefined, logger: Logger): BlobStore {
  const { store, s3 } = config.blobs
  if (store === 's3' && s3) return new S3BlobStore(s3, logger)
  // The configuration refuses BLOB_STORE=redis without Redis.
  if (store === 'redis' && redis) return new RedisBlobStore(redis)
  if (redis) {
    logger.warn(
      'BLOB_STORE=memory beside Redis: file chunks live only in this process, so another instance ' +
        'cannot serve them and a restart loses them. Use redis or s3 with several instances.',
    )
  }
  return new MemoryBlobStore()
}
