/**
 * Issue 11 §4, protocol.md §5.1: the page refuses, showing nothing of it, content that
 * another holder of the link stored under it once the creator's record was gone (here the
 * creator's create never reached this server, which is what a lost record looks like).
 * A key of their own is refused on opening the link, before a view is used; the
 * creator's header replayed over other content is refused after the reveal, undecrypted.
 */
import { expect, it } from 'vitest'
import { createClient, decodeB64u, newSigningKey, parseSecretLink, PayloadType, prepareSecret } from '@burnlink/shared'
import { createRequestUnder, type Signer } from '../helpers/forge.ts'
import { describeEngines, expectCleanPages, useEngineSuite } from '../helpers/engines.ts'

const PHISHING = { type: PayloadType.redirect, text: 'https://phish.example/login' }
const TITLE = 'This secret was not made by the person who sent you the link'

/** A link whose creator's record is gone, and what a holder of it stored under it instead. */
async function recreated(origin: string, signer: (creatorHdr: Uint8Array) => Promise<Signer>): Promise<string> {
  const creator = await prepareSecret({
    type: PayloadType.redirect,
    text: 'https://bank.example/',
    ttl: 600,
    maxViews: 1,
    origin,
  })
  const request = await createRequestUnder(
    parseSecretLink(creator.link).k,
    PHISHING,
    await signer(decodeB64u(creator.request.hdr)),
  )
  await createClient({ baseUrl: origin }).create(request)
  return creator.link
}

describeEngines('content the link creator did not make', (engine) => {
  const suite = useEngineSuite(engine)

  it('is refused on opening when signed with another key, and after the reveal when it replays the header', async () => {
    const ownKey = await recreated(suite.url, () => newSigningKey())
    const bob = await suite.newPerson()
    await bob.goto(ownKey)
    await bob.waitFor({ heading: TITLE })
    expect(await bob.count({ button: 'Reveal secret' })).toBe(0)

    const replayed = await recreated(suite.url, async (hdr) => ({ hdr }))
    const carol = await suite.newPerson()
    await carol.goto(replayed)
    await carol.click({ button: 'Reveal secret' })
    await carol.waitFor({ heading: TITLE })
    for (const person of [bob, carol]) {
      expect(await person.count({ text: 'phish.example' })).toBe(0)
      expect(await person.url()).toBe(`${suite.url}/s`)
      await expectCleanPages(person)
    }
  })
})
