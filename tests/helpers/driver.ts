/**
 * One small driver interface over three engines, so a browser test reads the same in
 * Chromium, Firefox and WebKit. Each engine supplies only `EnginePage`: navigate, run a
 * script, click an element natively, screenshot. Finding, reading and filling elements is
 * the same page-side code everywhere (page-ops.ts), and what left the browser and what the
 * page complained about come from the request recorder, since WebKit's driver has no
 * network or console API.
 */
import type { RecordedRequest } from './browser.ts'
import { pageOp, type ElementState, type FileSpec, type PageRequest, type Probe, type Target } from './page-ops.ts'
import { settleReports, type PageReports, type RequestRecorder } from './request-recorder.ts'

export type { Target } from './page-ops.ts'

const ENGINE_NAMES = ['chromium', 'firefox', 'webkit'] as const
export type EngineName = (typeof ENGINE_NAMES)[number]

/** The engines a run uses: those named in BROWSER_ENGINES (e.g. "firefox,webkit"), else all three. */
export function chosenEngines(): readonly string[] {
  return process.env.BROWSER_ENGINES?.split(',') ?? ENGINE_NAMES
}

/** What each engine does its own way; everything else is built on these. */
export interface EnginePage {
  /** Navigates and waits for the load event. */
  goto(url: string): Promise<void>
  reload(): Promise<void>
  /** Runs a function body (it may `return` a promise) in the page; resolves to its JSON result. */
  run(body: string): Promise<unknown>
  /** Clicks the element a function body returns, with real input events, as a mouse does. */
  clickElement(body: string): Promise<void>
  screenshot(path: string): Promise<void>
  close(): Promise<void>
}

export interface ContextOptions {
  /** Viewport width; WebKitGTK's window cannot get narrower than its toolbar (about 450 px). */
  width?: number
}

export interface EngineBrowser {
  newPage(options: Required<ContextOptions> & { height: number }): Promise<EnginePage>
  close(): Promise<void>
}

/** Long enough for Argon2id at the app's real cost in the slowest engine on two busy cores. */
const TIMEOUT = 30_000
const PAGE_OP = pageOp.toString()
let people = 0

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * One person: a browser context with its own cookies, storage and cache, and one page.
 * Every method waits, up to 30 s, for its target to be there (and, for actions, to be the
 * only match and enabled), as a person would wait for the page.
 */
export class DriverContext {
  readonly id = `p${++people}-${Math.random().toString(36).slice(2, 8)}`

  constructor(
    readonly engine: EngineName,
    private readonly page: EnginePage,
    private readonly recorder: RequestRecorder,
  ) {}

  /** Makes the context's requests count as this person's: must come before any other visit. */
  async enroll(): Promise<void> {
    await this.page.goto(this.recorder.enrollUrl(this.id))
  }

  goto(url: string): Promise<void> {
    return this.page.goto(url)
  }

  reload(): Promise<void> {
    return this.page.reload()
  }

  /** The address bar as the page itself sees it (after any history.replaceState). */
  async url(): Promise<string> {
    return (await this.page.run('return location.href')) as string
  }

  async waitForUrl(url: string): Promise<void> {
    await this.poll(`the address ${url}`, async () => ((await this.url()) === url ? true : undefined))
  }

  /** Runs `fn(arg)` in the page; `fn` must be self-contained and `arg` JSON. */
  async evaluate<R, A = undefined>(fn: (arg: A) => R, arg?: A): Promise<Awaited<R>> {
    return (await this.page.run(`return (${fn.toString()})(${JSON.stringify(arg) ?? 'undefined'})`)) as Awaited<R>
  }

  /** Runs a function body in the page, e.g. a bundled script that ends in `return run()`. */
  run(body: string): Promise<unknown> {
    return this.page.run(body)
  }

  async waitFor(target: Target, timeout = TIMEOUT): Promise<void> {
    await this.poll(describe(target), async () => ((await this.probe(target)).count > 0 ? true : undefined), timeout)
  }

  async waitForGone(target: Target): Promise<void> {
    await this.poll(`${describe(target)} to go`, async () =>
      (await this.probe(target)).count === 0 ? true : undefined,
    )
  }

  /** How many visible elements match, now. */
  async count(target: Target): Promise<number> {
    return (await this.probe(target)).count
  }

  async click(target: Target): Promise<void> {
    await this.actionable(target)
    await this.page.clickElement(this.opSource({ op: 'element', target }))
  }

  /**
   * Checks a checkbox or radio by clicking its label, as a person does with a styled control,
   * and clicks again, as a person would, when a click did not take: a native click lands on
   * a point measured just before, and a row that re-rendered in between (My links under load,
   * once in a CI run) leaves it on nothing. A click toggles a checkbox at once, so a state
   * still unchanged a second later is a click that missed, never one still on its way.
   */
  async check(target: Target, checked = true): Promise<void> {
    await this.actionable(target)
    let clickedAt = 0
    await this.poll(`${describe(target)} to be ${checked ? 'checked' : 'unchecked'}`, async () => {
      if ((await this.state(target)).checked === checked) return true
      if (Date.now() - clickedAt < 1000) return undefined
      await this.page.clickElement(this.opSource({ op: 'element', target, preferLabel: true }))
      clickedAt = Date.now()
      return undefined
    })
  }

  uncheck(target: Target): Promise<void> {
    return this.check(target, false)
  }

  async fill(target: Target, value: string): Promise<void> {
    await this.actionable(target)
    await this.op({ op: 'fill', target, value })
  }

  async select(target: Target, value: string): Promise<void> {
    await this.actionable(target)
    await this.op({ op: 'select', target, value })
  }

  /** Puts files in a file input, as choosing them in the file dialog does. */
  async setFiles(target: Target, files: FileSpec[]): Promise<void> {
    await this.waitFor(target)
    await this.op({ op: 'setFiles', target, files })
  }

  async text(target: Target): Promise<string> {
    return (await this.state(target)).text
  }

  async value(target: Target): Promise<string> {
    const { value } = await this.state(target)
    if (value === null) throw new Error(`${describe(target)} has no value`)
    return value
  }

  async attribute(target: Target, name: string): Promise<string | null> {
    return (await this.state(target, name)).attribute
  }

  async isChecked(target: Target): Promise<boolean> {
    return (await this.state(target)).checked === true
  }

  async isDisabled(target: Target): Promise<boolean> {
    return (await this.state(target)).disabled
  }

  async pause(ms: number): Promise<void> {
    await sleep(ms)
  }

  /** Every request of this person that reached the server, pages and workers alike. */
  requests(): RecordedRequest[] {
    return this.recorder.requests(this.id)
  }

  /** Console errors, uncaught errors and CSP violations of every page, once the current page's are in. */
  async reports(): Promise<PageReports> {
    // A page that is navigating away has nothing left to wait for.
    const settled = await this.page.run(settleReports(this.recorder.url)).catch(() => 'navigating')
    if (settled === 'no agent')
      throw new Error(`${this.engine}: the recorder's agent did not run on ${await this.url()}`)
    return this.recorder.reports(this.id)
  }

  screenshot(path: string): Promise<void> {
    return this.page.screenshot(path)
  }

  close(): Promise<void> {
    return this.page.close()
  }

  private opSource(request: PageRequest): string {
    return `return (${PAGE_OP})(${JSON.stringify(request)})`
  }

  private op(request: PageRequest): Promise<unknown> {
    return this.page.run(this.opSource(request))
  }

  private probe(target: Target): Promise<Probe> {
    return this.op({ op: 'probe', target }) as Promise<Probe>
  }

  private async state(target: Target, attribute?: string): Promise<ElementState> {
    await this.waitFor(target)
    return (await this.op({ op: 'read', target, attribute })) as ElementState
  }

  /** Waits until the target is the one enabled match. */
  private async actionable(target: Target): Promise<void> {
    let last: Probe = { count: 0, enabled: false }
    await this.poll(
      () => `${describe(target)} to be the one enabled match (${last.count} found)`,
      async () => {
        last = await this.probe(target)
        return last.count === 1 && last.enabled ? true : undefined
      },
    )
  }

  /** Retries `attempt` until it gives a value; a page between two documents counts as "not yet". */
  private async poll<T>(
    what: string | (() => string),
    attempt: () => Promise<T | undefined>,
    timeout = TIMEOUT,
  ): Promise<T> {
    const deadline = Date.now() + timeout
    let failure: unknown
    for (;;) {
      try {
        const value = await attempt()
        if (value !== undefined) return value
      } catch (error) {
        failure = error
      }
      if (Date.now() > deadline) {
        const where = await this.page.run(this.opSource({ op: 'where' })).catch(() => '(no page)')
        const why = failure instanceof Error ? `; last error: ${failure.message.split('\n')[0]}` : ''
        throw new Error(
          `${this.engine}: timed out after ${timeout / 1000} s waiting for ${typeof what === 'string' ? what : what()}${why}\n  on ${String(where)}`,
        )
      }
      await sleep(100)
    }
  }
}

function describe(target: Target): string {
  return JSON.stringify(target)
}

export interface BrowserDriver {
  readonly engine: EngineName
  /** A new person, enrolled with the recorder so its traffic and errors are its own. */
  newContext(recorder: RequestRecorder, options?: ContextOptions): Promise<DriverContext>
  close(): Promise<void>
}

export function browserDriver(engine: EngineName, browser: EngineBrowser): BrowserDriver {
  return {
    engine,
    async newContext(recorder, options = {}) {
      const page = await browser.newPage({ width: options.width ?? 1100, height: 900 })
      const context = new DriverContext(engine, page, recorder)
      await context.enroll()
      return context
    },
    close: () => browser.close(),
  }
}
