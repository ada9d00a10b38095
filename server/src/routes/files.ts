/**
 * The file API (protocol.md §10.5): chunk upload, commit, abort and chunk read, and the
 * bookkeeping that keeps a file secret's chunks exactly as long as someone may read them.
 *
 * The secrets store decides (one script per step); the blob store only keeps bytes; the
 * sweep deletes them. Its entry for a secret moves later *before* the step that makes the
 * chunks needed longer (commit, a reveal's window) and earlier *after* the step that ends
 * them (abort, burn, the last ack), so a crash between the two leaves chunks a while too
 * long, never too short. Times come from the store's clock; "now" is 0, due on any clock.
 */
import { Readable } from 'node:stream'
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod'
import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify'
import {
  AbortResponse,
  ChunkReadRequest,
  ChunkUploadHeaders,
  ChunkUploadResponse,
  CommitRequest,
  CommitResponse,
  STORED_CHUNK_BYTES,
  UploadRef,
  filesSignatureBytes,
  storedChunkBytes,
  storedLayout,
  type CreateSecretRequest,
} from '@burnlink/shared'
import * as z from 'zod/mini'
import { BlobBodyError, newBlobRef, type BlobRef, type BlobStore } from '../blobs/blob-store.ts'
import type { Sweeper } from '../blobs/sweep.ts'
import { fromB64u } from '../bytes.ts'
import type { Config } from '../config.ts'
import { apiError, errorResponses } from '../errors.ts'
import type { FileChunks, Store } from '../store/store.ts'
import { COMMON_ERRORS, claimDigest, iso, perMinute, verifier, type Reply, type Request } from './common.ts'

/** Due at once on any clock. */
const NOW = 0
/**
 * How far past a time read before a step the sweep entry goes: the step's own time is a
 * moment later (the commit script's now + ttl), or on another clock (the store's deadline
 * for an upload, scheduled from this process' clock before the store sets it).
 */
const MARGIN_MS = 2_000

export interface FileStorage {
  blobs: BlobStore
  sweeper: Sweeper
}

const refOf = (sid: string, files: FileChunks): BlobRef => ({ sid, bid: files.bid })

/** The chunks of a file secret, kept as long as they are needed: what the secret routes call. */
export class FileKeeper {
  constructor(
    private readonly store: Store,
    private readonly storage: FileStorage,
    private readonly config: Config,
  ) {}

  /**
   * A create with `uv` and `files`: checks the layout and the limits, schedules the sweep
   * for the upload deadline before the session exists (so nothing uploaded can outlive it
   * unswept), then opens the session.
   */
  async createUpload(b: CreateSecretRequest & { uv: string; files: number[] }) {
    const { maxFiles, maxBytes, uploadTtlSeconds } = this.config.files
    const layouts = b.files.map(storedLayout)
    if (layouts.some((l) => l === undefined)) {
      throw apiError('invalidRequest', 'files: each entry must be the stored size of a padded file (protocol.md §10.2)')
    }
    if (b.files.length > maxFiles) {
      throw apiError('payloadTooLarge', `too many files: at most ${maxFiles} per secret`)
    }
    const bytes = layouts.reduce((sum, l) => sum + l!.padded, 0)
    if (bytes > maxBytes) {
      throw apiError('payloadTooLarge', `the files are too large: at most ${describeBytes(maxBytes)} after padding`)
    }
    const layout = layouts.map((l) => l!.chunks)
    const ref = newBlobRef(b.sid)
    const { sweeper } = this.storage
    await sweeper.schedule(ref, layout, Date.now() + uploadTtlSeconds * 1000 + MARGIN_MS)
    const result = await this.store.createUpload({
      sid: b.sid,
      hdr: fromB64u(b.hdr),
      ct: fromB64u(b.ct),
      av: fromB64u(b.av),
      rv: fromB64u(b.rv),
      mv: fromB64u(b.mv),
      ttlSeconds: b.ttl,
      maxViews: b.maxViews ?? 1,
      uv: fromB64u(b.uv),
      sizes: b.files,
      layout,
      bytes,
      bid: ref.bid,
      uploadTtlSeconds,
    })
    if (result.kind === 'exists') {
      await sweeper.cancel(ref, layout)
      throw apiError('conflict')
    }
    // The store's own deadline, which its keys expire at; a repeated create keeps the first one's ref.
    if (result.bid === ref.bid) await sweeper.schedule(ref, layout, result.uploadExpiresAt)
    else await sweeper.cancel(ref, layout)
    return { sid: b.sid, uploadExpiresAt: iso(result.uploadExpiresAt) }
  }

  /** A reveal opened a download window: the chunks stay at least until it closes. */
  async opened(sid: string, files: FileChunks & { downloadExpiresAt: number }) {
    const ref = refOf(sid, files)
    await this.storage.sweeper.extend(ref, files.layout, files.downloadExpiresAt)
    await this.storage.blobs.expire(ref, files.layout, files.downloadExpiresAt, true)
  }

  /** Burned, or ended with no window open: nobody may read the chunks any more. */
  async ended(sid: string, files: FileChunks) {
    await this.storage.sweeper.schedule(refOf(sid, files), files.layout, NOW)
  }
}

const UPLOAD = {
  headers: ChunkUploadHeaders,
  response: {
    204: ChunkUploadResponse,
    ...errorResponses(...COMMON_ERRORS, 'notFound', 'uploadCommitted', 'byteBudgetSpent', 'storageBudgetReached'),
  },
} satisfies FastifySchema

const COMMIT = {
  body: CommitRequest,
  response: {
    200: CommitResponse,
    ...errorResponses(...COMMON_ERRORS, 'notFound', 'uploadIncomplete', 'uploadCommitted'),
  },
} satisfies FastifySchema

const ABORT = {
  body: UploadRef,
  response: { 204: AbortResponse, ...errorResponses(...COMMON_ERRORS, 'notFound', 'uploadCommitted') },
} satisfies FastifySchema

const READ = {
  body: ChunkReadRequest,
  response: {
    200: z.string().check(z.describe('the stored chunk, application/octet-stream')),
    ...errorResponses(...COMMON_ERRORS, 'notFound', 'gone', 'windowClosed'),
  },
} satisfies FastifySchema

export interface FileRoutesOptions {
  store: Store
  config: Config
  storage: FileStorage
}

/**
 * Registered in its own scope: the octet-stream parser below, which hands the request
 * stream through unread, applies to the chunk upload alone.
 */
const fileRoutes: FastifyPluginAsyncZod<FileRoutesOptions> = async (app, { store, config, storage }) => {
  const { blobs, sweeper } = storage
  // Upload and read of a MAX_FILE_BYTES secret at full speed stay under the limit.
  const chunkBudget = Math.max(
    config.rateLimit.readPerMinute,
    2 * Math.ceil(config.files.maxBytes / STORED_CHUNK_BYTES),
  )
  const reading = perMinute(config.rateLimit.readPerMinute)

  app.addContentTypeParser('application/octet-stream', (req: FastifyRequest, payload, done) => {
    // Before the headers are even validated: a chunk over the largest size is refused unread.
    const length = Number(req.headers['content-length'])
    if (req.headers['content-length'] === undefined || !Number.isSafeInteger(length)) {
      done(apiError('invalidRequest', 'Content-Length is required: the chunk stored size'), undefined)
    } else if (length > STORED_CHUNK_BYTES) {
      done(apiError('payloadTooLarge', `a chunk stores at most ${STORED_CHUNK_BYTES} bytes`), undefined)
    } else {
      done(null, payload)
    }
  })

  app.post(
    '/chunk',
    { schema: UPLOAD, bodyLimit: STORED_CHUNK_BYTES, config: perMinute(chunkBudget) },
    async (req: Request<typeof UPLOAD>, reply: Reply<typeof UPLOAD>) => {
      if (!(req.body instanceof Readable)) {
        throw apiError('unsupportedMediaType', 'a chunk is sent as application/octet-stream')
      }
      const h = req.headers
      const sid = h['burnlink-sid']
      const uv = verifier(h['burnlink-upload-token'])
      const file = Number(h['burnlink-file'])
      const chunk = Number(h['burnlink-chunk'])
      const session = await store.uploadSession(sid, uv)
      if (session.kind === 'not_found') throw apiError('notFound')
      if (session.kind === 'committed') throw apiError('uploadCommitted')
      const stored = session.sizes[file]
      if (stored === undefined || chunk >= session.layout[file]!) {
        throw apiError('invalidRequest', `no chunk ${chunk} of file ${file} in this upload's layout`)
      }
      const size = storedChunkBytes(storedLayout(stored)!, chunk)
      if (Number(h['content-length']) !== size) {
        throw apiError('invalidRequest', `chunk ${chunk} of file ${file} stores ${size} bytes`)
      }
      await app.chargeStoredBytes(req, reply, size)
      const ref = refOf(sid, session)
      try {
        await blobs.put(ref, file, chunk, req.body, { size, expiresAt: session.uploadExpiresAt })
      } catch (err) {
        if (err instanceof BlobBodyError) throw apiError('invalidRequest', `the chunk did not arrive whole`)
        throw err
      }
      const recorded = await store.recordChunk(sid, uv, file, chunk)
      if (recorded.kind === 'not_found') {
        // Aborted or past its deadline while the bytes came: the sweep may have passed already.
        await sweeper.schedule(ref, session.layout, NOW)
        throw apiError('notFound')
      }
      if (recorded.kind === 'committed') throw apiError('uploadCommitted')
      return reply.code(204).send(null)
    },
  )

  app.post('/commit', { schema: COMMIT, config: reading }, async (req: Request<typeof COMMIT>) => {
    const { sid, ut } = req.body
    const uv = verifier(ut)
    // Opaque to the server (protocol.md §10.7): only its length, 32 bytes per file and a signature, is checked.
    const fsig = req.body.fsig === undefined ? undefined : fromB64u(req.body.fsig)
    const session = await store.uploadSession(sid, uv)
    if (session.kind === 'not_found') throw apiError('notFound')
    if (session.kind === 'uploading') {
      if (fsig && fsig.length !== filesSignatureBytes(session.layout.length)) {
        throw apiError(
          'invalidRequest',
          `fsig must be ${filesSignatureBytes(session.layout.length)} bytes for this upload`,
        )
      }
      await keepUntil(sid, session, session.now + session.ttlMs + MARGIN_MS)
    }
    const result = await store.commit(sid, uv, fsig)
    if (result.kind === 'committed') return { sid, expiresAt: iso(result.expiresAt) }
    if (session.kind === 'uploading') await undoKeep(sid, uv, session, fsig)
    if (result.kind === 'incomplete') throw apiError('uploadIncomplete', result.missing)
    if (result.kind === 'conflict') throw apiError('uploadCommitted')
    throw apiError('notFound')
  })

  app.post(
    '/abort',
    { schema: ABORT, config: reading },
    async (req: Request<typeof ABORT>, reply: Reply<typeof ABORT>) => {
      const { sid, ut } = req.body
      const uv = verifier(ut)
      const session = await store.uploadSession(sid, uv)
      if (session.kind === 'not_found') throw apiError('notFound')
      if (session.kind === 'committed') throw apiError('uploadCommitted')
      const result = await store.abort(sid, uv)
      if (result.kind === 'not_found') throw apiError('notFound')
      if (result.kind === 'conflict') throw apiError('uploadCommitted')
      await sweeper.schedule(refOf(sid, session), session.layout, NOW)
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/chunk/read',
    { schema: READ, config: perMinute(chunkBudget) },
    async (req: Request<typeof READ>, reply: FastifyReply) => {
      const { sid, acc, claim, file, chunk } = req.body
      const access = await store.chunkAccess(sid, verifier(acc), claimDigest(claim))
      if (access.kind === 'not_found') throw apiError('notFound')
      if (access.kind === 'gone') throw apiError('gone', access.state)
      if (access.kind === 'window_closed') throw apiError('windowClosed')
      const stored = access.sizes[file]
      if (stored === undefined || chunk >= access.layout[file]!) throw apiError('notFound')
      const body = await blobs.get(refOf(sid, access), file, chunk)
      if (!body) throw apiError('notFound')
      return reply
        .type('application/octet-stream')
        .header('content-length', storedChunkBytes(storedLayout(stored)!, chunk))
        .send(body)
    },
  )

  /** Before a commit: the chunks and their sweep entry stay until `at`. */
  async function keepUntil(sid: string, files: FileChunks, at: number) {
    const ref = refOf(sid, files)
    await blobs.expire(ref, files.layout, at)
    await sweeper.schedule(ref, files.layout, at)
  }

  /**
   * A commit that did not happen: back to the upload deadline, unless another commit made
   * the secret meanwhile, whose expiry then stands.
   */
  async function undoKeep(
    sid: string,
    uv: Uint8Array,
    session: FileChunks & { uploadExpiresAt: number },
    fsig: Uint8Array | undefined,
  ) {
    await keepUntil(sid, session, session.uploadExpiresAt)
    const again = await store.uploadSession(sid, uv)
    if (again.kind === 'committed') {
      const made = await store.commit(sid, uv, fsig)
      if (made.kind === 'committed') await keepUntil(sid, session, made.expiresAt)
    }
  }
}

export default fileRoutes

function describeBytes(bytes: number): string {
  const mib = bytes / 1024 ** 2
  const unit = mib >= 1024 ? `${+(mib / 1024).toFixed(2)} GiB` : `${+mib.toFixed(2)} MiB`
  return `${unit} (${bytes} bytes)`
}
