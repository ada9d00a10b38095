/**
 * Known-answer checks for the `requests` section of vectors.json (protocol.md §12) through
 * the public API only, with no test framework and no runtime-specific import: vitest runs it
 * under Node and crypto-parity bundles it into the browsers, so all are held to the same bytes.
 */
import {
  collectLink,
  decodeB64u,
  deriveCollectToken,
  deriveRequestKeys,
  encodeB64u,
  importRequesterKey,
  keyFingerprint,
  openAnswer,
  openNote,
  parseCollectLink,
  parseRequestLink,
  ProtocolError,
  requestLink,
  sealAnswer,
  sealNote,
  sha256,
  sharedSecret,
} from '@burnlink/shared'
import type { CheckResult } from './vectors-runner.ts'

interface Jwk {
  d: string
  x: string
  y: string
}

export interface RequestVectors {
  inputs: {
    n: string
    note_nonce: string
    answer_nonce: string
    note_text: string
    answer_text: string
    origin: string
    requester_jwk: Jwk
    responder_jwk: Jwk
  }
  outputs: Record<string, string>
  negative: Array<{
    name: string
    error: string
    other_Q_b64u?: string
    other_fp_b64u?: string
    other_jwk?: Jwk
    other_z?: string
    E_b64u?: string
    rid_b64u?: string
  }>
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
const fromHex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16))
const keyOf = (j: Jwk) => ({
  d: decodeB64u(j.d, 32),
  Q: Uint8Array.of(4, ...decodeB64u(j.x, 32), ...decodeB64u(j.y, 32)),
})

async function reason(run: () => Promise<unknown>): Promise<string> {
  try {
    await run()
    return 'accepted'
  } catch (e) {
    return e instanceof ProtocolError ? e.reason : String(e)
  }
}

/** Every output field as computed here, for comparison with the file's. */
export async function computeRequestOutputs(v: RequestVectors): Promise<Record<string, string>> {
  const { inputs } = v
  const n = fromHex(inputs.n)
  const requester = keyOf(inputs.requester_jwk)
  const responder = keyOf(inputs.responder_jwk)
  const { rid, qa, nk } = await deriveRequestKeys(n)
  const [fp, col] = await Promise.all([keyFingerprint(rid, requester.Q), deriveCollectToken(requester.d, rid)])
  const z = await sharedSecret(await importRequesterKey(responder), requester.Q)
  const note = await sealNote(nk, rid, requester.Q, inputs.note_text, fromHex(inputs.note_nonce))
  const { E, ans } = await sealAnswer(rid, requester.Q, inputs.answer_text, {
    ephemeral: responder,
    nonce: fromHex(inputs.answer_nonce),
  })
  return {
    rid_b64u: encodeB64u(rid),
    qa_b64u: encodeB64u(qa),
    qv_b64u: encodeB64u(await sha256(qa)),
    Q_b64u: encodeB64u(requester.Q),
    E_b64u: encodeB64u(E),
    fp_b64u: encodeB64u(fp),
    col_b64u: encodeB64u(col),
    cv_b64u: encodeB64u(await sha256(col)),
    z: hex(z),
    note_b64u: encodeB64u(note),
    ans_b64u: encodeB64u(ans),
    request_link: requestLink(inputs.origin, n, fp),
    collect_link: collectLink(inputs.origin, { rid, ...requester }),
  }
}

export async function runRequestVectors(v: RequestVectors): Promise<CheckResult[]> {
  const results: CheckResult[] = []
  const check = (name: string, ok: boolean, detail = '') => results.push({ name: `requests: ${name}`, ok, detail })
  const got = await computeRequestOutputs(v)
  for (const [field, value] of Object.entries(got)) check(field, value === v.outputs[field], value)

  const { inputs, outputs } = v
  const requester = keyOf(inputs.requester_jwk)
  const parsed = parseRequestLink(outputs.request_link!)
  const { rid, nk } = await deriveRequestKeys(parsed.n)
  check('request link parses back', encodeB64u(parsed.fp) === outputs.fp_b64u)
  check('opens the note', (await openNote(nk, rid, requester.Q, decodeB64u(outputs.note_b64u!))) === inputs.note_text)
  const collect = parseCollectLink(outputs.collect_link!)
  const privateKey = await importRequesterKey(collect)
  const E = decodeB64u(outputs.E_b64u!)
  const ans = decodeB64u(outputs.ans_b64u!)
  check('opens the answer', (await openAnswer(privateKey, collect.rid, collect.Q, E, ans)) === inputs.answer_text)

  for (const neg of v.negative) {
    let got: string
    if (neg.other_Q_b64u) {
      const fp = await keyFingerprint(rid, decodeB64u(neg.other_Q_b64u))
      const same = encodeB64u(fp) === outputs.fp_b64u
      check(`${neg.name}: its fingerprint`, encodeB64u(fp) === neg.other_fp_b64u)
      got = same ? 'accepted' : 'request_key'
    } else if (neg.other_jwk) {
      const other = await importRequesterKey(keyOf(neg.other_jwk))
      check(`${neg.name}: its z`, hex(await sharedSecret(other, E)) === neg.other_z)
      got = await reason(() => openAnswer(other, rid, requester.Q, E, ans))
    } else if (neg.E_b64u) {
      got = await reason(() => openAnswer(privateKey, rid, requester.Q, decodeB64u(neg.E_b64u!), ans))
    } else {
      got = await reason(() => openAnswer(privateKey, decodeB64u(neg.rid_b64u!), requester.Q, E, ans))
    }
    check(`${neg.name} is refused`, got === neg.error, got)
  }
  return results
}
