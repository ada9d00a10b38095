/**
 * Debian's Firefox ESR through puppeteer-core over WebDriver BiDi (playwright-core drives
 * only its own patched Firefox builds). Headless, one for the whole run (global-firefox.ts);
 * each suite has a BiDi session of its own and each person a BiDi user context.
 */
import puppeteer, { type ElementHandle } from 'puppeteer-core'
import type { EngineBrowser } from './driver.ts'

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr'

export async function connectFirefoxEngine(endpoint: string): Promise<EngineBrowser> {
  if (!endpoint) throw new Error('no Firefox to connect to: global-firefox.ts started none')
  const browser = await puppeteer.connect({ browserWSEndpoint: endpoint, protocol: 'webDriverBiDi' })
  return {
    async newPage({ width, height }) {
      const context = await browser.createBrowserContext()
      const page = await context.newPage()
      await page.setViewport({ width, height })
      return {
        goto: async (url) => void (await page.goto(url)),
        reload: async () => void (await page.reload()),
        run: (body) => page.evaluate(`(async () => { ${body} })()`),
        async clickElement(body) {
          const handle = await page.evaluateHandle(`(() => { ${body} })()`)
          try {
            const element = handle.asElement() as ElementHandle<Element> | null
            if (!element) throw new Error('the page returned no element to click')
            // ElementHandle.click() over BiDi grew to many seconds a click within one test;
            // scrolling and clicking the point directly stays at milliseconds.
            await element.scrollIntoView()
            const { x, y } = await element.clickablePoint()
            await page.mouse.click(x, y)
          } finally {
            await handle.dispose()
          }
        },
        screenshot: async (path) => void (await page.screenshot({ path, fullPage: true })),
        close: () => context.close(),
      }
    },
    // Ends this suite's session and leaves Firefox to the next suite.
    close: () => browser.disconnect(),
  }
}
