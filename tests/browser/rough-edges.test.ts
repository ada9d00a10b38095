/**
 * What a person meets around the edges of the app, in Chromium: each view's own title, a
 * slightly wrong address (an HTML 404 page, or a redirect that keeps the key), a browser
 * with JavaScript off, a disabled button that says why, a form bounded by its server's own limits,
 * and the revealed secret's box.
 */
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { expectClean, hasChromium, newPerson, seedSecret, useBrowserSuite } from '../helpers/browser.ts'
import { startTestServer } from '../helpers/server.ts'

const titled = (page: Page, title: string) =>
  expect.poll(() => page.title(), { message: `the title of ${page.url()}` }).toBe(title)

describe.runIf(hasChromium())('rough edges', () => {
  const suite = useBrowserSuite()

  it('gives each view its own title, also after moving between views in the page', async () => {
    const person = await newPerson(suite.browser)
    const { page } = person
    const seeded = await seedSecret(suite.url, { maxViews: 2 })
    await page.goto(`${suite.url}/`)
    await titled(page, 'Create a secret · burnlink')
    await page.getByRole('link', { name: 'My links' }).click()
    await titled(page, 'My links · burnlink')
    await page.getByRole('link', { name: 'New secret' }).click()
    await titled(page, 'Create a secret · burnlink')
    await page.goto(seeded.link)
    await titled(page, 'Reveal a secret · burnlink')
    await page.goto(seeded.manageLink)
    await titled(page, 'Manage a secret · burnlink')
    expectClean(person)
  })

  describe('a slightly wrong address', () => {
    it.each(['/S', '/s/extra', '/nothing'])('%s shows a 404 page that leads home, under the CSP', async (path) => {
      const person = await newPerson(suite.browser)
      const { page } = person
      const response = await page.goto(`${suite.url}${path}#1.abc`)
      expect(response!.status()).toBe(404)
      await page.getByRole('heading', { name: 'There is nothing at this address' }).waitFor()
      expect(await page.title()).toBe('Page not found · burnlink')
      // Its stylesheet applied: the page is laid out like the app, not in the browser's defaults.
      expect(await page.locator('main').evaluate((m) => getComputedStyle(m).maxWidth)).not.toBe('none')
      await page.getByRole('link', { name: 'Share a new secret' }).click()
      await titled(page, 'Create a secret · burnlink')
      expect(page.url()).toBe(`${suite.url}/`)
      expect(person.cspViolations).toEqual([])
      expect(person.pageErrors).toEqual([])
    })

    it('with a trailing slash moves to the page and keeps the fragment: the key still opens the secret', async () => {
      const person = await newPerson(suite.browser)
      const { page } = person
      // The address as it is before the app reads the key and scrubs it from the address bar.
      await page.addInitScript(() => sessionStorage.setItem('arrived at', location.href))
      const seeded = await seedSecret(suite.url, { text: 'through the redirect' })
      const fragment = new URL(seeded.link).hash
      const response = await page.goto(`${suite.url}/s/${fragment}`)
      expect(response!.request().redirectedFrom()?.url()).toBe(`${suite.url}/s/`)
      expect(await page.evaluate(() => sessionStorage.getItem('arrived at'))).toBe(`${suite.url}/s${fragment}`)
      await page.getByRole('button', { name: 'Reveal secret' }).click()
      expect(await page.getByRole('region', { name: 'Secret text' }).textContent()).toBe('through the redirect')
      expectClean(person)
    })

    it.each(['/links/', '/r/'])('%s moves to the page without the slash, fragment and all', async (path) => {
      const person = await newPerson(suite.browser)
      await person.page.goto(`${suite.url}${path}#kept`)
      expect(person.page.url()).toBe(`${suite.url}${path.slice(0, -1)}#kept`)
    })
  })

  it('tells a browser with JavaScript off why the page needs it, under the CSP', async () => {
    const context = await suite.browser.newContext({ javaScriptEnabled: false })
    try {
      const console: string[] = []
      context.on('console', (message) => console.push(`${message.type()}: ${message.text()}`))
      const page = await context.newPage()
      await page.goto(`${suite.url}/`)
      await page.getByRole('heading', { name: 'burnlink needs JavaScript' }).waitFor()
      expect(await page.getByRole('main').textContent()).toMatch(/encrypted and decrypted here, in your browser/)
      expect(console).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('says why "Create link" cannot be pressed yet, beside the button', async () => {
    const person = await newPerson(suite.browser)
    const { page } = person
    const button = page.getByRole('button', { name: 'Create link' })
    /** The button's state and the visible text its description points at. */
    const state = () =>
      button.evaluate((b: HTMLButtonElement) => {
        const hint = document.getElementById(b.getAttribute('aria-describedby') ?? '')
        return { disabled: b.disabled, why: hint && hint.checkVisibility() ? hint.textContent : null }
      })
    await page.goto(`${suite.url}/`)
    expect(await state()).toEqual({ disabled: true, why: 'Type a secret first.' })
    await page.getByLabel('Secret', { exact: true }).fill('something')
    expect(await state()).toEqual({ disabled: false, why: null })
    await page.getByLabel('Can be viewed').fill('0')
    expect(await state()).toEqual({ disabled: true, why: 'Fix the highlighted field first.' })
    await page.getByLabel('Can be viewed').fill('1')
    await page.getByText('Link', { exact: true }).click()
    expect(await state()).toEqual({ disabled: true, why: 'Enter the link to share first.' })
    await page.getByLabel('Link to share').fill('https://example.com/invite')
    expect(await state()).toEqual({ disabled: false, why: null })
    expectClean(person)
  })

  it("bounds the form by this server's own limits, which come with the page: opening it asks the API nothing", async () => {
    const server = await startTestServer({ config: { maxViews: 3, allowHttpRedirects: true } })
    try {
      const person = await newPerson(suite.browser)
      const { page } = person
      await page.goto(`${server.url}/`)
      await page.getByText('From 1 to 3. After the last view the secret is deleted.').waitFor()
      expect(await page.getByLabel('Can be viewed').getAttribute('max')).toBe('3')
      // A request for them would come after the first paint: wait until nothing more is on the way.
      await page.waitForLoadState('networkidle')
      await person.settle()
      expect(person.requests.map((r) => new URL(r.url).pathname).filter((p) => p.startsWith('/api/'))).toEqual([])
      expectClean(person)
    } finally {
      await server.close()
    }
  })

  it('shows the revealed secret in a named, focusable region (a pre may not carry a name itself)', async () => {
    const person = await newPerson(suite.browser)
    const { page } = person
    const seeded = await seedSecret(suite.url, { text: 'boxed' })
    await page.goto(seeded.link)
    await page.getByRole('button', { name: 'Reveal secret' }).click()
    const box = page.getByRole('region', { name: 'Secret text' })
    expect(await box.textContent()).toBe('boxed')
    expect(await box.evaluate((e) => e.tagName)).toBe('PRE')
    await box.focus()
    expect(await box.evaluate((e) => e === document.activeElement)).toBe(true)
    expectClean(person)
  })
})

describe.runIf(hasChromium())('the reveal page without its Intl warm-up', () => {
  const suite = useBrowserSuite()

  it('still offers the secret when the warm-up worker never answers', async () => {
    const person = await newPerson(suite.browser)
    const { page } = person
    // The prompt waits for the worker that loads the locale's Intl data; one that starts
    // but stays silent (a broken extension, a stalled load) must not keep it waiting.
    let silenced = 0
    await page.route('**/assets/worker-*.js', async (route) => {
      const response = await route.fetch()
      const body = await response.text()
      if (!body.includes('time.days')) return route.fulfill({ response, body })
      silenced++
      return route.fulfill({ response, body: 'self.onmessage = () => {}' })
    })
    const seeded = await seedSecret(suite.url, { text: 'not kept waiting' })
    await page.goto(seeded.link)
    await page.getByRole('button', { name: 'Reveal secret' }).click({ timeout: 15_000 })
    expect(await page.getByRole('region', { name: 'Secret text' }).textContent()).toBe('not kept waiting')
    expect(silenced).toBe(1)
    expectClean(person)
  })
})
