/**
 * Log hygiene checks, shared by the API and browser suites: no secret-derived value may
 * appear in any log line, in any spelling a logger could give it, and request lines carry
 * only method, route template, status and latency (protocol.md §11).
 */
import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { decodeB64u, encodeB64u, isCanonicalB64u } from '@burnlink/shared'

export type SecretValue = string | Uint8Array

/** Shorter needles would match by chance (a 2-byte header is "AQA"). */
const MIN_NEEDLE = 8
const PREFIX = 16

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

/** Spellings of bytes: base64url, base64, hex, and pino's `{"type":"Buffer","data":[...]}`. */
function byteSpellings(b: Uint8Array): string[] {
  const forms = [encodeB64u(b), Buffer.from(b).toString('base64'), hex(b)]
  return [...forms, ...forms.map((f) => f.slice(0, PREFIX)), [...b.subarray(0, 8)].join(',')]
}

function stringSpellings(s: string): string[] {
  const escaped = JSON.stringify(s).slice(1, -1)
  const forms = [s, escaped, s.slice(0, PREFIX), escaped.slice(0, PREFIX)]
  // A token given as base64url could also be logged as its bytes.
  return s.length >= PREFIX && isCanonicalB64u(s) ? [...forms, ...byteSpellings(decodeB64u(s))] : forms
}

/** Every spelling of every value worth looking for, with the name of the value it betrays. */
export function secretNeedles(secrets: Readonly<Record<string, SecretValue>>): Array<{ name: string; needle: string }> {
  return Object.entries(secrets).flatMap(([name, value]) => {
    const spellings = typeof value === 'string' ? stringSpellings(value) : byteSpellings(value)
    return [...new Set(spellings)].filter((needle) => needle.length >= MIN_NEEDLE).map((needle) => ({ name, needle }))
  })
}

/** Throws naming each secret found and the line it was found in. */
export function assertNoSecretsInLogs(lines: readonly string[], secrets: Readonly<Record<string, SecretValue>>): void {
  const needles = secretNeedles(secrets)
  if (needles.length === 0) throw new Error('no secrets to look for: the check would pass vacuously')
  const hits = lines.flatMap((line, i) =>
    needles
      .filter(({ needle }) => line.includes(needle))
      .map(({ name }) => `${name} in line ${i}: ${line.slice(0, 300)}`),
  )
  if (hits.length > 0) throw new Error(`secret values found in the logs:\n${hits.slice(0, 20).join('\n')}`)
}

/** What a request log line may hold: request-log.ts's fields and pino's own. */
export const REQUEST_LOG_FIELDS = [
  'level',
  'time',
  'pid',
  'hostname',
  'reqId',
  'msg',
  'method',
  'route',
  'status',
  'ms',
] as const

/** Problems with the request lines among `entries`, e.g. a URL or a body that slipped in. */
export function requestLogProblems(entries: ReadonlyArray<Record<string, unknown>>): string[] {
  const allowed = new Set<string>(REQUEST_LOG_FIELDS)
  return entries
    .filter((e) => e.msg === 'request')
    .flatMap((e) => {
      const extra = Object.keys(e).filter((k) => !allowed.has(k))
      const route = String(e.route)
      const problems = extra.length > 0 ? [`extra fields ${extra.join(', ')}`] : []
      // A template, never a concrete URL: no query, and unmatched paths are not echoed.
      if (route.includes('?') || !(route.startsWith('/') || route === '(unmatched)')) problems.push(`route ${route}`)
      return problems.map((p) => `${p} in ${JSON.stringify(e).slice(0, 300)}`)
    })
}

/** Collects a child process's stdout and stderr lines from now on, raw. */
export function captureOutput(child: ChildProcess): { lines: string[] } {
  const captured = { lines: [] as string[] }
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => captured.lines.push(line))
  }
  return captured
}
