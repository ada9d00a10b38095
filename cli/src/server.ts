/**
 * Which server to talk to and how. For get, status and burn the origin comes from the
 * link itself (--server only checks it); the key never leaves this process, only tokens
 * derived from it do.
 */
import { ApiError, DEFAULT_SERVER_LIMITS, createClient, withRetries } from '@burnlink/shared'
import type { Client, RetryOptions, ServerLimits } from '@burnlink/shared'
import { toCliError, usageError } from './exit.ts'
import { say } from './io.ts'

export const DEFAULT_SERVER = 'http://localhost:3000'
const REQUEST_TIMEOUT_MS = 30_000
const DEFAULT_RETRY_SECONDS = 30

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    /^127(\.\d{1,3}){3}$/.test(hostname)
  )
}

/**
 * The server base (origin plus any path prefix), refusing plain http beyond this machine:
 * tokens and ciphertext would cross the network readable by anyone on the path.
 */
export function checkServer(url: string, { insecure = false } = {}): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw usageError(`not a server address: "${url}"`)
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw usageError(`the server address must start with https:// (got "${url}")`)
  if (parsed.protocol === 'http:' && !isLoopback(parsed.hostname) && !insecure) {
    throw usageError(
      `refusing plain http to ${parsed.host}: anyone on the network could read and use the traffic. Use https, or --insecure if you really mean it`,
    )
  }
  return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '')
}

/**
 * The server a link names, which is where its secret is. `--server` is accepted as a check
 * on it, so a script that passes --server to every command learns at once when a link is
 * from elsewhere, instead of talking to a server it did not mean.
 */
export function linkServer(origin: string, values: { server?: string; insecure?: boolean }): string {
  const server = checkServer(origin, values)
  if (values.server !== undefined && checkServer(values.server, values) !== server)
    throw usageError(
      `this link is for the server ${server}, not for --server ${values.server}: a link always goes to the server that made it; leave --server out to use it`,
    )
  return server
}

// The API never redirects; following one could carry tokens to another host or to plain http.
const timedFetch: typeof fetch = (input, init) =>
  fetch(input, { ...init, redirect: 'error', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })

export const clientFor = (server: string): Client => createClient({ baseUrl: server, fetch: timedFetch })

/**
 * How long a call that met 503 or no answer is tried again: $BURNLINK_RETRY_SECONDS, 30 by
 * default, 0 for not at all. Only calls that are safe to repeat are: an identical create,
 * meta, a reveal with this run's claim. The first retry is said on stderr, so no wait is silent.
 */
export function retryPolicy(server: string): RetryOptions {
  const raw = process.env.BURNLINK_RETRY_SECONDS
  const seconds = raw === undefined || raw === '' ? DEFAULT_RETRY_SECONDS : Number(raw)
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600)
    throw usageError(`BURNLINK_RETRY_SECONDS must be a whole number of seconds from 0 to 3600 (got "${raw}")`)
  let told = false
  return {
    budgetMs: seconds * 1000,
    onRetry: () => {
      if (told) return
      told = true
      say(`burnlink: the server at ${server} is not answering; trying again for up to ${seconds} s`)
    },
  }
}

/** An unreachable server fails here, before any work; an older one without the route gets defaults. */
export async function fetchLimits(server: string, retry?: RetryOptions): Promise<ServerLimits> {
  try {
    return await withRetries(() => clientFor(server).limits(), retry)
  } catch (e) {
    if (e instanceof ApiError && e.status !== 0 && e.code !== 'unavailable') return DEFAULT_SERVER_LIMITS
    throw e
  }
}

/** Names the server in every failure that happens while talking to it. */
export async function withServer<T>(server: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (e) {
    throw toCliError(e, server)
  }
}
