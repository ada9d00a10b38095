import { describe, expect, it } from 'vitest'
import { escapeControls } from '../src/io.ts'

describe('escapeControls', () => {
  it('leaves text as it is: line breaks, tabs, a BOM, joiners, combining marks and RTL marks', () => {
    const text =
      '\uFEFFcaf\u00e9 cafe\u0301\r\n\t\u{1F468}\u200D\u{1F469}\u200D\u{1F467} \u05e9\u05dc\u05d5\u05dd\u200f a\\x1b\n'
    expect(escapeControls(text)).toBe(text)
  })

  it.each([
    ['NUL', '\u0000', '\\x00'],
    ['BEL', '\u0007', '\\x07'],
    ['vertical tab', '\u000b', '\\x0b'],
    ['form feed', '\u000c', '\\x0c'],
    ['ESC', '\u001b', '\\x1b'],
    ['unit separator', '\u001f', '\\x1f'],
    ['DEL', '\u007f', '\\x7f'],
    ['C1 padding character', '\u0080', '\\x80'],
    ['C1 CSI', '\u009b', '\\x9b'],
    ['C1 APC', '\u009f', '\\x9f'],
    ['left-to-right embedding', '\u202a', '\\u202a'],
    ['right-to-left override', '\u202e', '\\u202e'],
    ['left-to-right isolate', '\u2066', '\\u2066'],
    ['pop directional isolate', '\u2069', '\\u2069'],
    ['a carriage return not before a line feed', '\r', '\\r'],
  ])('shows %s escaped', (_, c, shown) => {
    expect(escapeControls(`a${c}b`)).toBe(`a${shown}b`)
  })

  it('escapes a carriage return at the very end and each one of a pair', () => {
    expect(escapeControls('a\r')).toBe('a\\r')
    expect(escapeControls('a\r\r\n')).toBe('a\\r\r\n')
  })
})
