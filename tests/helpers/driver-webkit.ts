/**
 * WebKit as Debian ships it: WebKitWebDriver (webkit2gtk-driver) driving the GTK MiniBrowser
 * through selenium-webdriver. MiniBrowser has no headless mode, so it draws on the Xvfb
 * display the browser project starts (global-display.ts). One driver process serves one
 * session, so each person gets a driver process and a MiniBrowser of their own.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { Builder, type WebDriver, type WebElement } from 'selenium-webdriver'
import type { EngineBrowser, EnginePage } from './driver.ts'

export const WEBKIT_DRIVER_PATH = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver'
export const MINIBROWSER_PATH = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser'
/** Mesa's software renderer, which WebKit's web process draws with on a display without a GPU. */
export const MESA_DRI_PATH = '/usr/lib/x86_64-linux-gnu/dri/swrast_dri.so'

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

async function startDriverProcess(display: string): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort()
  const child = spawn(WEBKIT_DRIVER_PATH, [`--port=${port}`], {
    env: { ...process.env, DISPLAY: display },
    stdio: 'ignore',
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 10_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited with code ${child.exitCode}`)
    try {
      if ((await fetch(`${url}/status`)).ok) return { url, process: child }
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill()
      throw new Error('WebKitWebDriver did not start within 10 s')
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export async function launchWebKitEngine(display: string): Promise<EngineBrowser> {
  const processes = new Set<ChildProcess>()
  // A crashed test file must not leave browsers drawing on the display.
  const killAll = () => processes.forEach((p) => p.kill())
  process.once('exit', killAll)
  const pages = new Set<EnginePage>()

  return {
    async newPage({ width, height }) {
      const { url, process: child } = await startDriverProcess(display)
      processes.add(child)
      let driver: WebDriver
      try {
        const session = new Builder()
          .usingServer(url)
          .withCapabilities({
            browserName: 'MiniBrowser',
            'webkitgtk:browserOptions': { binary: MINIBROWSER_PATH, args: ['--automation'] },
          })
          .build()
        // Where WebKit cannot start (its web process crashed, say) the session never comes.
        driver = await Promise.race([
          session,
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error('MiniBrowser did not start within 30 s')), 30_000).unref(),
          ),
        ])
        await driver.manage().setTimeouts({ script: 60_000, pageLoad: 60_000 })
        await driver.manage().window().setRect({ width, height })
      } catch (error) {
        child.kill()
        processes.delete(child)
        throw error
      }
      const page: EnginePage = {
        goto: (target) => driver.get(target),
        reload: () => driver.navigate().refresh(),
        run: (body) => driver.executeScript(body),
        async clickElement(body) {
          await ((await driver.executeScript(body)) as WebElement).click()
        },
        screenshot: async (path) => writeFile(path, await driver.takeScreenshot(), 'base64'),
        async close() {
          if (!pages.delete(page)) return
          await driver.quit().catch(() => undefined)
          child.kill()
          processes.delete(child)
        },
      }
      pages.add(page)
      return page
    },
    async close() {
      await Promise.all([...pages].map((p) => p.close()))
      killAll()
      process.off('exit', killAll)
    },
  }
}
