/**
 * The API client (protocol.md §7) for the web app and the CLI. Every secret call is a POST
 * with a JSON body (only the public limits are a GET; a chunk upload carries its bytes as
 * the body and its ids in headers), so no id or token ever lands in a
 * URL, a history entry or an access log, and every answer is checked against its schema
 * before anyone uses it.
 */
import type * as z from 'zod/mini'
import { ApiError } from './errors.ts'
import { parseJson } from './json.ts'
import {
  AbortResponse,
  AckResponse,
  AnswerResponse,
  CollectResponse,
  CreateRequestResponse,
  OpenRequestResponse,
  RequestStatus,
  BurnResponse,
  ChunkUploadResponse,
  CommitResponse,
  CreateSecretResponse,
  CreateUploadResponse,
  ErrorBody,
  MetaResponse,
  RevealResponse,
  SecretStatus,
  ServerLimits,
  StatusBatchResponse,
} from './schemas.ts'
import type {
  AckRequest,
  AnswerRequest,
  CollectAckRequest,
  CollectRef,
  CollectRequest,
  CreateRequestRequest,
  RequestAccess,
  BurnRequest,
  ChunkReadRequest,
  CreateSecretRequest,
  ErrorCode,
  ManageRef,
  MetaRequest,
  RevealRequest,
  UploadRef,
  CommitRequest,
} from './schemas.ts'

/** One chunk to upload (protocol.md §10.5): its stored bytes, authorised by the upload token. */
export interface ChunkUpload extends UploadRef {
  file: number
  chunk: number
  body: Uint8Array<ArrayBuffer>
}

export interface ClientOptions {
  /** Where the server is; '' means this page's own origin. */
  baseUrl: string
  fetch?: typeof fetch
}

/** For answers without our JSON error body, e.g. from a proxy in front of the server. */
const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'invalid_request',
  404: 'not_found',
  410: 'gone',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  502: 'unavailable',
  503: 'unavailable',
  504: 'unavailable',
}

function errorFrom(status: number, body: unknown): ApiError {
  const parsed = ErrorBody.safeParse(body)
  if (parsed.success) {
    const { error, message, state, attemptsLeft, missing } = parsed.data
    return new ApiError(status, error, message, state, attemptsLeft, missing)
  }
  return new ApiError(status, CODE_BY_STATUS[status] ?? 'internal', `the server answered with status ${status}`)
}

export function createClient({ baseUrl, fetch: fetchImpl }: ClientOptions) {
  const base = baseUrl.replace(/\/+$/, '')
  // Called through globalThis: browsers refuse a fetch detached from its window.
  const doFetch = fetchImpl ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init))

  /** The answer to a request that succeeded; an ApiError for anything else. */
  async function send(path: string, init: RequestInit): Promise<Response> {
    let res: Response
    try {
      res = await doFetch(`${base}/api/v1${path}`, { ...init, cache: 'no-store', credentials: 'same-origin' })
    } catch {
      throw new ApiError(0, 'network', 'could not reach the server')
    }
    if (res.ok) return res
    let text: string
    try {
      text = await res.text()
    } catch {
      throw new ApiError(0, 'network', 'could not reach the server')
    }
    throw errorFrom(res.status, parseJson(text))
  }

  async function call<S extends z.ZodMiniType>(
    path: string,
    body: unknown,
    schema: S,
    headers?: Record<string, string>,
  ): Promise<z.infer<S>> {
    const res = await send(
      path,
      body === undefined
        ? { method: 'GET', headers: { accept: 'application/json' } }
        : body instanceof Uint8Array
          ? {
              method: 'POST',
              headers: { 'content-type': 'application/octet-stream', ...headers },
              body: body as Uint8Array<ArrayBuffer>,
            }
          : {
              method: 'POST',
              headers: { 'content-type': 'application/json', accept: 'application/json' },
              body: JSON.stringify(body),
            },
    )
    let text: string
    try {
      text = await res.text()
    } catch {
      throw new ApiError(0, 'network', 'could not reach the server')
    }
    // A 204 has no body: null is what its schema expects.
    const json = res.status === 204 ? null : parseJson(text)
    const parsed = schema.safeParse(json)
    if (!parsed.success) throw new ApiError(res.status, 'internal', 'the server sent an unexpected answer')
    return parsed.data
  }

  /** The stored bytes of one chunk, checked against the length the server announced. */
  async function readChunk(req: ChunkReadRequest): Promise<Uint8Array<ArrayBuffer>> {
    const res = await send('/secrets/chunk/read', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/octet-stream' },
      body: JSON.stringify(req),
    })
    let bytes: Uint8Array<ArrayBuffer>
    try {
      bytes = new Uint8Array(await res.arrayBuffer())
    } catch {
      throw new ApiError(0, 'network', 'could not reach the server')
    }
    const length = res.headers.get('content-length')
    if (length !== null && Number(length) !== bytes.length)
      throw new ApiError(0, 'network', 'the chunk arrived cut short')
    return bytes
  }

  return {
    limits: () => call('/config', undefined, ServerLimits),
    create: (req: CreateSecretRequest) => call('/secrets', req, CreateSecretResponse),
    meta: (req: MetaRequest) => call('/secrets/meta', req, MetaResponse),
    reveal: (req: RevealRequest) => call('/secrets/reveal', req, RevealResponse),
    ack: (req: AckRequest) => call('/secrets/ack', req, AckResponse),
    status: (ref: ManageRef) => call('/secrets/status', ref, SecretStatus),
    statusBatch: async (items: ManageRef[]) => (await call('/secrets/status', { items }, StatusBatchResponse)).items,
    burn: (req: BurnRequest) => call('/secrets/burn', req, BurnResponse),
    /** A create with `uv` and `files`: opens the upload session (protocol.md §10.5). */
    createUpload: (req: CreateSecretRequest) => call('/secrets', req, CreateUploadResponse),
    /** Safe to repeat: uploading an index again replaces it. */
    uploadChunk: ({ sid, ut, file, chunk, body }: ChunkUpload) =>
      call('/secrets/chunk', body, ChunkUploadResponse, {
        'burnlink-sid': sid,
        'burnlink-upload-token': ut,
        'burnlink-file': String(file),
        'burnlink-chunk': String(chunk),
      }),
    /** Makes the secret revealable once every chunk is stored; a refusal's ApiError carries `missing`. */
    commit: (req: CommitRequest) => call('/secrets/commit', req, CommitResponse),
    abort: (req: UploadRef) => call('/secrets/abort', req, AbortResponse),
    /** Needs the claim that revealed the secret, within its download window. */
    readChunk,
    /** Secret requests (protocol.md §12.5). */
    requests: {
      create: (req: CreateRequestRequest) => call('/requests', req, CreateRequestResponse),
      open: (req: RequestAccess) => call('/requests/open', req, OpenRequestResponse),
      answer: (req: AnswerRequest) => call('/requests/answer', req, AnswerResponse),
      collect: (req: CollectRequest) => call('/requests/collect', req, CollectResponse),
      ack: (req: CollectAckRequest) => call('/requests/ack', req, AckResponse),
      status: (ref: CollectRef) => call('/requests/status', ref, RequestStatus),
      burn: (ref: CollectRef) => call('/requests/burn', ref, BurnResponse),
    },
  }
}

export type Client = ReturnType<typeof createClient>

/** How a call that met 503 or no answer is tried again; the defaults suit people waiting. */
export interface RetryOptions {
  /** The first wait; each next one doubles, up to 8 s. */
  firstDelayMs?: number
  /** No try starts later than this after the first one. */
  budgetMs?: number
  /** Told before each wait, e.g. to say that the server is being retried. */
  onRetry?: (error: ApiError, waitMs: number) => void
}

const MAX_DELAY_MS = 8000

/**
 * True for a failure after which the server may not have acted, or acted and lost its
 * answer: no answer at all, or "unavailable" (its storage stalled, full or restarting).
 * Only a call that is safe to repeat may be repeated on it.
 */
export function isRetryable(e: unknown): boolean {
  return e instanceof ApiError && (e.code === 'network' || e.code === 'unavailable')
}

/**
 * Runs `call`, and again after a wait each time it fails retryably: 0.5, 1, 2, 4, 8, 8... s
 * (each varied by up to a quarter, so clients an outage cut off together do not all come
 * back at once), giving up with the last error once the next try would start past the budget
 * (30 s). For idempotent calls only: meta, an identical create, a reveal with a claim.
 */
export async function withRetries<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { firstDelayMs = 500, budgetMs = 30_000, onRetry } = options
  const started = Date.now()
  for (let delay = firstDelayMs; ; delay = Math.min(delay * 2, MAX_DELAY_MS)) {
    try {
      return await call()
    } catch (e) {
      const wait = delay * (0.75 + Math.random() / 2)
      if (!isRetryable(e) || Date.now() - started + wait > budgetMs) throw e
      onRetry?.(e as ApiError, wait)
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }
}
