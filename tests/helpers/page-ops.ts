/**
 * What the engine drivers do inside the page, the same code in every engine: find an element
 * the way a person names it on screen, read it, or change it as a paste would. WebDriver's
 * typing drops emoji and newlines, so values are set and announced with an `input` event, as
 * the browser does for a paste. `pageOp` is sent as source text, so it must not refer to
 * anything outside itself.
 */

interface Scope {
  /** A CSS selector the element must be inside. */
  within?: string
}

/** An element as a person finds it: by its label, its role and accessible name, its text, or CSS. */
export type Target = Scope &
  (
    | { css: string }
    /** A form control by its <label>, or any element by its aria-label or aria-labelledby. */
    | { label: string }
    | { button: string }
    | { link: string }
    | { heading: string }
    | { img: string }
    /** The innermost elements whose text contains this (or is exactly this, with `exact`). */
    | { text: string; exact?: boolean }
  )

export interface FileSpec {
  name: string
  type: string
  content: string
}

export type PageRequest =
  | { op: 'probe'; target: Target }
  /** The one element (for checkboxes and radios, its label, which a person clicks). */
  | { op: 'element'; target: Target; preferLabel?: boolean }
  | { op: 'read'; target: Target; attribute?: string }
  | { op: 'fill'; target: Target; value: string }
  | { op: 'select'; target: Target; value: string }
  | { op: 'setFiles'; target: Target; files: FileSpec[] }
  | { op: 'where' }

export interface Probe {
  count: number
  enabled: boolean
}

export interface ElementState {
  /** textContent as it is, white space and all. */
  text: string
  value: string | null
  checked: boolean | null
  disabled: boolean
  attribute: string | null
}

export function pageOp(request: PageRequest): unknown {
  const normalize = (s: string | null | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim()
  const textOf = (el: Element): string => normalize(el.textContent)
  const visible = (el: Element): boolean =>
    el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'
  const labelOf = (el: Element): string => {
    const aria = el.getAttribute('aria-label')
    if (aria) return normalize(aria)
    const ids = el.getAttribute('aria-labelledby')
    if (ids)
      return normalize(
        ids
          .split(/\s+/)
          .map((id) => document.getElementById(id)?.textContent ?? '')
          .join(' '),
      )
    const labels = (el as HTMLInputElement).labels
    return labels && labels.length > 0 ? textOf(labels[0]!) : ''
  }
  const nameOf = (el: Element): string => {
    const label = labelOf(el)
    if (label) return label
    if (el instanceof HTMLInputElement) return normalize(el.value)
    if (el instanceof HTMLImageElement) return normalize(el.alt)
    return textOf(el)
  }
  const ROLES: Record<string, string> = {
    label: 'input, textarea, select, [aria-label], [aria-labelledby]',
    button: 'button, input[type=button], input[type=submit], input[type=reset], [role=button]',
    link: 'a[href], [role=link]',
    heading: 'h1, h2, h3, h4, h5, h6, [role=heading]',
    img: 'img, [role=img]',
  }

  const matches = (target: Target): Element[] => {
    const scopes = target.within ? Array.from(document.querySelectorAll(target.within)) : [document.documentElement]
    const inScope = (selector: string) => scopes.flatMap((s) => Array.from(s.querySelectorAll(selector)))
    let found: Element[]
    if ('css' in target) found = inScope(target.css)
    else if ('text' in target) {
      const hit = (el: Element) => (target.exact ? textOf(el) === target.text : textOf(el).includes(target.text))
      // Innermost only: the <p> that says it, not every ancestor that contains the <p>.
      found = inScope('body, body *:not(script, style, template)').filter(
        (el) => hit(el) && !Array.from(el.children).some((child) => hit(child)),
      )
    } else {
      const role = Object.keys(ROLES).find((r) => r in target)!
      const name = (target as unknown as Record<string, string>)[role]
      found = inScope(ROLES[role]!).filter((el) => (role === 'label' ? labelOf(el) : nameOf(el)) === name)
    }
    return [...new Set(found)].filter(visible)
  }
  const describe = (target: Target): string => JSON.stringify(target)
  const one = (target: Target): Element => {
    const found = matches(target)
    if (found.length !== 1) throw new Error(`${found.length} elements match ${describe(target)}`)
    return found[0]!
  }
  const announce = (el: Element, data: string | null) => {
    el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste', data }))
    el.dispatchEvent(new Event('change', { bubbles: true }))
  }
  /** The prototype's setter: Vue and other frameworks watch the events, not the property. */
  const setValue = (el: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, value: string) => {
    const proto = Object.getPrototypeOf(el) as object
    Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(el, value)
  }

  switch (request.op) {
    case 'probe': {
      const found = matches(request.target)
      const enabled = found.length === 1 && !found[0]!.matches(':disabled, [aria-disabled=true]')
      return { count: found.length, enabled } satisfies Probe
    }
    case 'element': {
      const el = one(request.target)
      if (request.preferLabel && el instanceof HTMLInputElement && el.labels && el.labels.length > 0)
        return el.labels[0]
      return el
    }
    case 'read': {
      const el = one(request.target)
      const field = el as Partial<HTMLInputElement>
      return {
        text: el.textContent ?? '',
        value: typeof field.value === 'string' ? field.value : null,
        checked: typeof field.checked === 'boolean' ? field.checked : null,
        disabled: el.matches(':disabled, [aria-disabled=true]'),
        attribute: request.attribute ? el.getAttribute(request.attribute) : null,
      } satisfies ElementState
    }
    case 'fill': {
      const el = one(request.target)
      if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement))
        throw new Error(`${describe(request.target)} is not a text field`)
      el.focus()
      setValue(el, request.value)
      announce(el, request.value)
      return null
    }
    case 'select': {
      const el = one(request.target)
      if (!(el instanceof HTMLSelectElement)) throw new Error(`${describe(request.target)} is not a select`)
      if (!Array.from(el.options).some((o) => o.value === request.value))
        throw new Error(`${describe(request.target)} has no option ${request.value}`)
      setValue(el, request.value)
      announce(el, null)
      return null
    }
    case 'setFiles': {
      const el = one(request.target)
      if (!(el instanceof HTMLInputElement) || el.type !== 'file')
        throw new Error(`${describe(request.target)} is not a file input`)
      const transfer = new DataTransfer()
      for (const f of request.files) transfer.items.add(new File([f.content], f.name, { type: f.type }))
      el.files = transfer.files
      announce(el, null)
      return null
    }
    case 'where':
      return `${location.href}: ${normalize(document.body?.innerText).slice(0, 400)}`
  }
}
