/**
 * My links on a desktop, in Chromium, Firefox and WebKit, from 700 to 1920 px: a state badge
 * or a date never breaks inside a word ("Activ/e") and never takes more than two lines. A
 * user saw both before labels alone were allowed to break anywhere.
 */
import { expect, it } from 'vitest'
import { encodeB64u } from '@burnlink/shared'
import { seedSecret } from '../helpers/browser.ts'
import { describeEngines, expectCleanPages, useEngineSuite } from '../helpers/engines.ts'

const STORAGE_KEY = 'burnlink.links.v1'
const WIDTHS = [700, 1024, 1440, 1920]

interface Broken {
  text: string
  brokenWords: string[]
  lines: number
}

/** In the page: every word of each cell as a range; a word laid out on two lines has two rects. */
function layoutOf(selector: string): Broken[] {
  return Array.from(document.querySelectorAll(selector)).map((element) => {
    const text = element.textContent ?? ''
    const node = Array.from(element.childNodes).find((n) => n.nodeType === Node.TEXT_NODE)
    const brokenWords: string[] = []
    const tops = new Set<number>()
    if (node) {
      for (const match of (node.textContent ?? '').matchAll(/\S+/g)) {
        const range = document.createRange()
        range.setStart(node, match.index)
        range.setEnd(node, match.index + match[0].length)
        const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0)
        if (rects.length > 1) brokenWords.push(match[0])
        for (const rect of rects) tops.add(Math.round(rect.top))
      }
    }
    return { text, brokenWords, lines: tops.size }
  })
}

describeEngines('My links layout', (engine) => {
  const suite = useEngineSuite(engine)

  it('keeps every state badge and date whole, on at most two lines, at 700 to 1920 px', async () => {
    const active = await seedSecret(suite.url)
    const burned = await seedSecret(suite.url)
    await burned.client.burn({ sid: burned.sid, mt: burned.mt })
    const random = (n: number) => encodeB64u(crypto.getRandomValues(new Uint8Array(n)))
    const now = Date.now()
    const entry = (sid: string, mt: string, label: string) => ({
      sid,
      mt,
      label,
      createdAt: new Date(now - 60_000).toISOString(),
      expiresAt: new Date(now + 3_600_000).toISOString(),
      maxViews: 1,
      kind: 'text',
    })
    const links = [
      entry(active.sid, active.mt, 'database password for the staging cluster'),
      entry(burned.sid, burned.mt, 'a-label-without-any-spaces-that-must-break-somewhere-to-fit'),
      entry(random(16), random(32), 'gone'),
    ]

    for (const width of WIDTHS) {
      const person = await suite.newPerson({ width })
      await person.goto(`${suite.url}/links`)
      await person.waitFor({ heading: 'No links in this browser yet' })
      await person.evaluate(
        ([key, value]) => localStorage.setItem(key!, value!),
        [STORAGE_KEY, JSON.stringify({ format: 'burnlink-links', v: 1, links })],
      )
      await person.reload()
      await person.waitFor({ text: 'Unknown — record deleted' })
      await person.waitFor({ text: 'Burned by you (the creator)' })

      const badges = await person.evaluate(layoutOf, '.badge')
      const dates = await person.evaluate(layoutOf, 'tbody td.date')
      expect(badges.map((b) => b.text)).toEqual(['Active', 'Burned by you (the creator)', 'Unknown — record deleted'])
      for (const cell of [...badges, ...dates]) {
        expect(cell.brokenWords, `${cell.text} at ${width} px`).toEqual([])
        expect(cell.lines, `${cell.text} at ${width} px`).toBeLessThanOrEqual(2)
      }
      expect(dates).toHaveLength(6)
      await expectCleanPages(person)
      await person.close()
    }
  })
})
