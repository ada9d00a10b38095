/**
 * Exactly one answer per request under real concurrency: two server processes share one
 * Redis, and 50 responders answer the same request at once through them. One answer is
 * stored and collected; the other 49 are told the request was already answered.
 */
import { describe, expect, it } from 'vitest'
import {
  createClient,
  createCollector,
  createResponder,
  parseCollectLink,
  parseRequestLink,
  prepareRequest,
  storeRequest,
} from '@burnlink/shared'
import { useTwoServerProcesses } from '../helpers/two-servers.ts'

const RESPONDERS = 50
const ROUNDS = 5

describe('exactly one answer across two server processes sharing one Redis', () => {
  const servers = useTwoServerProcesses()

  const api = (i: number) => createClient({ baseUrl: servers.url(i) }).requests

  it(`stores exactly one of ${RESPONDERS} concurrent answers, ${ROUNDS} rounds, and that one is collected`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const prepared = await prepareRequest({ origin: servers.url(0), ttl: 600 })
      await storeRequest(api(round), prepared.request)
      const link = parseRequestLink(prepared.requestLink)
      // Each responder opens (and so checks the key) before the race, as a page does.
      const responders = await Promise.all(
        Array.from({ length: RESPONDERS }, async (_, i) => {
          const r = await createResponder(link, api(i), { budgetMs: 0 })
          await r.open()
          return r
        }),
      )
      const outcomes = await Promise.allSettled(responders.map((r, i) => r.answer(`answer ${i}`, { budgetMs: 0 })))
      const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []))
      expect(won).toHaveLength(1)
      const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason.code)
      expect(refused).toEqual(Array(RESPONDERS - 1).fill('already_answered'))

      const collector = await createCollector(parseCollectLink(prepared.collectLink), api(round + 1))
      expect((await collector.collect()).text).toBe(`answer ${won[0]}`)
      expect(await collector.status()).toMatchObject({ state: 'collected' })
    }
  })
})
