/**
 * Link mode: a one-time (or N-time) redirect created in the browser. The recipient sees the
 * host, lands on the target exactly once per allowed view after a click, and then meets
 * "already viewed". The target URL is encrypted like any secret: the server never sees it.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import {
  expectClean,
  hasChromium,
  keyForms,
  leaks,
  newPerson,
  startRedirectTarget,
  useBrowserSuite,
  type Person,
  type RedirectTarget,
} from '../helpers/browser.ts'

const PATH = '/invite/kq-31-redirect-marker'

async function createLink(page: Page, origin: string, url: string, views: number): Promise<string> {
  await page.goto(`${origin}/`)
  await page.getByRole('radio', { name: 'Link' }).check()
  await page.getByLabel('Link to share').fill(url)
  await page.getByLabel('Can be viewed').fill(String(views))
  await page.getByRole('button', { name: 'Create link' }).click()
  return page.getByLabel('Secret link', { exact: true }).inputValue()
}

/** Opens the link as a fresh person, reveals it and follows it; returns that person. */
async function follow(browser: Browser, link: string, target: RedirectTarget, url: string): Promise<Person> {
  const person = await newPerson(browser)
  await person.page.goto(link)
  await person.page.getByRole('button', { name: 'Reveal secret' }).click()
  await person.page.getByRole('heading', { name: `This secret is a link to ${target.host}` }).waitFor()
  const before = target.hits()
  await person.page.getByRole('button', { name: `Continue to ${target.host}` }).click()
  await person.page.waitForURL(url)
  await person.page.getByText('arrived').waitFor()
  expect(target.hits()).toBe(before + 1)
  return person
}

describe.runIf(hasChromium())('redirect links made in the browser', () => {
  // http targets allowed so the target can be a server on this machine.
  const suite = useBrowserSuite({ redisUrl: inject('redisUrl'), config: { allowHttpRedirects: true } })
  let target: RedirectTarget
  beforeAll(async () => {
    target = await startRedirectTarget(PATH)
  })
  afterAll(() => target.close())

  it('checks the address as it is typed and refuses what the protocol refuses', async () => {
    const alice = await newPerson(suite.browser, { width: 360, colorScheme: 'dark' })
    await alice.page.goto(`${suite.url}/`)
    await alice.page.getByRole('radio', { name: 'Link' }).check()
    const field = alice.page.getByLabel('Link to share')
    const create = alice.page.getByRole('button', { name: 'Create link' })
    for (const [bad, words] of [
      ['https://user:pw@example.com/', 'must not contain a user name or password'],
      ['ftp://example.com/file', 'must use https or http'],
      ['javascript:alert(1)', 'must use https or http'],
      ['not a url', 'is not a valid URL'],
      [`https://example.com/${'a'.repeat(2048)}`, 'too long'],
    ] as const) {
      await field.fill(bad)
      await alice.page.getByText(words).waitFor()
      expect(await create.isDisabled()).toBe(true)
      expect(await field.getAttribute('aria-invalid')).toBe('true')
    }
    await field.fill('https://example.com/welcome')
    await expect.poll(() => create.isDisabled()).toBe(false)
    expect(await alice.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)
    expectClean(alice)
  })

  it('lands on the target exactly once after the click, then says already viewed', async () => {
    const url = `http://${target.host}${PATH}?code=one`
    const alice = await newPerson(suite.browser)
    const link = await createLink(alice.page, suite.url, url, 1)
    expect(target.hits()).toBe(0)

    const bob = await follow(suite.browser, link, target, url)
    expect(target.hits()).toBe(1)
    await bob.page.goto(link)
    await bob.page.getByRole('heading', { name: 'This secret was already viewed' }).waitFor()
    expect(target.hits()).toBe(1)

    // The address reaches only the target itself; the burnlink server never sees it.
    const toServer = (u: string) => new URL(u).origin === suite.url
    expect(await leaks([alice, bob], [url, PATH, ...keyForms(link)], toServer)).toEqual([])
    expectClean(alice)
  })

  it('a link for two views works twice, then is gone', async () => {
    const url = `http://${target.host}${PATH}?code=cohort`
    const alice = await newPerson(suite.browser)
    const link = await createLink(alice.page, suite.url, url, 2)
    const start = target.hits()

    await follow(suite.browser, link, target, url)
    await follow(suite.browser, link, target, url)
    expect(target.hits()).toBe(start + 2)

    const late = await newPerson(suite.browser)
    await late.page.goto(link)
    await late.page.getByRole('heading', { name: 'This secret was already viewed' }).waitFor()
    expect(target.hits()).toBe(start + 2)
  })
})
