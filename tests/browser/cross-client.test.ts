/**
 * The CLI and the web app are two clients of one protocol: what either one creates, the
 * other opens, byte for byte, with or without a passphrase, and the browser sends nothing
 * that could open the secret. The CLI runs built, as a child process, the way a shell runs it.
 */
import { execFileSync } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SecretStatus } from '@burnlink/shared'
import { runCli, sendJson, tempFile } from '../../cli/test/helpers.ts'
import { hasChromium, keyForms, leaks, newPerson, useBrowserSuite, type Person } from '../helpers/browser.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

const BUILD_CLI = fileURLToPath(new URL('../../cli/build.mjs', import.meta.url))

/** A distinctive run inside every text, so a leaked fragment is caught, not only the whole. */
const MARKER = 'zq-7f3a9c-marker'
/** Multi-line, CRLF, tab, precomposed and combining accents, a ZWJ emoji, a final newline. */
const TRICKY = `first line ${MARKER}\r\n\tcaf\u00e9 / cafe\u0301 ü ß 🔑 👨‍👩‍👧\nlast line\n`

async function apiPaths(person: Person): Promise<string[]> {
  await person.settle()
  return person.requests.filter((r) => r.url.includes('/api/v1/')).map((r) => `${r.method} ${new URL(r.url).pathname}`)
}

async function cliStatus(manageLink: string): Promise<SecretStatus> {
  const r = await runCli(['status', manageLink, '--json'])
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.out) as SecretStatus
}

function expectCleanPages(people: Person[]): void {
  for (const person of people) {
    expect(person.cspViolations).toEqual([])
    expect(person.pageErrors).toEqual([])
  }
}

describe.runIf(hasChromium())('CLI and browser round trips', () => {
  // The real Redis store; http redirect targets allowed so the target can be a local server.
  const suite = useBrowserSuite({ redisUrl: workerRedisUrl(), config: { allowHttpRedirects: true } })
  beforeAll(() => void execFileSync(process.execPath, [BUILD_CLI], { stdio: 'inherit' }))

  it.each([
    { name: 'without a passphrase', passphrase: '' },
    { name: 'with a passphrase', passphrase: 'fjord lantern ✓ 4711' },
  ])('CLI send -> browser reveal, $name', async ({ passphrase }) => {
    const args = passphrase ? ['--passphrase-file', tempFile('passphrase', `${passphrase}\n`)] : []
    const { link, manageLink } = await sendJson(suite.url, args, TRICKY)
    const bob = await newPerson(suite.browser)

    await bob.page.goto(link)
    await bob.page.getByRole('button', { name: 'Reveal secret' }).waitFor()
    // Opening the link is not a view; only the click below is.
    expect(await cliStatus(manageLink)).toMatchObject({ state: 'active', views: 0 })
    if (passphrase) await bob.page.getByLabel('Passphrase', { exact: true }).fill(passphrase)
    await bob.page.getByRole('button', { name: 'Reveal secret' }).click()
    await expect.poll(() => bob.page.getByLabel('Secret text').textContent()).toBe(TRICKY)
    expect(await cliStatus(manageLink)).toMatchObject({ state: 'viewed', views: 1, maxViews: 1 })

    expect(await apiPaths(bob)).toEqual(
      expect.arrayContaining(['POST /api/v1/secrets/meta', 'POST /api/v1/secrets/reveal']),
    )
    expect(await leaks([bob], [...keyForms(link), TRICKY, MARKER, ...(passphrase ? [passphrase] : [])])).toEqual([])
    expectCleanPages([bob])
  })

  it.each([
    { name: 'without a passphrase', passphrase: '' },
    { name: 'with a passphrase', passphrase: 'otter river 88 ü' },
  ])('browser create -> CLI get, $name', async ({ passphrase }) => {
    // A textarea's value has LF line ends only, whatever is typed or pasted.
    const text = TRICKY.replaceAll('\r\n', '\n')
    const alice = await newPerson(suite.browser)
    await alice.page.goto(`${suite.url}/`)
    await alice.page.getByLabel('Secret', { exact: true }).fill(text)
    if (passphrase) await alice.page.getByLabel('Passphrase (optional)').fill(passphrase)
    await alice.page.getByRole('button', { name: 'Create link' }).click()
    const link = await alice.page.getByLabel('Secret link', { exact: true }).inputValue()
    expect(link).toMatch(new RegExp(`^${suite.url}/s#2\\.[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{22}$`))

    const args = passphrase ? ['--passphrase-file', tempFile('passphrase', passphrase)] : []
    const got = await runCli(['get', link, '--yes', ...args])
    expect(got.code, got.stderr).toBe(0)
    expect(got.stdout.equals(Buffer.from(text, 'utf8')), JSON.stringify(got.out)).toBe(true)

    const bob = await newPerson(suite.browser)
    await bob.page.goto(link)
    await bob.page.getByRole('heading', { name: 'This secret was already viewed' }).waitFor()

    expect(await apiPaths(alice)).toContain('POST /api/v1/secrets')
    expect(await leaks([alice, bob], [...keyForms(link), text, MARKER, ...(passphrase ? [passphrase] : [])])).toEqual(
      [],
    )
    expectCleanPages([alice, bob])
  })

  describe('a redirect link sent from the CLI', () => {
    let hits = 0
    const path = `/invite/${MARKER}`
    // Stands in for the site the link leads to; counts real arrivals, not attempts.
    const target = createServer((req, res) => {
      if (new URL(req.url ?? '/', 'http://x').pathname === path) hits++
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>arrived</title>arrived')
    })
    beforeAll(() => new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve)))
    afterAll(() => new Promise<void>((resolve) => target.close(() => resolve())))

    it('shows the host, lands on the target exactly once after the click, then says already viewed', async () => {
      const host = `127.0.0.1:${(target.address() as AddressInfo).port}`
      const url = `http://${host}${path}?step=2`
      const { link } = await sendJson(suite.url, ['--url', url])
      const bob = await newPerson(suite.browser)

      await bob.page.goto(link)
      await bob.page.getByRole('button', { name: 'Reveal secret' }).click()
      await bob.page.getByRole('heading', { name: `This secret is a link to ${host}` }).waitFor()
      const go = bob.page.getByRole('button', { name: `Continue to ${host}` })
      await go.waitFor()
      expect(hits).toBe(0)

      await go.click()
      await bob.page.waitForURL(url)
      await bob.page.getByText('arrived').waitFor()
      expect(hits).toBe(1)

      await bob.page.goto(link)
      await bob.page.getByRole('heading', { name: 'This secret was already viewed' }).waitFor()
      expect(hits).toBe(1)

      expect(await apiPaths(bob)).toContain('POST /api/v1/secrets/reveal')
      expect(await leaks([bob], keyForms(link))).toEqual([])
      // The target reaches only the target: the burnlink server never learns it.
      expect(await leaks([bob], [url, MARKER], (u) => new URL(u).origin === suite.url)).toEqual([])
      expectCleanPages([bob])
    })
  })
})
