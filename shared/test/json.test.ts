import { describe, expect, it } from 'vitest'
import { parseJson } from '@burnlink/shared'

describe('parseJson', () => {
  it('parses JSON', () => {
    expect(parseJson('{"links":[1,"a",null]}')).toEqual({ links: [1, 'a', null] })
    expect(parseJson(' false ')).toBe(false)
  })

  it.each(['', '<html>oops</html>', '{"a":', 'undefined', '\u00a0'])('gives undefined for %j', (text) => {
    expect(parseJson(text)).toBeUndefined()
  })
})
