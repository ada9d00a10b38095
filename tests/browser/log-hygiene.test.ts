/**
 * Log hygiene of a whole browser session (issue 7): the server logs at debug into memory
 * while two people create, fail a passphrase, reveal, manage and list a secret; no key,
 * token, id, passphrase or plaintext may appear in any line, in any spelling.
 */
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { openSecretLink, parseManageLink, parseSecretLink } from '@burnlink/shared'
import { hasChromium, newPerson, useBrowserSuite } from '../helpers/browser.ts'
import { assertNoSecretsInLogs, requestLogProblems } from '../helpers/log-hygiene.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

describe.runIf(hasChromium())('server logs during a browser session', () => {
  const lines: string[] = []
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) })
  const suite = useBrowserSuite({ redisUrl: workerRedisUrl(), logger })

  it('carry no secret-derived value and only the allowed request fields', async () => {
    const alice = await newPerson(suite.browser)
    const bob = await newPerson(suite.browser)
    const text = 'log-hygiene plaintext: vault token s.8Hq2xZr4'
    const passphrase = 'lighthouse keeper 93'

    await alice.page.goto(`${suite.url}/`)
    await alice.page.getByLabel('Secret', { exact: true }).fill(text)
    await alice.page.getByLabel('Passphrase (optional)').fill(passphrase)
    await alice.page.getByRole('button', { name: 'Create link' }).click()
    const link = await alice.page.getByLabel('Secret link', { exact: true }).inputValue()
    const manageLink = await alice.page.getByLabel('Manage link', { exact: true }).inputValue()

    await bob.page.goto(link)
    await bob.page.getByLabel('Passphrase', { exact: true }).fill('not it')
    await bob.page.getByRole('button', { name: 'Reveal secret' }).click()
    await bob.page.getByText('Wrong passphrase. 4 tries left').waitFor()
    await bob.page.getByLabel('Passphrase', { exact: true }).fill(passphrase)
    await bob.page.getByRole('button', { name: 'Reveal secret' }).click()
    await expect.poll(() => bob.page.getByLabel('Secret text').textContent()).toBe(text)

    await alice.page.goto(manageLink)
    await alice.page.getByText('Viewed', { exact: true }).waitFor()
    await alice.page.goto(`${suite.url}/links`)
    await alice.page.getByText('Viewed', { exact: true }).first().waitFor()

    const { k } = parseSecretLink(link)
    const { sid, mt } = parseManageLink(manageLink)
    const { acc } = await openSecretLink(k)
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
    // Non-vacuous: the session really went through the logged API. (The reveal token is not
    // listed: it needs the consumed secret's header; a logged body would show sid and acc.)
    expect(
      entries.filter((e) => e.msg === 'request' && String(e.route).startsWith('/api/v1/secrets')).length,
    ).toBeGreaterThanOrEqual(5)
    assertNoSecretsInLogs(lines, {
      k,
      sid,
      acc,
      mt,
      passphrase,
      text,
      linkFragment: link.split('#')[1]!,
      manageFragment: manageLink.split('#')[1]!,
    })
    expect(requestLogProblems(entries)).toEqual([])
  })
})
