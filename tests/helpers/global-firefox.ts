/**
 * vitest globalSetup of the browser project: one Firefox for the whole run. Starting Firefox
 * ESR takes 4-5 s and closing it most of another second, once per engine suite, a dozen
 * times a run; connecting to a running one takes about 0.15 s. Each suite connects over
 * WebDriver BiDi and disconnects after its file (driver-firefox.ts); every person still gets
 * a user context of their own, so no cookie or storage crosses from one test to the next.
 *
 * Firefox takes one BiDi session at a time, which is why this setup lets go of its own at
 * once, and why the browser project runs one file at a time (vitest.config.ts).
 * Shared as `inject('firefoxEndpoint')`; '' when Firefox is not installed or not chosen.
 */
import { existsSync } from 'node:fs'
import puppeteer from 'puppeteer-core'
import type { TestProject } from 'vitest/node'
import { chosenEngines } from './driver.ts'
import { FIREFOX_PATH } from './driver-firefox.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    firefoxEndpoint: string
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!chosenEngines().includes('firefox') || !existsSync(FIREFOX_PATH)) {
    project.provide('firefoxEndpoint', '')
    return undefined
  }
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX_PATH, headless: true })
  const firefox = browser.process()!
  project.provide('firefoxEndpoint', browser.wsEndpoint())
  await browser.disconnect()
  return async () => {
    // Disconnected, puppeteer cannot close it; its exit handler then removes the temporary profile.
    if (firefox.exitCode !== null || firefox.signalCode !== null) return
    const exited = new Promise((resolve) => firefox.once('exit', resolve))
    firefox.kill()
    await exited
  }
}
