import { describe, expect, it } from 'vitest'
import {
  ApiError,
  createClient,
  createCollector,
  createResponder,
  parseCollectLink,
  parseRequestLink,
  prepareRequest,
  ProtocolError,
} from '@burnlink/shared'
import { requestsSection } from './request-reference.ts'
import { computeRequestOutputs, runRequestVectors } from './request-vectors.ts'
import file from './vectors.json'

describe('the requests section of vectors.json', () => {
  it('is exactly what the independent reference computes', () => {
    expect(file.requests).toEqual(requestsSection())
  })

  it('every output field is reproduced through the public API', async () => {
    const got = await computeRequestOutputs(file.requests)
    const expected = Object.fromEntries(
      Object.keys(got).map((k) => [k, (file.requests.outputs as Record<string, string>)[k]]),
    )
    expect(got).toEqual(expected)
  })

  it('passes every check and refuses every negative case with its reason', async () => {
    const results = await runRequestVectors(file.requests)
    expect(results.length).toBeGreaterThan(15)
    expect(results.filter((r) => !r.ok)).toEqual([])
  })
})

describe('links', () => {
  it('refuse damaged fragments and the wrong page', async () => {
    const p = await prepareRequest({ origin: 'https://x.example', ttl: 3600 })
    expect(() => parseRequestLink(p.requestLink.slice(0, -2))).toThrow(ProtocolError)
    expect(() => parseCollectLink(p.requestLink)).toThrow(ProtocolError)
    expect(() => parseRequestLink(p.collectLink)).toThrow(ProtocolError)
    expect(parseCollectLink(p.collectLink).Q).toEqual(p.key.Q)
    // A Q that is not on the curve (x and y flipped) is refused by the import, not by a crash later.
    const bad = { ...p.key, Q: Uint8Array.of(4, ...p.key.Q.subarray(33), ...p.key.Q.subarray(1, 33)) }
    await expect(createCollector(bad, createClient({ baseUrl: 'http://127.0.0.1:1' }).requests)).rejects.toThrow(
      ProtocolError,
    )
  })
})

describe('a responder', () => {
  it('refuses a public key that does not match the fingerprint, before answering anything', async () => {
    const p = await prepareRequest({ origin: 'https://x.example', ttl: 3600, note: 'n' })
    const other = await prepareRequest({ origin: 'https://x.example', ttl: 3600 })
    const sent: unknown[] = []
    const api = {
      open: async () => ({ pub: other.request.pub, expiresAt: new Date().toISOString() }),
      answer: async (b: unknown) => (sent.push(b), { state: 'answered' as const }),
    }
    const responder = await createResponder(parseRequestLink(p.requestLink), api)
    await expect(responder.open()).rejects.toMatchObject({ reason: 'request_key' })
    await expect(responder.answer('x')).rejects.toThrow(TypeError)
    expect(sent).toEqual([])
  })

  it('passes an already_answered refusal on unchanged', async () => {
    const p = await prepareRequest({ origin: 'https://x.example', ttl: 3600 })
    const api = {
      open: async () => ({ pub: p.request.pub, expiresAt: new Date().toISOString() }),
      answer: async () => {
        throw new ApiError(409, 'already_answered', 'answered')
      },
    }
    const responder = await createResponder(parseRequestLink(p.requestLink), api)
    expect(await responder.open()).not.toHaveProperty('note')
    await expect(responder.answer('x')).rejects.toMatchObject({ code: 'already_answered' })
  })

  it('sends the same bytes when the same text is sent again, so a retry cannot become a second answer', async () => {
    const p = await prepareRequest({ origin: 'https://x.example', ttl: 3600 })
    const sent: unknown[] = []
    let fail = true
    const api = {
      open: async () => ({ pub: p.request.pub, expiresAt: new Date().toISOString() }),
      answer: async (b: unknown) => {
        sent.push(b)
        if (fail) throw new ApiError(0, 'network', 'no answer')
        return { state: 'answered' as const }
      },
    }
    const responder = await createResponder(parseRequestLink(p.requestLink), api)
    await responder.open()
    await expect(responder.answer('same', { budgetMs: 0 })).rejects.toMatchObject({ code: 'network' })
    fail = false
    await responder.answer('same', { budgetMs: 0 })
    await responder.answer('other', { budgetMs: 0 })
    expect(sent[1]).toEqual(sent[0])
    expect(sent[2]).not.toEqual(sent[0])
  })
})
