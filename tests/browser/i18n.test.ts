/**
 * The app in the visitor's language (issue 15): German from the browser's languages, Arabic
 * from the header's menu, right to left and remembered, under the production CSP with a clean
 * console. With SCREENSHOTS=1 the German and Arabic screenshots are written to docs/.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { expectClean, hasChromium, newPerson, seedSecret, useBrowserSuite, type Person } from '../helpers/browser.ts'

const SHOTS = process.env.SCREENSHOTS
  ? fileURLToPath(new URL('../../docs', import.meta.url))
  : mkdtempSync(join(tmpdir(), 'burnlink-shots-'))

/** A person whose browser asks for these languages, before any page script runs. */
async function speaking(person: Person, languages: string[]): Promise<Person> {
  await person.context.addInitScript((list) => {
    Object.defineProperty(navigator, 'languages', { get: () => list })
    Object.defineProperty(navigator, 'language', { get: () => list[0] })
  }, languages)
  return person
}

const html = (page: Page) =>
  page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }))

describe.runIf(hasChromium())('languages', () => {
  const suite = useBrowserSuite()

  it('speaks German to a browser that asks for it, and creates a link in German', async () => {
    const person = await speaking(await newPerson(suite.browser, { width: 900 }), ['de-DE', 'de', 'en'])
    const { page } = person
    await page.goto(`${suite.url}/`)
    await page.getByRole('heading', { name: 'Ein Geheimnis teilen' }).waitFor()
    expect(await html(page)).toEqual({ lang: 'de', dir: 'ltr' })
    await expect.poll(() => page.title()).toBe('Geheimnis erstellen · burnlink')
    // Not yet typed: the disabled button says why, in German.
    await page.getByText('Gib zuerst ein Geheimnis ein.').waitFor()
    await page.getByLabel('Geheimnis', { exact: true }).fill('Das WLAN-Passwort ist 7rK-wq9L-Zm2p')
    await page.getByLabel('1 Stunde').check()
    await page.getByRole('button', { name: 'Link erstellen' }).click()
    await page.getByText('Dein Geheimnis-Link ist bereit').waitFor()
    await page.getByText(/Er kann einmal geöffnet werden und läuft ab in (59 Minuten|1 Stunde)/).waitFor()
    await page.screenshot({ path: join(SHOTS, 'screenshot-create-de.png'), fullPage: true })
    expectClean(person)
  })

  it('reveals in German, with German words for what went wrong', async () => {
    const seeded = await seedSecret(suite.url, { text: 'Server: db-3\nPasswort: h4Q!x9-vLp2-RRt7', maxViews: 2 })
    const person = await speaking(await newPerson(suite.browser, { width: 900 }), ['de'])
    const { page } = person
    await page.goto(seeded.link)
    await page.getByText('Jemand hat dir ein Geheimnis geschickt').waitFor()
    await page.getByText('Es kann noch zweimal angesehen werden.').waitFor()
    await page.getByRole('button', { name: 'Geheimnis anzeigen' }).click()
    await page.getByText('Es kann noch einmal angesehen werden, bevor es gelöscht wird.').waitFor()
    await page.screenshot({ path: join(SHOTS, 'screenshot-reveal-de.png'), fullPage: true })

    await page.getByRole('button', { name: 'Jetzt vernichten' }).click()
    await page.getByRole('button', { name: 'Ja, vernichten' }).click()
    await page.getByText('Du hast es vernichtet').waitFor()
    expectClean(person)
    // Opened again: the server's 410 is an expected state, which Chromium logs as a failed load anyway.
    await page.goto(seeded.link)
    await page.getByRole('heading', { name: 'Dieses Geheimnis wurde vernichtet' }).waitFor()
  })

  it('switches to Arabic from the menu: right to left, kept across a reload, and only the choice is stored', async () => {
    const person = await newPerson(suite.browser, { width: 900 })
    const { page } = person
    await page.goto(`${suite.url}/`)
    await page.getByRole('heading', { name: 'Share a secret' }).waitFor()
    expect(await html(page)).toEqual({ lang: 'en', dir: '' })
    // By keyboard, as anyone without a mouse would.
    await page.getByRole('combobox', { name: 'Language' }).focus()
    await page.getByRole('combobox', { name: 'Language' }).selectOption('ar')
    await page.getByRole('heading', { name: 'شارك سرًا' }).waitFor()
    expect(await html(page)).toEqual({ lang: 'ar', dir: 'rtl' })
    await expect.poll(() => page.title()).toBe('إنشاء سر · burnlink')
    expect(await page.evaluate(() => ({ ...localStorage }))).toEqual({ 'burnlink.locale.v1': 'ar' })

    await page.reload()
    await page.getByRole('heading', { name: 'شارك سرًا' }).waitFor()
    expect(await html(page)).toEqual({ lang: 'ar', dir: 'rtl' })
    // Mirrored: the navigation sits at the left end of the header, the brand at the right.
    const brand = await page.getByRole('link', { name: 'burnlink' }).boundingBox()
    const nav = await page.getByRole('navigation').boundingBox()
    expect(brand!.x).toBeGreaterThan(nav!.x)
    await page.getByLabel('السر', { exact: true }).fill('كلمة مرور الشبكة: 7rK-wq9L-Zm2p')
    await page.getByRole('button', { name: 'إنشاء رابط' }).click()
    await page.getByText('رابط سرّك جاهز').waitFor()
    await page.screenshot({ path: join(SHOTS, 'screenshot-create-ar.png'), fullPage: true })
    expectClean(person)
  })

  it('reveals in Arabic when that is the saved choice', async () => {
    const seeded = await seedSecret(suite.url, { text: 'Wi-Fi: burnlink-guest\nPassword: 7rK-wq9L-Zm2p-Xc4V' })
    const person = await speaking(await newPerson(suite.browser, { width: 900 }), ['de'])
    await person.context.addInitScript(() => localStorage.setItem('burnlink.locale.v1', 'ar'))
    const { page } = person
    await page.goto(seeded.link)
    await page.getByText('أرسل إليك أحدهم سرًا').waitFor()
    await page.getByRole('button', { name: 'كشف السر' }).click()
    await page.getByText('زال هذا السر الآن').waitFor()
    expect(await html(page)).toEqual({ lang: 'ar', dir: 'rtl' })
    await page.screenshot({ path: join(SHOTS, 'screenshot-reveal-ar.png'), fullPage: true })
    expectClean(person)
  })

  // Each lazy view's words come with the view (web/src/lib/message-groups.ts): a language chosen
  // on a view must bring that view's words too, and a view opened later its own.
  it('switches a lazy view to German in place, and opens the next view in German', async () => {
    const seeded = await seedSecret(suite.url)
    const person = await newPerson(suite.browser, { width: 900 })
    const { page } = person
    await page.goto(`${suite.url}/links`)
    await page.getByRole('heading', { name: 'No links in this browser yet' }).waitFor()
    await page.getByRole('combobox', { name: 'Language' }).selectOption('de')
    await page.getByRole('heading', { name: 'Noch keine Links in diesem Browser' }).waitFor()
    await page.goto(seeded.manageLink)
    await expect.poll(() => page.title()).toBe('Geheimnis verwalten · burnlink')
    await page.getByRole('heading', { name: 'Ein Geheimnis verwalten' }).waitFor()
    await page.getByRole('button', { name: 'Geheimnis vernichten…' }).waitFor()
    expectClean(person)
  })
})
