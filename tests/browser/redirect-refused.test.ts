/**
 * Issue 11 §4: a redirect secret whose target the page refuses (javascript:, data:, a user
 * name or password, http on a server that allows only https, too long) gets a message of
 * its own, not "cannot be decrypted", and the page goes nowhere. The create form refuses
 * such targets, so these are sealed here with the shared functions, as a hostile or broken
 * client could.
 */
import { expect, it } from 'vitest'
import { createClient, PayloadType } from '@burnlink/shared'
import { signedSecret } from '../helpers/forge.ts'
import { describeEngines, expectCleanPages, useEngineSuite } from '../helpers/engines.ts'

const REFUSED = [
  'javascript:alert(document.domain)',
  'data:text/html,<script>alert(1)</script>',
  'https://user:pw@example.com/',
  'http://example.com/plain',
  `https://example.com/${'a'.repeat(2048)}`,
]

/** Stores a redirect secret whose target is `url`, sealed and signed as a client that skips the check would. */
async function seedRedirect(origin: string, url: string): Promise<string> {
  const { link, request } = await signedSecret(origin, { type: PayloadType.redirect, text: url })
  await createClient({ baseUrl: origin }).create(request)
  return link
}

describeEngines('a redirect target the page refuses', (engine) => {
  const suite = useEngineSuite(engine)

  it('says so in its own words and stays on the page', async () => {
    for (const url of REFUSED) {
      const link = await seedRedirect(suite.url, url)
      const bob = await suite.newPerson()
      await bob.goto(link)
      await bob.click({ button: 'Reveal secret' })
      await bob.waitFor({ heading: 'This link leads to an address this page refuses' })
      expect(await bob.count({ heading: 'This secret cannot be decrypted' })).toBe(0)
      expect(await bob.count({ text: 'Continue to' })).toBe(0)
      expect(await bob.url()).toBe(`${suite.url}/s`)
      await expectCleanPages(bob)
    }
  })
})
