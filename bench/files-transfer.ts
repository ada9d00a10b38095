/**
 * File transfer (issue 12): a 100 MB file uploaded and downloaded through the CLI's code
 * path (the shared file-send and file-receive flows over the CLI's client, as `burnlink
 * send --file` and `burnlink get` run them, encryption included) against the same flows
 * over a bare Fastify route moving the same chunks to the same blob store
 * (files-baseline.ts), for each blob store: memory, Redis, and S3 through s3rver. Then the
 * burnlink server's RSS growth while a 200 MB file goes up and down, and Redis memory per
 * stored MB of chunks.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import {
  FILE_DIGEST_BYTES,
  createRecipient,
  decodeB64u,
  downloadFile,
  fileLayout,
  parseSecretLink,
  prepareFileSecret,
  uploadFileSecret,
  type ChunkReadApi,
  type FileUploadApi,
} from '@burnlink/shared'
import { clientFor } from '../cli/src/server.ts'
import { SWEEP_KEY } from '../server/src/blobs/sweep.ts'
import { cpuMs } from './cpu.ts'
import { startS3Server, type S3Server } from '../tests/helpers/s3-server.ts'
import { spawnServer, type BenchServer } from './processes.ts'

export const BLOB_STORES = ['memory', 'redis', 's3'] as const
export type BlobStoreName = (typeof BLOB_STORES)[number]

const MB = 1_000_000
/** Chunks in flight at once, the shared flows' default: the baseline's client does the same. */
const PARALLEL = 3

export interface Transfer {
  /** Plaintext MB per second (the baseline moves as many stored bytes as burnlink stores). */
  upMBps: number
  downMBps: number
  /**
   * CPU milliseconds (user + system) per plaintext MB of the server process and of the
   * client (this process: the flows, their encryption and their HTTP). Far steadier than
   * MB/s on a shared machine: it counts the work done, not the share of the cores got.
   */
  cpu: { serverUp: number; serverDown: number; clientUp: number; clientDown: number }
}

export interface StoreRuns {
  store: BlobStoreName
  baseline: Transfer[]
  burnlink: Transfer[]
}

export interface FilesReport {
  fileBytes: number
  stores: StoreRuns[]
  /** Server RSS growth while `rssFileBytes` went up and down, per store that keeps chunks outside the process. */
  rss: Array<{ store: BlobStoreName; beforeBytes: number; peakBytes: number }>
  rssFileBytes: number
  /** Redis used_memory growth per stored byte of chunks, after the commit of one file. */
  redisPerStoredByte: number
}

export interface FilesOptions {
  root: string
  baselineScript: string
  redisUrl: string
  redis: Redis
  work: string
  pairs: number
  fileBytes: number
  rssFileBytes: number
  serverEnv: Record<string, string>
  /** Node flags for both servers, e.g. `--cpu-prof` (BENCH_SERVER_NODE_ARGS). */
  serverNodeArgs: string[]
  stores: readonly BlobStoreName[]
}

export async function measureFiles(o: FilesOptions): Promise<FilesReport> {
  const report: FilesReport = {
    fileBytes: o.fileBytes,
    stores: [],
    rss: [],
    rssFileBytes: o.rssFileBytes,
    redisPerStoredByte: Number.NaN,
  }
  for (const store of o.stores) {
    let s3: S3Server | undefined
    const servers: BenchServer[] = []
    try {
      if (store === 's3') s3 = await startS3Server()
      const env = { REDIS_URL: o.redisUrl, BLOB_STORE: store, ...s3?.env }
      const burnlink = await spawnServer(
        join(o.root, 'server/dist/main.js'),
        {
          ...env,
          LOG_LEVEL: 'info',
          RATE_LIMIT_CREATE_PER_MINUTE: '1000000000',
          RATE_LIMIT_READ_PER_MINUTE: '1000000000',
          CREATE_BYTES_PER_HOUR: '1000000000000',
          MAX_FILE_BYTES: String(4 * Math.max(o.fileBytes, o.rssFileBytes)),
          MAX_STORED_BYTES: '0',
          ...o.serverEnv,
        },
        join(o.work, `files-${store}.log`),
        o.serverNodeArgs,
      )
      servers.push(burnlink)
      const baseline = await spawnServer(
        o.baselineScript,
        env,
        join(o.work, `files-baseline-${store}.log`),
        o.serverNodeArgs,
      )
      servers.push(baseline)

      const runs: StoreRuns = { store, baseline: [], burnlink: [] }
      // Untimed first round each: JIT and connection pools warm.
      await bare(baseline, o.fileBytes)
      await throughBurnlink(burnlink, o.fileBytes)
      await swept(o.redis)
      for (let pair = 0; pair < o.pairs; pair++) {
        runs.baseline.push(await bare(baseline, o.fileBytes))
        runs.burnlink.push(await throughBurnlink(burnlink, o.fileBytes))
        await swept(o.redis)
      }
      report.stores.push(runs)

      if (store === 'redis') report.redisPerStoredByte = await redisPerStoredByte(o.redis, burnlink, o.fileBytes)
      // The memory store keeps every chunk in the server's heap by design: its RSS grows by the file.
      if (store !== 'memory') {
        const beforeBytes = rssBytes(burnlink.pid)
        let peakBytes = beforeBytes
        const sampler = setInterval(() => (peakBytes = Math.max(peakBytes, rssBytes(burnlink.pid))), 20)
        try {
          await throughBurnlink(burnlink, o.rssFileBytes)
        } finally {
          clearInterval(sampler)
        }
        report.rss.push({ store, beforeBytes, peakBytes: Math.max(peakBytes, rssBytes(burnlink.pid)) })
      }
      console.log(`measured file transfer, ${store} blob store`)
    } finally {
      await Promise.all(servers.map((s) => s.stop()))
      await s3?.stop()
    }
  }
  return report
}

function rssBytes(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  return Number(kb) * 1024
}

/** The plaintext as 1 MiB pieces, as a file read stream gives them: copies of one random block. */
function* plaintext(bytes: number): Generator<Uint8Array> {
  const block = randomBytes(1 << 20)
  for (let left = bytes; left > 0; left -= block.length)
    yield Buffer.from(block.subarray(0, Math.min(left, block.length)))
}

/** Wall time, the server's CPU and this process' CPU from a start, in s and ms. */
function stopwatch(pid: number) {
  const start = { at: process.hrtime.bigint(), server: cpuMs([pid]), client: process.cpuUsage() }
  return () => {
    const client = process.cpuUsage(start.client)
    return {
      seconds: Number(process.hrtime.bigint() - start.at) / 1e9,
      serverMs: cpuMs([pid]) - start.server,
      clientMs: (client.user + client.system) / 1000,
    }
  }
}

type Lap = ReturnType<ReturnType<typeof stopwatch>>

function transfer(bytes: number, up: Lap, down: Lap): Transfer {
  const mb = bytes / MB
  return {
    upMBps: mb / up.seconds,
    downMBps: mb / down.seconds,
    cpu: {
      serverUp: up.serverMs / mb,
      serverDown: down.serverMs / mb,
      clientUp: up.clientMs / mb,
      clientDown: down.clientMs / mb,
    },
  }
}

const prepare = (origin: string, bytes: number) =>
  prepareFileSecret({
    files: [{ name: 'bench.bin', type: 'application/octet-stream', size: bytes }],
    ttl: 3600,
    maxViews: 1,
    origin,
  })

/** Upload and download as `burnlink send --file` and `burnlink get` do, timed apart. */
async function throughBurnlink(
  { url, pid }: BenchServer,
  bytes: number,
  afterCommit?: () => Promise<void>,
): Promise<Transfer> {
  const client = clientFor(url)
  const prepared = await prepare(url, bytes)
  const upLap = stopwatch(pid)
  await uploadFileSecret(client, prepared, () => plaintext(bytes), { parallel: PARALLEL })
  const up = upLap()
  await afterCommit?.()

  const downLap = stopwatch(pid)
  const recipient = await createRecipient(parseSecretLink(prepared.link).k, { api: client })
  await recipient.meta()
  await recipient.unlock()
  const { files } = await recipient.reveal()
  let received = 0
  for await (const piece of downloadFile(client, files!, 0, { parallel: PARALLEL })) received += piece.length
  await files!.finish()
  if (received !== bytes) throw new Error(`downloaded ${received} bytes of ${bytes}`)
  return transfer(bytes, up, downLap())
}

/**
 * The same file through the same shared flows, PARALLEL in flight, over a bare route instead
 * of burnlink's API: the client's work (encryption, the chunks' hashes and the signature,
 * decryption) is burnlink's to the byte, so the ratio measures what burnlink's server and
 * its protocol calls (create, commit, reveal, each chunk's checks) add. With pre-made bytes,
 * as before, it also charged burnlink for the client's crypto competing with the server for
 * this machine's two cores (+40 % client CPU per MB on a download).
 */
async function bare({ url, pid }: BenchServer, bytes: number): Promise<Transfer> {
  const prepared = await prepare(url, bytes)
  const post = async (path: string, headers: Record<string, string>, body: Uint8Array<ArrayBuffer> | string) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers, body })
    if (!res.ok) throw new Error(`files baseline answered ${res.status}`)
    return new Uint8Array(await res.arrayBuffer())
  }
  let fsig = ''
  const api: FileUploadApi & ChunkReadApi = {
    createUpload: async () => ({ sid: prepared.sid, uploadExpiresAt: new Date().toISOString() }),
    uploadChunk: async ({ file, chunk, body }) => {
      const headers = { 'content-type': 'application/octet-stream', 'x-file': String(file), 'x-chunk': String(chunk) }
      await post('/chunk', headers, body)
      return null
    },
    commit: async (ref) => {
      fsig = ref.fsig ?? ''
      return { sid: ref.sid, expiresAt: new Date().toISOString() }
    },
    abort: async () => null,
    readChunk: ({ file, chunk }) => post('/chunk/read', JSON_TYPE, JSON.stringify({ file, chunk })),
  }
  const upLap = stopwatch(pid)
  await uploadFileSecret(api, prepared, () => plaintext(bytes), { parallel: PARALLEL })
  const up = upLap()

  // The digest the signature names, as a recipient's reveal gives it: decryption checks it.
  const digests = [decodeB64u(fsig).subarray(0, FILE_DIGEST_BYTES)]
  const files = { ctx: { ...prepared.ctx, digests }, claimed: { sid: prepared.sid, acc: '', claim: '' } }
  const downLap = stopwatch(pid)
  let received = 0
  for await (const piece of downloadFile(api, files, 0, { parallel: PARALLEL })) received += piece.length
  const down = downLap()
  if (received !== bytes) throw new Error(`files baseline gave ${received} bytes of ${bytes}`)
  await post('/reset', JSON_TYPE, JSON.stringify({ layout: [fileLayout(bytes).chunks] }))
  return transfer(bytes, up, down)
}

const JSON_TYPE = { 'content-type': 'application/json' }

/**
 * Until the burnlink server's sweep has deleted the chunks of the secret it just ended (at
 * most one sweep interval, 10 s), as the baseline deletes its own before its round ends: so
 * each timed round starts from an empty store, and no deletion (100 S3 DELETEs, 100 MB of
 * UNLINK, 100 MB of heap to collect) runs during the next round, whichever server's it is.
 */
async function swept(redis: Redis): Promise<void> {
  const deadline = Date.now() + 30_000
  while ((await redis.zcard(SWEEP_KEY)) > 0) {
    if (Date.now() > deadline) throw new Error('the burnlink server left chunks unswept for 30 s')
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** Redis used_memory growth from before an upload to its commit, per stored byte of chunks. */
async function redisPerStoredByte(redis: Redis, server: BenchServer, bytes: number): Promise<number> {
  const used = async () => Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1])
  // Earlier rounds' chunks are deleted by the sweep after their ack, maybe during this one.
  await redis.flushall()
  const before = await used()
  let after = before
  await throughBurnlink(server, bytes, async () => {
    after = await used()
  })
  return (after - before) / fileLayout(bytes).stored
}
