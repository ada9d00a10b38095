/**
 * A real S3-API server for the tests: s3rver, run as its own process on loopback with its
 * data in a temp dir, spoken to over HTTP with signed requests, as a bucket is in
 * production. Tests never mock S3: a stand-in that accepts whatever the SDK sends would
 * miss the headers, signatures and streaming that real servers refuse or get wrong.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { HeadBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import type { S3Settings } from '../../server/src/blobs/s3-blobs.ts'
import { freePort } from './redis.ts'

export interface S3Server {
  /** What the server's S3 settings would be for this bucket, as BLOB_STORE=s3 reads them. */
  settings: S3Settings
  /** The same as environment variables. */
  env: Record<string, string>
  /** Keys in the bucket under `prefix`, by listing it through the API. */
  keys(prefix?: string): Promise<string[]>
  /** Kills the process: connections are refused until restart(). */
  kill(): Promise<void>
  /** Stops the process without closing its connections (SIGSTOP): requests hang. */
  pause(): void
  resume(): void
  /** Starts it again on the same port, with the objects it had. */
  restart(): Promise<void>
  stop(): Promise<void>
}

/** s3rver's fixed credentials: it checks every request's signature against them. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
const BUCKET = 'burnlink-test'
const BIN = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js')

export async function startS3Server(): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), 'burnlink-s3-'))
  const port = await freePort()
  const endpoint = `http://127.0.0.1:${port}`
  const settings: S3Settings = {
    endpoint,
    bucket: BUCKET,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: CREDENTIALS,
  }
  const client = new S3Client({ ...settings, maxAttempts: 1 })
  let child: ChildProcess | undefined

  const start = async () => {
    const args = ['--directory', dir, '--address', '127.0.0.1', '--port', String(port), '--silent']
    child = spawn(process.execPath, [BIN, ...args, '--configure-bucket', BUCKET], { stdio: 'ignore' })
    await waitForBucket(client, child)
  }
  const kill = async () => {
    const c = child
    child = undefined
    if (!c || c.exitCode !== null || c.signalCode !== null) return
    c.kill('SIGKILL')
    await once(c, 'exit')
  }

  await start()
  return {
    settings,
    env: {
      BLOB_STORE: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: BUCKET,
      S3_REGION: settings.region,
      S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    },
    keys: async (prefix = '') => {
      const out = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))
      return (out.Contents ?? []).map((o) => o.Key!).sort()
    },
    kill,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    restart: async () => {
      await kill()
      await start()
    },
    stop: async () => {
      await kill()
      client.destroy()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function waitForBucket(client: S3Client, child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`s3rver exited with code ${child.exitCode}`)
    try {
      await client.send(new HeadBucketCommand({ Bucket: BUCKET }))
      return
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL')
        throw new Error(`s3rver did not serve its bucket within ${timeoutMs} ms`, { cause: err })
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}
