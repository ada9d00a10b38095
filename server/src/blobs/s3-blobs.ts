/**
 * Chunks as objects in an S3-compatible bucket (BLOB_STORE=s3), for large files and many
 * instances: the server streams each upload straight into PutObject and each download
 * straight out of GetObject, holding no chunk in memory. Objects are named
 * `bl/<bid>/<file>/<chunk>`: the random bid, never the sid, so no secret id reaches a storage
 * URL or an access log. S3 cannot expire single objects, so the sweep deletes them; a
 * lifecycle rule on the `bl/` prefix is only a backstop.
 */
import { Readable, Transform, finished } from 'node:stream'
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import { StoreUnavailableError } from '../store/store.ts'
import {
  BlobBodyError,
  checkChunk,
  chunksOf,
  type BlobLayout,
  type BlobRef,
  type BlobStore,
  type PutOptions,
} from './blob-store.ts'

export type S3Settings = NonNullable<Config['blobs']['s3']>

/** Parallel deletions: a 1 GiB secret (1,024 objects) goes in about 64 round trips. */
const DELETE_CONCURRENCY = 16
/**
 * Until the answer's headers, for every call but an upload (which moves at its client's
 * pace): a healthy bucket answers in milliseconds, a stalled one costs a request two of these.
 */
const QUICK = { requestTimeout: 3_000 }

export function objectKey(ref: BlobRef, file: number, chunk: number): string {
  return `bl/${ref.bid}/${file}/${chunk}`
}

export class S3BlobStore implements BlobStore {
  private readonly client: S3Client
  private readonly bucket: string

  constructor(settings: S3Settings, logger: Pick<Logger, 'debug'>) {
    this.bucket = settings.bucket
    this.client = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      credentials: settings.credentials,
      forcePathStyle: settings.forcePathStyle,
      // Otherwise the SDK adds CRC32 headers and aws-chunked bodies that many S3-compatible
      // servers refuse; TLS and the chunks' own GCM tags already guard the bytes.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // One quick retry for reads and deletes (a streamed upload is never retried: the
      // client retries the chunk); past that the request gets its 503 now, not in a minute.
      maxAttempts: 2,
      requestHandler: {
        connectionTimeout: 3_000,
        throwOnRequestTimeout: true,
        // Idle, not total: an upload moves at its client's pace. A client silent this long
        // mid-chunk loses the chunk and sends it again.
        socketTimeout: 10_000,
        // Every upload in flight holds a socket for as long as its client takes.
        httpAgent: { keepAlive: true, maxSockets: 256 },
        httpsAgent: { keepAlive: true, maxSockets: 256 },
      },
      // The SDK warns on every failed streamed upload, which a client going away is; the
      // failures that matter reach the caller as StoreUnavailableError.
      logger: { debug() {}, info() {}, warn: (...m) => logger.debug({ sdk: m.join(' ') }), error() {} },
    })
  }

  async put(ref: BlobRef, file: number, chunk: number, body: Readable | Uint8Array, { size }: PutOptions) {
    checkChunk(file, chunk, size)
    if (body instanceof Uint8Array && body.length !== size) {
      throw new BlobBodyError(`the body has ${body.length} bytes, not ${size}`)
    }
    const abort = new AbortController()
    let bodyError: BlobBodyError | undefined
    const counted = body instanceof Uint8Array ? undefined : exactly(body, size)
    counted?.on('error', (err) => {
      bodyError ??= err instanceof BlobBodyError ? err : new BlobBodyError('the body failed', { cause: err })
      abort.abort()
    })
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: objectKey(ref, file, chunk),
          Body: counted ?? body,
          ContentLength: size,
          // The proof that what a GetObject finds is a whole upload: see get().
          Metadata: { size: String(size) },
        }),
        { abortSignal: abort.signal },
      )
    } catch (err) {
      throw bodyError ?? unavailable(err)
    } finally {
      counted?.destroy()
    }
  }

  async get(ref: BlobRef, file: number, chunk: number): Promise<Readable | null> {
    checkChunk(file, chunk)
    let out
    try {
      out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: objectKey(ref, file, chunk) }),
        QUICK,
      )
    } catch (err) {
      if ((err as Error).name === 'NoSuchKey') return null
      throw unavailable(err)
    }
    const body = out.Body as Readable
    // S3 replaces an object only once the whole upload has arrived, but servers that write
    // in place (s3rver, some small S3-compatible ones) show a cut-off upload's first part,
    // or an overwrite's while it runs, under the last whole upload's metadata, or none.
    if (out.Metadata?.size !== String(out.ContentLength)) {
      body.destroy()
      return null
    }
    return body
  }

  async deleteAll(ref: BlobRef, layout: BlobLayout) {
    const keys = [...chunksOf(layout)].map(([file, chunk]) => objectKey(ref, file, chunk))
    // One DeleteObject per key: DeleteObjects needs a Content-MD5 or a CRC32 header, and
    // S3-compatible servers disagree on which they accept.
    const worker = async () => {
      for (let key = keys.pop(); key !== undefined; key = keys.pop()) {
        await guarded(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), QUICK))
      }
    }
    await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, keys.length) }, worker))
  }

  /** Objects cannot expire one by one; the sweep deletes them on time. */
  async expire() {}

  async ping() {
    await guarded(() => this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), QUICK))
  }

  async close() {
    this.client.destroy()
  }
}

/** Every failure of a call is the storage's: unreachable, too slow, refusing, misconfigured or full. */
function unavailable(err: unknown): StoreUnavailableError {
  const full = FULL.test((err as Error).name) || httpStatus(err) === 507
  return new StoreUnavailableError('S3 storage failed', full ? 'full' : 'unreachable', { cause: err })
}

async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (err) {
    throw unavailable(err)
  }
}

const FULL = /QuotaExceeded|StorageFull|InsufficientStorage/

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
}

/**
 * The body as PutObject reads it, failing with BlobBodyError when it fails, ends short or
 * runs long: a request that ends short would otherwise wait for bytes that never come.
 */
function exactly(body: Readable, size: number): Transform {
  let length = 0
  const counted = new Transform({
    transform(piece: Buffer, _encoding, done) {
      length += piece.length
      done(length > size ? new BlobBodyError(`the body runs past ${size} bytes`) : null, piece)
    },
    flush(done) {
      done(length < size ? new BlobBodyError(`the body ended after ${length} of ${size} bytes`) : null)
    },
  })
  // An aborted request ends without 'end' and, depending on the Node version, without 'error'.
  const cleanup = finished(body, (err) => {
    cleanup()
    if (err) counted.destroy(new BlobBodyError('the body failed before its end', { cause: err }))
  })
  body.pipe(counted)
  return counted
}
