/**
 * Issue 11 §4: a My links import is capped at 2,000 entries, and the statuses of a full list
 * are asked a couple of batches at a time, never all at once.
 */
import { expect, it } from 'vitest'
import { encodeB64u, STATUS_BATCH_MAX } from '@burnlink/shared'
import type { DriverContext } from '../helpers/driver.ts'
import { describeEngines, expectCleanPages, useEngineSuite } from '../helpers/engines.ts'

const CAP = 2000

/** An export file of `count` entries for secrets this server never saw. */
function linksFile(count: number) {
  const links = Array.from({ length: count }, (_, i) => ({
    sid: encodeB64u(crypto.getRandomValues(new Uint8Array(16))),
    mt: encodeB64u(crypto.getRandomValues(new Uint8Array(32))),
    label: `imported ${i}`,
    createdAt: '2026-05-12T10:00:00.000Z',
    expiresAt: '2026-05-13T10:00:00.000Z',
    maxViews: 1,
    kind: 'text',
  }))
  return {
    name: 'links.json',
    type: 'application/json',
    content: JSON.stringify({ format: 'burnlink-links', v: 1, links }),
  }
}

/**
 * Counts the page's status requests and the most of them in flight at once. It wraps the
 * page's own fetch, which the app calls through `globalThis` each time, and still sends
 * every request to the server.
 */
async function countStatusCalls(person: DriverContext): Promise<void> {
  await person.evaluate(() => {
    const seen = { now: 0, most: 0, calls: 0 }
    Object.assign(window, { statusCalls: seen })
    const real = window.fetch.bind(window)
    window.fetch = async (input, init) => {
      if (!String(input instanceof Request ? input.url : input).endsWith('/api/v1/secrets/status')) {
        return real(input, init)
      }
      seen.calls++
      seen.most = Math.max(seen.most, ++seen.now)
      try {
        const response = await real(input, init)
        // In flight until its body is in, as the app reads it.
        await response.clone().text()
        return response
      } finally {
        seen.now--
      }
    }
  })
}

type StatusCalls = { calls: number; now: number; most: number }

function statusCalls(person: DriverContext): Promise<StatusCalls> {
  return person.evaluate(() => (window as unknown as { statusCalls: StatusCalls }).statusCalls)
}

describeEngines('importing My links', (engine) => {
  const suite = useEngineSuite(engine)

  it(`refuses more than ${CAP} links, and asks the statuses of ${CAP} a couple of batches at a time`, async () => {
    const carol = await suite.newPerson()
    await carol.goto(`${suite.url}/links`)
    await carol.waitFor({ heading: 'No links in this browser yet' })
    await countStatusCalls(carol)

    await carol.setFiles({ label: 'Import list' }, [linksFile(CAP + 1)])
    await carol.waitFor({ text: 'This file lists 2,001 links: My links can hold at most 2,000 links from an import.' })
    expect(await carol.count({ heading: 'No links in this browser yet' })).toBe(1)

    await carol.setFiles({ label: 'Import list' }, [linksFile(CAP)])
    await carol.waitFor({ text: `Imported ${CAP} of ${CAP} links.` })
    // Every batch sent and answered: how many there were, and the most at once.
    const batches = CAP / STATUS_BATCH_MAX
    await expect.poll(() => statusCalls(carol), { timeout: 30_000 }).toMatchObject({ calls: batches, now: 0 })
    expect((await statusCalls(carol)).most).toBe(2)
    expect(carol.requests().filter((r) => new URL(r.url).pathname === '/api/v1/secrets/status')).toHaveLength(batches)

    await carol.setFiles({ label: 'Import list' }, [linksFile(1)])
    await carol.waitFor({
      text: 'My links can hold at most 2,000 links from an import, and with this file it would hold 2,001.',
    })
    await expectCleanPages(carol)
  })
})
