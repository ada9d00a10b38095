import { describe, expect, it } from 'vitest'
import { toCsv } from './csv.ts'

describe('toCsv', () => {
  it('joins cells with commas and ends every line with CRLF', () => {
    expect(
      toCsv([
        ['label', 'link'],
        ['Ann', 'https://b.example/s#1.abc'],
      ]),
    ).toBe('label,link\r\nAnn,https://b.example/s#1.abc\r\n')
  })

  it('quotes cells holding a comma, a quote or a line break, and doubles the quotes (RFC 4180)', () => {
    expect(toCsv([['a,b', 'say "hi"', 'two\nlines', 'cr\rhere']])).toBe(
      '"a,b","say ""hi""","two\nlines","cr\rhere"\r\n',
    )
  })

  it.each([
    ['=1+1', `'=1+1\r\n`],
    ['+1', `'+1\r\n`],
    ['-1', `'-1\r\n`],
    ['@SUM(A1)', `'@SUM(A1)\r\n`],
    ['\tx', `'\tx\r\n`],
    ['\rx', `"'\rx"\r\n`],
  ])('puts a quote before %j so a spreadsheet shows it rather than running it', (cell, line) => {
    expect(toCsv([[cell]])).toBe(line)
  })

  it('escapes a formula and then quotes it when it also holds quotes and commas', () => {
    expect(toCsv([['=HYPERLINK("https://evil.example","open")']])).toBe(
      `"'=HYPERLINK(""https://evil.example"",""open"")"\r\n`,
    )
  })

  it('leaves a cell alone when the formula characters are not at its start', () => {
    expect(toCsv([['Ann = Bob', 'a-b', 'x@y']])).toBe('Ann = Bob,a-b,x@y\r\n')
  })

  it('keeps empty cells as empty fields', () => {
    expect(toCsv([['', 'b', '']])).toBe(',b,\r\n')
  })
})
