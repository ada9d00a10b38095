/**
 * Keyboard only: a person who never touches a mouse can create a secret and reveal one,
 * and focus lands where the news is.
 */
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { hasChromium, newPerson, useBrowserSuite } from '../helpers/browser.ts'

/** Presses Tab until the focused element matches, as a keyboard user would. */
async function tabTo(page: Page, accessibleName: string): Promise<void> {
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press('Tab')
    const name = await page.evaluate(() => {
      const el = document.activeElement as HTMLInputElement | null
      return el?.getAttribute('aria-label') ?? (el?.labels?.[0]?.textContent || el?.textContent || '').trim()
    })
    if (name === accessibleName) return
  }
  throw new Error(`Tab never reached "${accessibleName}"`)
}

async function focusedText(page: Page): Promise<string> {
  return page.evaluate(() => document.activeElement?.textContent?.trim() ?? '')
}

describe.runIf(hasChromium())('keyboard-only use', () => {
  const suite = useBrowserSuite()

  it('creates and reveals a secret with Tab, arrows, typing and Enter', async () => {
    const { page } = await newPerson(suite.browser)
    await page.goto(`${suite.url}/`)
    await tabTo(page, 'Secret')
    await page.keyboard.type('typed, never clicked')
    await tabTo(page, '1 day')
    // Arrow keys move within the radio group, as in any native form.
    await page.keyboard.press('ArrowLeft')
    expect(await page.getByLabel('1 hour').isChecked()).toBe(true)
    await tabTo(page, 'Create link')
    await page.keyboard.press('Enter')
    await page.getByText('Your secret link is ready').waitFor()
    expect(await focusedText(page)).toBe('Your secret link is ready')
    const link = await page.getByLabel('Secret link', { exact: true }).inputValue()

    await page.goto(link)
    await page.getByRole('button', { name: 'Reveal secret' }).waitFor()
    await tabTo(page, 'Reveal secret')
    await page.keyboard.press('Enter')
    await page.getByText('This secret is now gone').waitFor()
    expect(await focusedText(page)).toBe('The secret')
    expect(await page.getByLabel('Secret text').textContent()).toBe('typed, never clicked')
  })
})
