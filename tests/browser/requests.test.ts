/**
 * Secret requests (protocol.md §12) in Chromium, Firefox and WebKit: one person asks, another answers, the first
 * collects; a second responder is refused, a server that swaps the public key is caught by the
 * responder's page, and no request of either browser carries the answer, the note or a key.
 * The CLI (built, run as a child process) and the pages interoperate both ways, byte for byte.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { encodeB64u, parseCollectLink, parseRequestLink, prepareRequest } from '@burnlink/shared'
import { runCli } from '../../cli/test/helpers.ts'
import { leaksIn } from '../helpers/browser.ts'
import type { DriverContext } from '../helpers/driver.ts'
import { describeEngines, expectCleanPages, useEngineSuite } from '../helpers/engines.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

const BUILD_CLI = fileURLToPath(new URL('../../cli/build.mjs', import.meta.url))
/** Multi-line, CRLF, tab, combining accents, a ZWJ emoji and a final newline: all must survive. */
const TRICKY =
  'ssh-ed25519 AAAAC3 zq-7f3a9c-marker\r\n\tcaf\u00e9 / cafe\u0301 \u{1F511} \u{1F468}\u200D\u{1F469}\u200D\u{1F467}\nlast\n'
/** What a person can type into a text box (no CR: browsers turn line breaks into LF). */
const TYPED = 'typed zq-7f3a9c-marker\n\tcaf\u00e9 \u{1F511}\nlast line'

const LINK_LABEL = 'Request link: send this to the person who has the secret'
const COLLECT_LABEL = 'Collect link: keep this to yourself; it alone opens the answer'

/** Every spelling of the keys of both links a careless client might send. */
function keyForms(requestLink: string, collectLink: string): string[] {
  const { n } = parseRequestLink(requestLink)
  const { d } = parseCollectLink(collectLink)
  return [n, d].flatMap((k) => [encodeB64u(k), Buffer.from(k).toString('hex')])
}

describeEngines('secret requests between two browsers', (engine) => {
  const suite = useEngineSuite(engine, { redisUrl: workerRedisUrl() })
  let raw: Redis
  beforeAll(() => {
    raw = new Redis(workerRedisUrl())
    execFileSync(process.execPath, [BUILD_CLI], { stdio: 'inherit' })
  })
  afterAll(async () => {
    await raw.quit()
  })

  async function makeRequest(person: DriverContext, note: string) {
    await person.goto(`${suite.url}/request`)
    await person.fill({ label: 'Note for the responder (optional)' }, note)
    await person.click({ button: 'Create request' })
    await person.waitFor({ label: COLLECT_LABEL })
    return {
      requestLink: await person.value({ label: LINK_LABEL }),
      collectLink: await person.value({ label: COLLECT_LABEL }),
    }
  }

  it('asks, answers once, collects the exact text, and refuses a second responder', async () => {
    const alice = await suite.newPerson()
    const bob = await suite.newPerson()
    const carol = await suite.newPerson()
    const note = 'Please send the staging DB password ✓'
    const answer = 'correct-horse-battery-staple\n  second line ünïcödé 🔑'

    const { requestLink, collectLink } = await makeRequest(alice, note)
    expect(requestLink).toMatch(new RegExp(`^${suite.url}/q#1\\.[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{22}$`))

    await bob.goto(requestLink)
    await bob.waitFor({ text: note, exact: true })
    expect(await bob.url()).toBe(`${suite.url}/q`)
    await bob.fill({ label: 'Your secret' }, answer)
    await bob.click({ button: 'Encrypt and send' })
    await bob.waitFor({ text: 'Sent. Only the person who asked can open it, once.' })

    await carol.goto(requestLink)
    await carol.waitFor({ heading: 'Already answered' })

    await alice.goto(collectLink)
    await alice.waitFor({ text: 'Answered: the secret is waiting for you.' })
    expect(await alice.url()).toBe(`${suite.url}/c`)
    // Opening the collect link uses nothing: only the click below collects.
    expect(alice.requests().map((r) => new URL(r.url).pathname)).not.toContain('/api/v1/requests/collect')
    await alice.click({ button: 'Collect the answer' })
    await alice.waitFor({ label: 'The answer' })
    expect(await alice.text({ label: 'The answer' })).toBe(answer)

    const { rid } = parseCollectLink(collectLink)
    expect(await raw.exists(`blq:{${encodeB64u(rid)}}:a`)).toBe(0)

    const requests = [...alice.requests(), ...bob.requests(), ...carol.requests()]
    expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/requests',
        'POST /api/v1/requests/open',
        'POST /api/v1/requests/answer',
        'POST /api/v1/requests/status',
        'POST /api/v1/requests/collect',
      ]),
    )
    const secrets = [...keyForms(requestLink, collectLink), answer, 'correct-horse-battery-staple', note, 'staging DB']
    expect(leaksIn(requests, secrets)).toEqual([])
    await expectCleanPages(alice, bob, carol)
  })

  it("refuses to answer when the server's public key does not match the link", async () => {
    const prepared = await prepareRequest({ origin: suite.url, ttl: 600, note: 'swap me' })
    const created = await fetch(`${suite.url}/api/v1/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(prepared.request),
    })
    expect(created.status).toBe(201)
    const other = await prepareRequest({ origin: suite.url, ttl: 600 })
    const key = `blq:{${prepared.request.rid}}:m`
    expect(await raw.hset(key, 'pub', Buffer.from(other.key.Q))).toBe(0)

    const bob = await suite.newPerson()
    await bob.goto(prepared.requestLink)
    await bob.waitFor({ heading: 'This request cannot be trusted' })
    expect(await bob.count({ button: 'Encrypt and send' })).toBe(0)
    expect(await bob.count({ text: 'swap me' })).toBe(0)
    expect(bob.requests().map((r) => new URL(r.url).pathname)).not.toContain('/api/v1/requests/answer')
    expect(await raw.hget(key, 'st')).toBe('pending')
  })

  it('CLI request -> browser respond -> CLI collect: exact bytes', async () => {
    const made = await runCli(['request', '--server', suite.url, '--json', '--note', 'key for prod, please'])
    expect(made.code, made.stderr).toBe(0)
    const { requestLink, collectLink } = JSON.parse(made.out) as { requestLink: string; collectLink: string }
    const bob = await suite.newPerson()
    await bob.goto(requestLink)
    await bob.waitFor({ text: 'key for prod, please', exact: true })
    await bob.fill({ label: 'Your secret' }, TYPED)
    await bob.click({ button: 'Encrypt and send' })
    await bob.waitFor({ text: 'Sent. Only the person who asked can open it, once.' })
    const got = await runCli(['collect', collectLink])
    expect(got.code, got.stderr).toBe(0)
    expect(got.stdout.equals(Buffer.from(TYPED, 'utf8'))).toBe(true)
    expect(leaksIn(bob.requests(), [...keyForms(requestLink, collectLink), 'zq-7f3a9c-marker', 'prod'])).toEqual([])
  })

  it('browser request -> CLI respond -> browser collect: exact bytes', async () => {
    const alice = await suite.newPerson()
    const { requestLink, collectLink } = await makeRequest(alice, 'your SSH public key')
    const sent = await runCli(['respond', requestLink], { input: TRICKY })
    expect(sent.code, sent.stderr).toBe(0)
    expect(sent.stderr).toContain('Note from the requester: your SSH public key')
    await alice.goto(collectLink)
    await alice.click({ button: 'Collect the answer' })
    await alice.waitFor({ label: 'The answer' })
    expect(await alice.text({ label: 'The answer' })).toBe(TRICKY)
    expect(leaksIn(alice.requests(), [...keyForms(requestLink, collectLink), 'zq-7f3a9c-marker', 'SSH'])).toEqual([])
    await expectCleanPages(alice)
  })
})
