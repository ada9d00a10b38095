/**
 * Every way a link can fail gets its own message, and a redirect secret navigates only
 * after a click.
 */
import { describe, expect, it } from 'vitest'
import { encodeB64u, PayloadType } from '@burnlink/shared'
import { hasChromium, newPerson, seedSecret, useBrowserSuite } from '../helpers/browser.ts'

describe.runIf(hasChromium())('reveal page messages', () => {
  const suite = useBrowserSuite()

  it('tells a missing key, a damaged link and an unknown secret apart', async () => {
    const { page } = await newPerson(suite.browser)
    await page.goto(`${suite.url}/s`)
    await page.getByRole('heading', { name: 'This address has no key' }).waitFor()
    await page.goto(`${suite.url}/s#1.abc`)
    await page.getByRole('heading', { name: 'This link is incomplete or damaged' }).waitFor()
    await page.goto(`${suite.url}/s#1.${encodeB64u(crypto.getRandomValues(new Uint8Array(32)))}`)
    await page.getByRole('heading', { name: 'No secret here' }).waitFor()
    await page.goto(`${suite.url}/r#1.nope`)
    await page.getByRole('heading', { name: 'This link is incomplete or damaged' }).waitFor()
  })

  it('says the server is unavailable, and a retry then works without using anything up', async () => {
    const seeded = await seedSecret(suite.url)
    const { page } = await newPerson(suite.browser)
    await page.route('**/api/v1/secrets/meta', (route) => route.abort('connectionrefused'))
    await page.goto(seeded.link)
    await page.getByRole('heading', { name: 'The server is unavailable' }).waitFor()

    await page.unroute('**/api/v1/secrets/meta')
    await page.getByRole('button', { name: 'Try again' }).click()
    await page.getByRole('button', { name: 'Reveal secret' }).click()
    await expect.poll(() => page.getByLabel('Secret text').textContent()).toBe('seeded secret')
  })

  it('shows the views left of a multi-view secret', async () => {
    const seeded = await seedSecret(suite.url, { maxViews: 3 })
    const { page } = await newPerson(suite.browser)
    await page.goto(seeded.link)
    await page.getByText('It can be viewed 3 times more').waitFor()
    await page.getByRole('button', { name: 'Reveal secret' }).click()
    await page.getByText('It can be viewed twice more before it is deleted').waitFor()
  })

  it('shows a redirect target and goes there only after a click', async () => {
    const target = 'https://intranet.example.com/onboarding?step=2'
    const seeded = await seedSecret(suite.url, { type: PayloadType.redirect, text: target })
    const { page } = await newPerson(suite.browser)
    // Stands in for the other site, so the test makes no request off this machine.
    await page.route('https://intranet.example.com/**', (route) =>
      route.fulfill({ contentType: 'text/html', body: 'arrived' }),
    )
    await page.goto(seeded.link)
    await page.getByRole('button', { name: 'Reveal secret' }).click()
    const go = page.getByRole('button', { name: 'Continue to intranet.example.com' })
    await go.waitFor()
    await page.waitForTimeout(300)
    expect(page.url()).toBe(`${suite.url}/s`)
    const historyLength = await page.evaluate(() => history.length)

    await go.click()
    await page.waitForURL(target)
    // replace(), not assign(): going back must not land on the used-up reveal page.
    expect(await page.evaluate(() => history.length)).toBe(historyLength)
  })
})
