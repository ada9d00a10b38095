/**
 * Generators of bad API requests (fast-check, seeded so a failure replays exactly), and the
 * check every answer to them must pass: a 4xx with the protocol's `{error, message}` body.
 *
 * Every generated request is refused by construction, whatever the mutations land on: each
 * body starts from a request the server refuses when well-formed (a replayed create of an
 * existing sid is 409; a real sid with a random token is 404), and a mutation never turns a
 * sid into a fresh valid one, a reveal token into a well-formed guess next to the real access
 * token, or a status batch into a valid one. So a 2xx is a finding too, not noise.
 */
import { connect } from 'node:net'
import fc from 'fast-check'
import {
  CLAIM_BYTES,
  CT_LENGTHS,
  ErrorBody,
  SID_BYTES,
  TOKEN_BYTES,
  b64uLength,
  type CreateSecretRequest,
} from '@burnlink/shared'
import { BODY_LIMIT } from '../../server/src/app.ts'

type Json = unknown
type Body = Record<string, Json>
/** Request bytes as fetch takes them. */
type Payload = string | Uint8Array<ArrayBuffer>

export interface FuzzTarget {
  /** A create request the server has already accepted: replaying it changed is a conflict, unchanged a 201. */
  request: CreateSecretRequest
  /** The secret's real access token: only ever sent beside a malformed reveal token. */
  acc: string
}

export interface FuzzCase {
  /** What kind of bad this is, for the report. */
  kind: string
  method: string
  path: string
  headers: Record<string, string>
  body?: Payload
  /** Sent with chunked encoding: no length for the server to check up front. */
  chunked?: boolean
}

const API = '/api/v1'
const SECRETS = `${API}/secrets`
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

const SID_CHARS = b64uLength(SID_BYTES)
const TOKEN_CHARS = b64uLength(TOKEN_BYTES)
const HDR_CHARS = [b64uLength(2), b64uLength(24)]
const CT_CHARS = CT_LENGTHS.map(b64uLength)

/** xorshift32: enough randomness to fill long strings without asking fast-check for each char. */
function filler(seed: number, length: number): string {
  let x = seed | 0 || 0x9e3779b9
  const out: string[] = []
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out.push(ALPHABET[x & 63]!)
  }
  return out.join('')
}

/** Bits after the last byte (protocol.md §2): zero in the canonical spelling. */
const spareMask = (length: number) => (length % 4 === 2 ? 0x0f : length % 4 === 3 ? 0x03 : 0)

/** A base64url-alphabet string of `length`, canonical or (where the length allows) not. */
function b64u(length: number, canonical: boolean) {
  return fc.tuple(fc.integer(), fc.nat(63)).map(([seed, pick]) => {
    if (length === 0) return ''
    const mask = spareMask(length)
    const candidates = [...ALPHABET].filter((_, i) => ((i & mask) === 0) === canonical || mask === 0)
    return filler(seed, length - 1) + candidates[pick % candidates.length]!
  })
}

/** Lengths next to the valid ones (and the tiny ones), none of them valid. */
function nearLengths(valid: readonly number[]): number[] {
  const near = new Set([0, 1, 2, ...valid.flatMap((v) => [v - 2, v - 1, v + 1, v + 2])])
  return [...near].filter((l) => l >= 0 && !valid.includes(l)).sort((a, b) => a - b)
}

/** Prototype-pollution payloads as JSON.parse builds them: `__proto__` as an own key. */
const PROTO_OBJECTS: Json[] = [
  JSON.parse('{"__proto__":{"polluted":true}}'),
  JSON.parse('{"constructor":{"prototype":{"polluted":true}}}'),
  JSON.parse('{"prototype":{"polluted":true}}'),
  JSON.parse('{"a":{"__proto__":{"polluted":true}}}'),
]
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype']

const wrongType: fc.Arbitrary<Json> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
  fc.constantFrom(...PROTO_OBJECTS),
)

const FOREIGN_CHARS = ['+', '/', '=', '.', ' ', '\n', '\t', '%', '\u0000', 'é', '\u200b', '😀', '"', '\\']

interface FieldSpec {
  bad: fc.Arbitrary<Json>
  /** Well-formed values that leave the request refused (absent where none exists). */
  neutral?: fc.Arbitrary<Json>
}

function b64uField(valid: readonly number[]): FieldSpec {
  const validLength = fc.constantFrom(...valid)
  const withSpareBits = valid.filter((l) => spareMask(l) !== 0)
  const bad = fc.oneof(
    fc.constantFrom(...nearLengths(valid)).chain((l) => b64u(l, true)),
    ...(withSpareBits.length > 0 ? [fc.constantFrom(...withSpareBits).chain((l) => b64u(l, false))] : []),
    fc
      .tuple(
        validLength.chain((l) => b64u(l, true)),
        fc.nat(),
        fc.constantFrom(...FOREIGN_CHARS),
      )
      .map(([s, at, c]) => s.slice(0, at % s.length) + c + s.slice((at % s.length) + 1)),
    fc
      .tuple(
        validLength.chain((l) => b64u(l, true)),
        fc.constantFrom('=', '==', ' ', '\n'),
      )
      .map(([s, pad]) => s + pad),
    wrongType,
  )
  return { bad, neutral: validLength.chain((l) => b64u(l, true)) }
}

const SID = b64uField([SID_CHARS])
const TOKEN = b64uField([TOKEN_CHARS])
const CLAIM = b64uField([b64uLength(CLAIM_BYTES)])
const BAD_ONLY = (spec: FieldSpec): FieldSpec => ({ bad: spec.bad })

const FIELDS: Record<string, FieldSpec> = {
  sid: SID,
  hdr: b64uField(HDR_CHARS),
  ct: b64uField(CT_CHARS),
  av: TOKEN,
  rv: TOKEN,
  mv: TOKEN,
  acc: TOKEN,
  rev: TOKEN,
  mt: TOKEN,
  v: { bad: fc.oneof(fc.constantFrom(0, 2, -1, 1.5, '1', true, null, [1], {}), wrongType), neutral: fc.constant(1) },
  ttl: {
    bad: fc.oneof(
      fc.constantFrom(
        59,
        0,
        -1,
        -60,
        60.5,
        59.999,
        604_801,
        1e21,
        2 ** 53 + 2,
        -(2 ** 31),
        1e-9,
        '600',
        '60',
        null,
        true,
        [600],
        {},
      ),
      fc.integer({ max: 59 }),
      fc.integer({ min: 604_801 }),
      fc.double({ min: 60.0001, max: 1e6, noNaN: true }).filter((d) => !Number.isInteger(d)),
      wrongType,
    ),
    neutral: fc.constantFrom(60, 3600, 604_800),
  },
  maxViews: {
    bad: fc.oneof(
      fc.constantFrom(0, -1, 1.5, 101, 1e9, 2 ** 53, 1e300, '1', null, false, [1], {}),
      fc.integer({ max: 0 }),
      fc.integer({ min: 101 }),
      wrongType,
    ),
    neutral: fc.constantFrom(1, 2, 100),
  },
}

type Mutation = (body: Body) => Body

const UNKNOWN_KEYS = ['extra', '', 'SID', 'Sid', 'sid ', 'toString', 'hasOwnProperty', 'valueOf', ...PROTO_KEYS]

/** Bad and neutral edits of one JSON object whose fields follow `specs`. */
function mutation(specs: Record<string, FieldSpec>): fc.Arbitrary<[string, Mutation]> {
  const names = Object.keys(specs)
  const field = fc.constantFrom(...names)
  const set = (kind: string, f: string, values: fc.Arbitrary<Json>) =>
    values.map((v): [string, Mutation] => [`${kind} ${f}`, (b) => ({ ...b, [f]: v })])
  const withNeutral = names.filter((f) => specs[f]!.neutral)
  return fc.oneof(
    field.chain((f) => set('bad', f, specs[f]!.bad)),
    ...(withNeutral.length > 0
      ? [fc.constantFrom(...withNeutral).chain((f) => set('boundary', f, specs[f]!.neutral!))]
      : []),
    field.map((f): [string, Mutation] => [`missing ${f}`, without(f)]),
    fc
      .tuple(fc.constantFrom(...UNKNOWN_KEYS), fc.oneof(wrongType, fc.string({ maxLength: 20 })))
      .map(([k, v]): [string, Mutation] => [
        PROTO_KEYS.includes(k) ? `proto key ${k}` : 'unknown key',
        (b) => withKey(b, k, v),
      ]),
    fc
      .tuple(field, fc.constantFrom(...PROTO_OBJECTS))
      .map(([f, p]): [string, Mutation] => [`proto in ${f}`, (b) => ({ ...b, [f]: p })]),
  )
}

const without =
  (f: string): Mutation =>
  (b) =>
    Object.fromEntries(Object.entries(b).filter(([k]) => k !== f))
/** An own property even for `__proto__`, as a JSON parser would make it. */
const withKey = (b: Body, k: string, v: Json): Body => Object.fromEntries([...Object.entries(b), [k, v]])

/** A body with 1..3 mutations; the kind is the first one's. */
function mutated(base: Body, specs: Record<string, FieldSpec>): fc.Arbitrary<{ kind: string; body: Body }> {
  return fc.array(mutation(specs), { minLength: 1, maxLength: 3 }).map((ms) => ({
    kind: ms[0]![0],
    body: ms.reduce((b, [, m]) => m(b), base),
  }))
}

const ref = (sid: fc.Arbitrary<Json>) => fc.record({ sid, mt: TOKEN.neutral! })

/** A status batch that is never valid as a whole. */
function badBatch(target: FuzzTarget): fc.Arbitrary<{ kind: string; body: Json }> {
  const items = fc.array(ref(fc.oneof(fc.constant(target.request.sid), SID.neutral!)), { minLength: 1, maxLength: 100 })
  return fc.oneof(
    fc.tuple(items, fc.nat()).chain(([list, at]) =>
      mutated(list[at % list.length] as Body, { sid: BAD_ONLY(SID), mt: BAD_ONLY(TOKEN) }).map(({ kind, body }) => ({
        kind: `batch item ${kind}`,
        body: { items: list.map((r, i) => (i === at % list.length ? body : r)) },
      })),
    ),
    fc
      .array(ref(SID.neutral!), { minLength: 101, maxLength: 120 })
      .map((list) => ({ kind: 'batch of 101+', body: { items: list } })),
    fc
      .oneof(fc.constant([]), fc.constant([null]), fc.constant([1]), fc.constant([[]]), wrongType)
      .map((v) => ({ kind: 'batch items wrong', body: { items: v } })),
    fc.tuple(items, fc.constantFrom(...UNKNOWN_KEYS, 'sid', 'mt')).map(([list, k]) => ({
      kind: 'batch extra key',
      body: withKey({ items: list }, k, target.request.sid),
    })),
    fc
      .tuple(items, fc.constantFrom(...PROTO_OBJECTS))
      .map(([list, p]) => ({ kind: 'batch proto item', body: { items: [...list, p] } })),
  )
}

interface Endpoint {
  path: string
  body: (t: FuzzTarget) => fc.Arbitrary<{ kind: string; body: Json }>
}

function single(base: (t: FuzzTarget, token: string) => Body, specs: Record<string, FieldSpec>) {
  return (t: FuzzTarget) => TOKEN.neutral!.chain((token) => mutated(base(t, token as string), specs))
}

const ENDPOINTS: Endpoint[] = [
  {
    path: SECRETS,
    // sid never becomes a fresh valid one: that would be a genuine create.
    body: (t) => mutated({ ...t.request }, { ...FIELDS, sid: BAD_ONLY(SID) }),
  },
  { path: `${SECRETS}/meta`, body: single((t, acc) => ({ sid: t.request.sid, acc }), { sid: SID, acc: TOKEN }) },
  {
    path: `${SECRETS}/reveal`,
    body: single((t, acc) => ({ sid: t.request.sid, acc, rev: acc }), { sid: SID, acc: TOKEN, rev: TOKEN }),
  },
  {
    path: `${SECRETS}/reveal`,
    body: single((t, acc) => ({ sid: t.request.sid, acc, rev: acc, claim: t.request.sid }), {
      sid: SID,
      acc: TOKEN,
      rev: TOKEN,
      claim: CLAIM,
    }),
  },
  {
    path: `${SECRETS}/ack`,
    body: single((t, acc) => ({ sid: t.request.sid, acc, claim: t.request.sid }), {
      sid: SID,
      acc: TOKEN,
      claim: CLAIM,
    }),
  },
  {
    // The real access token with a malformed reveal token: must not cost an attempt.
    path: `${SECRETS}/reveal`,
    body: (t) =>
      TOKEN.bad
        .chain((rev) => mutated({ sid: t.request.sid, acc: t.acc, rev }, { sid: SID, rev: BAD_ONLY(TOKEN) }))
        .map(({ kind, body }) => ({ kind: `real acc, ${kind}`, body })),
  },
  { path: `${SECRETS}/status`, body: single((t, mt) => ({ sid: t.request.sid, mt }), { sid: SID, mt: TOKEN }) },
  { path: `${SECRETS}/status`, body: badBatch },
  { path: `${SECRETS}/burn`, body: single((t, mt) => ({ sid: t.request.sid, mt }), { sid: SID, mt: TOKEN }) },
  { path: `${SECRETS}/burn`, body: single((t, acc) => ({ sid: t.request.sid, acc }), { sid: SID, acc: TOKEN }) },
]

/** Whole bodies that are not a JSON object at all. */
const GARBAGE: fc.Arbitrary<{ kind: string; text: Payload }> = fc.oneof(
  fc
    .constantFrom(
      '',
      ' ',
      '\n',
      '{',
      '}',
      '[]',
      '[{}]',
      '{}',
      'null',
      'true',
      '0',
      '-1',
      '"x"',
      '{"sid"}',
      '{"sid":}',
      "{'sid':'x'}",
      '{,}',
      'NaN',
      'undefined',
    )
    .map((text) => ({ kind: text === '' ? 'empty body' : 'not an object', text })),
  fc
    .constantFrom(1_000, 10_000, 40_000)
    .chain((n) =>
      fc
        .constantFrom('[', '{"a":', '[{"__proto__":')
        .map((open) => ({ kind: 'deep nesting', text: open.repeat(Math.floor(n / open.length)) })),
    ),
  fc.string({ maxLength: 300 }).map((text) => ({ kind: 'random text', text })),
  fc.string({ unit: 'binary', maxLength: 300 }).map((text) => ({ kind: 'random unicode', text })),
  fc
    .uint8Array({ minLength: 1, maxLength: 300 })
    .map((bytes) => ({ kind: 'random bytes', text: new Uint8Array(bytes) })),
)

/** Byte-level damage to an otherwise serialised body. */
function damaged(json: string): fc.Arbitrary<{ kind: string; text: Payload }> {
  const at = fc.nat(Math.max(0, json.length - 1))
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant({ kind: '', text: json }) },
    at.map((i) => ({ kind: 'truncated JSON', text: json.slice(0, i) })),
    fc
      .constantFrom('x', ',', '}', ']', '\u0000', ' trailing', '{}')
      .map((s) => ({ kind: 'trailing garbage', text: json + s })),
    fc
      .tuple(at, fc.constantFrom('"', '{', '\\', ',', ':', '\u0000'))
      .map(([i, c]) => ({ kind: 'corrupted JSON', text: json.slice(0, i) + c + json.slice(i + 1) })),
    fc
      .constantFrom(
        '{"\\u005f_proto__":{"polluted":1},',
        '{"__proto__":{"polluted":1},',
        '{"constructor":{"prototype":{"polluted":1}},',
        '{"\\u0063onstructor":{"prototype":{"polluted":1}},',
      )
      .map((p) => ({ kind: 'raw proto key', text: json.replace('{', p) })),
    fc.constantFrom('1e999', '-1e999', '6e1', '60.0', '0x3c', '1_000', '+60', '.5', '00060').map((n) => ({
      kind: 'raw number',
      text: json.replace(/"(ttl|maxViews|v)":[^,}]*/, `"$1":${n}`),
    })),
    fc.constant({ kind: 'BOM', text: '\uFEFF' + json }),
    fc.constant({ kind: 'single quotes', text: json.replaceAll('"', "'") }),
    fc.constant({ kind: 'comment', text: json.replace('{', '{/* c */') }),
    fc.tuple(at, fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf0, 0x28, 0x8c])).map(([i, bad]) => {
      const bytes = new TextEncoder().encode(json)
      const cut = Math.min(i, bytes.length)
      return {
        kind: 'invalid UTF-8',
        text: new Uint8Array([...bytes.subarray(0, cut), ...bad, ...bytes.subarray(cut)]),
      }
    }),
  )
}

/** Bodies around the size limit: exactly at it (parsed, then refused) and past it (413). */
function oversized(base: Body): fc.Arbitrary<{ kind: string; text: string }> {
  const plain = JSON.stringify({ ...base, pad: '' })
  return fc.constantFrom(0, 1, 2, 1000, 200_000).map((over) => ({
    kind: over === 0 ? 'body at the limit' : 'body over the limit',
    text: JSON.stringify({ ...base, pad: 'A'.repeat(BODY_LIMIT + over - plain.length) }),
  }))
}

const CONTENT_TYPES = [
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzzboundary',
  'application/xml',
  'application/json; charset=utf-16le',
  'application/json; charset=latin1',
  'Application/JSON',
  'application/jsonx',
  'application/vnd.api+json',
  '*/*',
  'json',
]

/** The body's fields as strings, for the form encodings a JSON API must refuse. */
function fieldsOf(body: Json): Array<[string, string]> {
  const entries = body && typeof body === 'object' ? Object.entries(body) : [['body', body]]
  return entries.map(([k, v]) => [String(k), typeof v === 'string' ? v : JSON.stringify(v)])
}

const asForm = (body: Json) => new URLSearchParams(fieldsOf(body)).toString()

function asMultipart(body: Json): string {
  const parts = fieldsOf(body).map(
    ([k, v]) => `--fuzzboundary\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  )
  return `${parts.join('')}--fuzzboundary--\r\n`
}

const BAD_METHODS = ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']
const GET_ROUTES = [`${API}/config`, `${API}/openapi.json`, '/healthz', '/readyz']

const PATH_VARIANTS: Array<[string, (p: string, sid: string) => string]> = [
  ['trailing slash', (p) => `${p}/`],
  ['double slash', (p) => p.replace('/v1/', '//v1/')],
  ['query string', (p, sid) => `${p}?sid=${sid}`],
  ['upper case', (p) => p.toUpperCase()],
  ['id in path', (_p, sid) => `${SECRETS}/${sid}`],
  ['encoded path', (p) => `${p}%2e%2e`],
  ['other version', (p) => p.replace('/v1/', '/v2/')],
]

function json(kind: string, path: string, text: Payload, contentType = 'application/json'): FuzzCase {
  return { kind, method: 'POST', path, headers: contentType ? { 'content-type': contentType } : {}, body: text }
}

function caseFor(targets: readonly FuzzTarget[]): fc.Arbitrary<FuzzCase> {
  const target = fc.constantFrom(...targets)
  const endpoint = fc.constantFrom(...ENDPOINTS)
  const shaped = fc.tuple(target, endpoint).chain(([t, e]) => e.body(t).map((b) => ({ ...b, path: e.path, target: t })))

  return fc.oneof(
    {
      weight: 70,
      arbitrary: shaped.chain(({ kind, body, path }) =>
        damaged(JSON.stringify(body)).map((d) => json(d.kind || kind, path, d.text)),
      ),
    },
    { weight: 6, arbitrary: fc.tuple(endpoint, GARBAGE).map(([e, g]) => json(g.kind, e.path, g.text)) },
    {
      weight: 3,
      arbitrary: fc.tuple(target, endpoint, fc.boolean()).chain(([t, e, chunked]) =>
        oversized(t.request as unknown as Body).map((o) => ({
          ...json(chunked ? `${o.kind}, chunked` : o.kind, e.path, o.text),
          chunked,
        })),
      ),
    },
    {
      weight: 8,
      arbitrary: fc.tuple(shaped, fc.constantFrom(...CONTENT_TYPES, '')).map(([s, type]) => {
        const text = type.startsWith('application/x-www')
          ? asForm(s.body)
          : type.startsWith('multipart')
            ? asMultipart(s.body)
            : JSON.stringify(s.body)
        // No content type at all: bytes, which fetch sends without one.
        return type === ''
          ? json('no content type', s.path, new TextEncoder().encode(text), '')
          : json(`content type ${type}`, s.path, text, type)
      }),
    },
    {
      weight: 6,
      arbitrary: fc.tuple(shaped, fc.constantFrom(...BAD_METHODS)).map(([s, method]): FuzzCase => ({
        kind: `method ${method}`,
        method,
        path: s.path,
        headers: { 'content-type': 'application/json' },
        ...(method === 'GET' ? {} : { body: JSON.stringify(s.body) }),
      })),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(shaped, fc.constantFrom(...PATH_VARIANTS))
        .map(([s, [kind, variant]]) =>
          json(`path ${kind}`, variant(s.path, s.target.request.sid), JSON.stringify(s.body)),
        ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(shaped, fc.constantFrom(...GET_ROUTES))
        .map(([s, path]) => json('POST to a GET route', path, JSON.stringify(s.body))),
    },
  )
}

/** `count` bad requests, the same ones for the same seed. */
export function fuzzCases(targets: readonly FuzzTarget[], count: number, seed: number): FuzzCase[] {
  return fc.sample(caseFor(targets), { seed, numRuns: count })
}

export interface FuzzResult {
  status: number
  contentType: string
  text: string
  /** Set when no HTTP response came back. */
  error?: string
}

export async function sendCase(baseUrl: string, c: FuzzCase, timeoutMs = 15_000): Promise<FuzzResult> {
  if (c.chunked) return sendChunked(baseUrl, c, timeoutMs)
  try {
    const res = await fetch(`${baseUrl}${c.path}`, {
      method: c.method,
      headers: c.headers,
      body: c.body,
      signal: AbortSignal.timeout(timeoutMs),
    })
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() }
  } catch (err) {
    return { status: 0, contentType: '', text: '', error: String((err as Error).cause ?? err) }
  }
}

/**
 * A chunked upload over a raw socket. The server answers an oversized one with 413 and
 * closes the connection mid-upload, as it should; fetch reports that as a failed write
 * (EPIPE) and drops the answer, so this reads whatever came back and ignores write errors.
 */
function sendChunked(baseUrl: string, c: FuzzCase, timeoutMs: number): Promise<FuzzResult> {
  const bytes = typeof c.body === 'string' ? Buffer.from(c.body) : Buffer.from(c.body ?? [])
  const head = Object.entries(c.headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')
  const chunks: Array<string | Buffer> = []
  for (let i = 0; i < bytes.length; i += 16_384) {
    const chunk = bytes.subarray(i, i + 16_384)
    chunks.push(`${chunk.length.toString(16)}\r\n`, chunk, '\r\n')
  }
  const request = `${c.method} ${c.path} HTTP/1.1\r\nhost: fuzz\r\nconnection: close\r\ntransfer-encoding: chunked\r\n${head}\r\n`
  return sendRaw(baseUrl, [request, ...chunks, '0\r\n\r\n'], timeoutMs)
}

/** Writes raw bytes to the server, ignoring write errors, and parses whatever answer comes back. */
export function sendRaw(
  baseUrl: string,
  parts: ReadonlyArray<string | Buffer>,
  timeoutMs = 15_000,
): Promise<FuzzResult> {
  const { hostname, port } = new URL(baseUrl)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname)
    const received: Buffer[] = []
    socket.setTimeout(timeoutMs, () => socket.destroy())
    socket.on('data', (d: Buffer) => received.push(d))
    socket.on('error', () => {})
    socket.on('close', () => resolve(parseRawResponse(Buffer.concat(received))))
    for (const part of parts) socket.write(part)
  })
}

/** Status, content type and body of a raw HTTP/1.1 answer (bodies here always have a length). */
function parseRawResponse(raw: Buffer): FuzzResult {
  const text = raw.toString('utf8')
  const split = text.indexOf('\r\n\r\n')
  if (split < 0) return { status: 0, contentType: '', text: '', error: `no complete response (${raw.length} bytes)` }
  const [statusLine = '', ...headers] = text.slice(0, split).split('\r\n')
  const header = (name: string) =>
    headers
      .find((h) => h.toLowerCase().startsWith(`${name}:`))
      ?.slice(name.length + 1)
      .trim()
  return {
    status: Number(statusLine.split(' ')[1]),
    contentType: header('content-type') ?? '',
    text: text.slice(split + 4),
  }
}

/** Why an answer to a bad request is wrong, or undefined when it is a proper refusal. */
export function refusalProblem(r: FuzzResult): string | undefined {
  if (r.error) return `no response: ${r.error}`
  if (r.status < 400 || r.status > 499) return `status ${r.status}`
  if (!r.contentType.startsWith('application/json')) return `content type ${r.contentType}`
  let body: unknown
  try {
    body = JSON.parse(r.text)
  } catch {
    return 'body is not JSON'
  }
  const parsed = ErrorBody.safeParse(body)
  if (!parsed.success) return `not an {error, message} body: ${r.text.slice(0, 120)}`
  if (parsed.data.error === 'internal') return 'error code internal'
  return undefined
}
