/**
 * The API client (protocol.md §7) for the web app and the CLI. Every secret call is a POST
 * with a JSON body (only the public limits are a GET), so no id or token ever lands in a
 * URL, a history entry or an access log, and every answer is checked against its schema
 * before anyone uses it.
 */
import type * as z from 'zod/mini'
import { parseJson } from './json.ts'
import {
  AckResponse,
  BurnResponse,
  CreateSecretResponse,
  ErrorBody,
  MetaResponse,
  RevealResponse,
  SecretStatus,
  ServerLimits,
  StatusBatchResponse,
} from './schemas.ts'
import type {
  AckRequest,
  BurnRequest,
  CreateSecretRequest,
  ErrorCode,
  ManageRef,
  MetaRequest,
  RevealRequest,
  SecretState,
} from './schemas.ts'

export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    /** 0 when the server could not be reached. */
    readonly status: number,
    readonly code: ErrorCode | 'network',
    message: string,
    readonly state?: SecretState,
    readonly attemptsLeft?: number,
  ) {
    super(message)
  }
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
    const { error, message, state, attemptsLeft } = parsed.data
    return new ApiError(status, error, message, state, attemptsLeft)
  }
  return new ApiError(status, CODE_BY_STATUS[status] ?? 'internal', `the server answered with status ${status}`)
}

export function createClient({ baseUrl, fetch: fetchImpl }: ClientOptions) {
  const base = baseUrl.replace(/\/+$/, '')
  // Called through globalThis: browsers refuse a fetch detached from its window.
  const doFetch = fetchImpl ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init))

  async function call<S extends z.ZodMiniType>(path: string, body: unknown, schema: S): Promise<z.infer<S>> {
    let res: Response
    let text: string
    try {
      res = await doFetch(`${base}/api/v1${path}`, {
        ...(body === undefined
          ? { method: 'GET', headers: { accept: 'application/json' } }
          : {
              method: 'POST',
              headers: { 'content-type': 'application/json', accept: 'application/json' },
              body: JSON.stringify(body),
            }),
        cache: 'no-store',
        credentials: 'same-origin',
      })
      text = await res.text()
    } catch {
      throw new ApiError(0, 'network', 'could not reach the server')
    }
    // A 204 has no body: null is what its schema expects.
    const json = res.status === 204 ? null : parseJson(text)
    if (!res.ok) throw errorFrom(res.status, json)
    const parsed = schema.safeParse(json)
    if (!parsed.success) throw new ApiError(res.status, 'internal', 'the server sent an unexpected answer')
    return parsed.data
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
