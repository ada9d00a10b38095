/** Chromium through playwright-core, with the launch flags of the Chromium-only tests. */
import type { EngineBrowser } from './driver.ts'
import { launchChromium } from './browser.ts'

export async function launchChromiumEngine(): Promise<EngineBrowser> {
  const browser = await launchChromium()
  return {
    async newPage({ width, height }) {
      const context = await browser.newContext({ viewport: { width, height } })
      const page = await context.newPage()
      return {
        goto: async (url) => void (await page.goto(url)),
        reload: async () => void (await page.reload()),
        run: (body) => page.evaluate(`(async () => { ${body} })()`),
        async clickElement(body) {
          const handle = await page.evaluateHandle<Element>(`(() => { ${body} })()`)
          try {
            const element = handle.asElement()
            if (!element) throw new Error('the page returned no element to click')
            await element.click()
          } finally {
            await handle.dispose()
          }
        },
        screenshot: async (path) => void (await page.screenshot({ path, fullPage: true })),
        close: () => context.close(),
      }
    },
    close: () => browser.close(),
  }
}
