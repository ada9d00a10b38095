/**
 * The creator's receipt on screen: the manage page and My links tell what happened to a
 * secret in words ("wrong passphrase 10:02; opened 10:03, not revealed"), and, once the
 * reader opts in, a change raises a browser notification, with no request but the status
 * the page already asks for.
 */
import { describe, expect, it } from 'vitest'
import { ApiError, openSecretLink, parseSecretLink, unlockSecret } from '@burnlink/shared'
import { hasChromium, newPerson, seedSecret, useBrowserSuite } from '../helpers/browser.ts'
import type { DriverContext } from '../helpers/driver.ts'
import { describeEngines, expectCleanPages, useEngineSuite } from '../helpers/engines.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

const STORAGE_KEY = 'burnlink.links.v1'
/** A clock time in any locale's English form: "09:44", "9:44 PM". */
const TIME = String.raw`\d{1,2}:\d\d(\s?[AP]M)?`

/** A passphrase secret and what a recipient's client does with it, from Node. */
async function recipientOf(url: string) {
  const seeded = await seedSecret(url, { passphrase: 'right one' })
  const access = await openSecretLink(parseSecretLink(seeded.link).k)
  const revFor = async (passphrase: string) =>
    (await unlockSecret({ k: parseSecretLink(seeded.link).k, passphrase, hdr: seeded.request.hdr })).rev
  return {
    seeded,
    open: () => seeded.client.meta(access),
    async wrong() {
      const err = await seeded.client.reveal({ ...access, rev: await revFor('wrong one') }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ApiError)
    },
    reveal: async () => seeded.client.reveal({ ...access, rev: await revFor('right one') }),
  }
}

const steps = (person: DriverContext, scope: string) =>
  person.evaluate(
    (selector) => Array.from(document.querySelectorAll(`${selector} .timeline li`), (li) => li.textContent?.trim()),
    scope,
  )

describeEngines('the receipt timeline', (engine) => {
  const suite = useEngineSuite(engine, { redisUrl: workerRedisUrl() })

  it('shows on the manage page and in My links what happened, in words, as it happens', async () => {
    const bob = await recipientOf(suite.url)
    const alice = await suite.newPerson()
    await alice.goto(bob.seeded.manageLink)
    await alice.waitFor({ text: 'not opened yet' })

    await bob.open()
    await bob.wrong()
    await bob.open()
    await alice.click({ button: 'Refresh' })
    await alice.waitFor({ text: 'not revealed' })
    // The first open led to the wrong passphrase: it is told with it, not on its own.
    const before = await steps(alice, '.status')
    expect(before).toHaveLength(2)
    expect(before[0]).toMatch(new RegExp(`^wrong passphrase ${TIME}$`))
    expect(before[1]).toMatch(new RegExp(`^opened ${TIME}, not revealed$`))

    await bob.reveal()
    await alice.click({ button: 'Refresh' })
    await alice.waitFor({ text: 'gone', exact: true })
    const after = await steps(alice, '.status')
    expect(after).toHaveLength(3)
    expect(after[0]).toBe(before[0])
    expect(after[1]).toMatch(new RegExp(`^revealed ${TIME}$`))
    expect(after[2]).toBe('gone')

    // My links: the latest steps under the label.
    const { sid, mt } = bob.seeded
    const now = Date.now()
    const entry = {
      sid,
      mt,
      label: 'for Bob',
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 3_600_000).toISOString(),
      maxViews: 1,
      kind: 'text',
    }
    await alice.goto(`${suite.url}/links`)
    // Settled first: a reload while the view's chunks load would count as failed loads.
    await alice.waitFor({ heading: 'No links in this browser yet' })
    await alice.evaluate(
      ([key, value]) => localStorage.setItem(key!, value!),
      [STORAGE_KEY, JSON.stringify({ format: 'burnlink-links', v: 1, links: [entry] })],
    )
    await alice.reload()
    await alice.waitFor({ css: `tr[data-sid="${sid}"] .timeline` })
    expect(await steps(alice, `tr[data-sid="${sid}"]`)).toEqual(after)
    await expectCleanPages(alice)
  })
})

// Chromium only: granting the permission without a prompt needs Playwright's context.
describe.runIf(hasChromium())('receipt notifications', () => {
  const suite = useBrowserSuite({ redisUrl: workerRedisUrl() })

  it('raises one after the reader opts in, and nothing but status requests reach the server', async () => {
    const bob = await recipientOf(suite.url)
    const alice = await newPerson(suite.browser)
    await alice.context.grantPermissions(['notifications'], { origin: suite.url })
    // Records what the page shows, through the browser's own Notification, which still runs.
    await alice.context.addInitScript(() => {
      const Real = window.Notification
      const shown: { title: string; body?: string }[] = []
      Object.assign(window, { shownNotifications: shown })
      window.Notification = class extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options)
          shown.push({ title, body: options?.body })
        }
      }
    })
    const { page } = alice
    const shown = () => page.evaluate(() => (window as unknown as { shownNotifications: unknown[] }).shownNotifications)
    await page.goto(bob.seeded.manageLink)
    await page.getByText('not opened yet').waitFor()

    await bob.open()
    await page.getByRole('button', { name: 'Refresh' }).click()
    await page.getByText('not revealed').waitFor()
    // Not opted in yet: the page shows the change and keeps quiet.
    expect(await shown()).toEqual([])

    await page.getByLabel('Notify me in this browser when something happens').check()
    await bob.reveal()
    await page.getByRole('button', { name: 'Refresh' }).click()
    await page.getByText('gone', { exact: true }).waitFor()
    expect(await shown()).toEqual([
      { title: 'Your secret', body: expect.stringMatching(new RegExp(`^revealed ${TIME}\ngone$`)) },
    ])

    await alice.settle()
    const api = alice.requests.filter((r) => new URL(r.url).pathname.startsWith('/api/'))
    expect(new Set(api.map((r) => `${r.method} ${new URL(r.url).pathname}`))).toEqual(
      new Set(['POST /api/v1/secrets/status']),
    )
    expect(alice.consoleErrors).toEqual([])
    expect(alice.pageErrors).toEqual([])
    await alice.context.close()
  })
})
