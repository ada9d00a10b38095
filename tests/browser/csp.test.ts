/**
 * Every page runs under the exact CSP of protocol.md §11 with no violation and no console
 * error, light or dark, and fits a 360 px wide phone without sideways scrolling.
 * The README's two screenshots come from the last test: with SCREENSHOTS=1 they are written
 * to docs/, otherwise to a temporary folder.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { expectClean, hasChromium, newPerson, seedSecret, useBrowserSuite } from '../helpers/browser.ts'

const SHOTS = process.env.SCREENSHOTS
  ? fileURLToPath(new URL('../../docs', import.meta.url))
  : mkdtempSync(join(tmpdir(), 'burnlink-shots-'))

describe.runIf(hasChromium())('pages under the production CSP', () => {
  const suite = useBrowserSuite()

  it.each([
    { width: 1100, colorScheme: 'light' as const },
    { width: 360, colorScheme: 'dark' as const },
  ])('create, reveal and manage pages are clean at $width px ($colorScheme)', async (options) => {
    const person = await newPerson(suite.browser, options)
    const { page } = person
    const csp = (await (await page.goto(`${suite.url}/`))!.allHeaders())['content-security-policy']
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'")
    await page.getByLabel('Secret', { exact: true }).fill('line one\nline two')
    await page.getByLabel('Passphrase (optional)').fill('a passphrase')
    await page.getByRole('button', { name: 'Create link' }).click()
    const link = await page.getByLabel('Secret link', { exact: true }).inputValue()
    const manageLink = await page.getByLabel('Manage link', { exact: true }).inputValue()
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)
    expect(await fits()).toBe(true)

    await page.goto(link)
    await page.getByLabel('Passphrase', { exact: true }).fill('a passphrase')
    await page.getByRole('button', { name: 'Reveal secret' }).click()
    await page.getByText('This secret is now gone').waitFor()
    expect(await fits()).toBe(true)

    await page.goto(manageLink)
    await page.getByText('Viewed', { exact: true }).waitFor()
    expect(await fits()).toBe(true)
    expectClean(person)
  })

  it('shows a created link and a revealed secret cleanly (the README screenshots)', async () => {
    const seeded = await seedSecret(suite.url, {
      text: 'Wi-Fi: burnlink-guest\nPassword: 7rK-wq9L-Zm2p-Xc4V\n\nThe router admin page is http://192.168.1.1',
    })
    const creator = await newPerson(suite.browser, { width: 900 })
    await creator.page.goto(`${suite.url}/`)
    await creator.page.getByLabel('Secret', { exact: true }).fill('The staging database password is h4Q!x9-vLp2-RRt7')
    await creator.page.getByLabel('1 hour').check()
    await creator.page.getByRole('button', { name: 'Create link' }).click()
    await creator.page.getByText('Your secret link is ready').waitFor()
    await creator.page.screenshot({ path: join(SHOTS, 'screenshot-create.png'), fullPage: true })

    const recipient = await newPerson(suite.browser, { width: 900 })
    await recipient.page.goto(seeded.link)
    await recipient.page.getByRole('button', { name: 'Reveal secret' }).click()
    await recipient.page.getByText('This secret is now gone').waitFor()
    await recipient.page.screenshot({ path: join(SHOTS, 'screenshot-reveal.png'), fullPage: true })
    expectClean(creator)
    expectClean(recipient)
  })
})
