import { describe, expect, it } from 'vitest'
import { numberedName, safeFileName } from '../src/filenames.ts'

describe('safeFileName', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['.env', '.env'],
    ['caf\u00e9 \u{1F511}.txt', 'caf\u00e9 \u{1F511}.txt'],
    ['../../etc/passwd', '____etc_passwd'],
    ['a/b', 'a_b'],
    ['a\\b', 'a_b'],
    ['..', '_'],
    ['.', 'file-3'],
    ['evil\u202etxt.exe', 'evil_txt.exe'],
    ['x\u2066y\u2069\u200f.txt', 'x_y__.txt'],
    ['\x1b]0;pwned\x07.sh', '_]0;pwned_.sh'],
    ['line\nbreak\r.txt', 'line_break_.txt'],
    ['c1\u009b.txt', 'c1_.txt'],
    ['CON', '_CON'],
    ['con.txt', '_con.txt'],
    ['Lpt9.tar.gz', '_Lpt9.tar.gz'],
    ['nul ', '_nul'],
    ['console.log', 'console.log'],
    ['trailing... ', 'trailing_'],
    ['-rf', '_rf'],
    ['what?<>:"|*.md', 'what_______.md'],
  ])('%j becomes %j', (name, safe) => {
    expect(safeFileName(name, 2)).toBe(safe)
  })

  it('caps a long name at 200 bytes on a code point boundary and keeps the extension', () => {
    const long = `${'\u{1F511}'.repeat(100)}.tar.gz`
    const safe = safeFileName(long, 0)
    expect(Buffer.byteLength(safe)).toBeLessThanOrEqual(200)
    expect(safe.endsWith('\u{1F511}.gz')).toBe(true)
    expect(safe).not.toContain('\ufffd')
    expect(safeFileName('a'.repeat(255), 0)).toBe('a'.repeat(200))
  })

  it('never leaves a separator, a dot-dot or a control in any name', () => {
    for (let c = 0; c < 0x3000; c++) {
      const safe = safeFileName(`..${String.fromCharCode(c)}../x`, 0)
      expect(safe).not.toMatch(/[/\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\.\./)
    }
  })
})

describe('numberedName', () => {
  it('numbers before the extension', () => {
    expect(numberedName('report.pdf', 1)).toBe('report (1).pdf')
    expect(numberedName('.env', 2)).toBe('.env (2)')
    expect(numberedName('Makefile', 3)).toBe('Makefile (3)')
  })
})
