/**
 * The three engines the core flows run in, and the per-file suite that serves them: one server
 * behind a request recorder and one browser per engine, torn down after it (the app is built
 * once per run by global-web.ts; Firefox, slow to start, is started once per run by
 * global-firefox.ts, and the suite only connects to it). Define a flow once with
 * `describeEngines` and it runs in each.
 */
import { existsSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, inject } from 'vitest'
import { CHROMIUM_PATH } from './browser.ts'
import {
  browserDriver,
  chosenEngines,
  type BrowserDriver,
  type ContextOptions,
  type DriverContext,
  type EngineName,
} from './driver.ts'
import { launchChromiumEngine } from './driver-chromium.ts'
import { connectFirefoxEngine, FIREFOX_PATH } from './driver-firefox.ts'
import { launchWebKitEngine, MESA_DRI_PATH, MINIBROWSER_PATH, WEBKIT_DRIVER_PATH } from './driver-webkit.ts'
import { startRecorder, type RequestRecorder } from './request-recorder.ts'
import { startTestServer, type TestServerOptions } from './server.ts'

export interface Engine {
  name: EngineName
  /** What is missing to run it, as an install hint; undefined when it can run. */
  missing(): string | undefined
  launch(): Promise<BrowserDriver>
}

function missingFiles(files: [path: string, debianPackage: string][]): string | undefined {
  const absent = files.filter(([path]) => !existsSync(path))
  if (absent.length === 0) return undefined
  const packages = [...new Set(absent.map(([, pkg]) => pkg))].join(' ')
  return `no ${absent.map(([path]) => path).join(', ')}: install it with "sudo apt-get install ${packages}"`
}

export const engines: Engine[] = [
  {
    name: 'chromium',
    missing: () => missingFiles([[CHROMIUM_PATH, 'chromium']]),
    launch: async () => browserDriver('chromium', await launchChromiumEngine()),
  },
  {
    name: 'firefox',
    missing: () => missingFiles([[FIREFOX_PATH, 'firefox-esr']]),
    launch: async () => browserDriver('firefox', await connectFirefoxEngine(inject('firefoxEndpoint'))),
  },
  {
    name: 'webkit',
    missing: () =>
      missingFiles([
        [WEBKIT_DRIVER_PATH, 'webkit2gtk-driver'],
        [MINIBROWSER_PATH, 'webkit2gtk-driver'],
        // Only recommended by WebKitGTK, yet without it the web process cannot get an EGL display.
        [MESA_DRI_PATH, 'libgl1-mesa-dri'],
      ]) ?? (inject('display') ? undefined : 'no X display and no Xvfb: install it with "sudo apt-get install xvfb"'),
    launch: async () => browserDriver('webkit', await launchWebKitEngine(inject('display'))),
  },
]

/**
 * `describe.each` over the engines (or those named in BROWSER_ENGINES, e.g. "firefox,webkit").
 * In CI a missing engine fails its tests (launching says what to install); elsewhere they
 * are skipped with a line nobody can miss.
 */
export function describeEngines(title: string, body: (engine: Engine) => void): void {
  const chosen = chosenEngines()
  const runnable = engines.filter((engine) => {
    if (!chosen.includes(engine.name)) return false
    const missing = engine.missing()
    if (!missing || process.env.CI) return true
    console.warn(`\n!!! SKIPPING "${title}" in ${engine.name}: ${missing}\n`)
    describe.skip(`${title} (${engine.name}: not installed)`, () => body(engine))
    return false
  })
  describe.each(runnable)(`${title} ($name)`, body)
}

export interface EngineSuite {
  readonly engine: EngineName
  /** The origin people visit: the recorder in front of the test server. */
  readonly url: string
  /** A new person with a browser context of their own, closed after the test. */
  newPerson(options?: ContextOptions): Promise<DriverContext>
}

export function useEngineSuite(engine: Engine, options: TestServerOptions = {}): EngineSuite {
  let server: Awaited<ReturnType<typeof startTestServer>> | undefined
  let recorder: RequestRecorder | undefined
  let driver: BrowserDriver | undefined
  const open = new Set<DriverContext>()
  beforeAll(async () => {
    const missing = engine.missing()
    if (missing) throw new Error(`${engine.name} cannot run: ${missing}`)
    server = await startTestServer(options)
    recorder = await startRecorder(server.url)
    driver = await engine.launch()
  })
  afterEach(async () => {
    await Promise.all([...open].map((context) => context.close()))
    open.clear()
  })
  afterAll(async () => {
    await driver?.close()
    await recorder?.close()
    await server?.close()
  })
  return {
    engine: engine.name,
    get url() {
      if (!recorder) throw new Error('the engine suite is not started')
      return recorder.url
    },
    async newPerson(contextOptions) {
      if (!driver || !recorder) throw new Error('the engine suite is not started')
      const context = await driver.newContext(recorder, contextOptions)
      open.add(context)
      return context
    },
  }
}

/** No console error, uncaught error or CSP violation on any page of these people. */
export async function expectCleanPages(...people: DriverContext[]): Promise<void> {
  for (const person of people) expect(await person.reports()).toEqual({ console: [], page: [], csp: [] })
}
