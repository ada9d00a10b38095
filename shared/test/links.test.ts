import { describe, expect, it } from 'vitest'
import {
  encodeB64u,
  manageLink,
  parseManageFragment,
  parseManageLink,
  parseSecretFragment,
  parseSecretLink,
  randomBytes,
  secretLink,
} from '@burnlink/shared'
import { rejection } from './vectors-runner.ts'

const k = randomBytes(32)
const key = encodeB64u(k)
const sid = encodeB64u(randomBytes(16))
const mt = encodeB64u(randomBytes(32))

describe('secret links', () => {
  it('puts only the version and key in the fragment, after a fixed path', () => {
    expect(secretLink('https://burn.example/', k)).toBe(`https://burn.example/s#1.${key}`)
  })

  it.each([`#1.${key}`, `1.${key}`])('parses the fragment %s', (hash) => {
    expect(parseSecretFragment(hash)).toEqual(k)
  })

  it.each([
    ['empty', ''],
    ['only #', '#'],
    ['version 2', `#2.${key}`],
    ['no version', `#${key}`],
    ['an extra field', `#1.${key}.x`],
    ['a short key', `#1.${encodeB64u(randomBytes(31))}`],
    ['a padded key', `#1.${key}=`],
    ['standard base64', `#1.${key.slice(0, -1)}+`],
    ['a key with a trailing space', `#1.${key} `],
  ])('refuses %s', async (_, hash) => {
    expect(await rejection(() => parseSecretFragment(hash))).toBe('link')
  })

  it('splits a pasted link into its base and key, keeping a path prefix', () => {
    expect(parseSecretLink(`https://burn.example/app/s#1.${key}`)).toEqual({ origin: 'https://burn.example/app', k })
    expect(parseSecretLink(`http://localhost:3000/s?utm=x#1.${key}`)).toEqual({ origin: 'http://localhost:3000', k })
  })

  it.each([
    ['not a URL', `s#1.${key}`],
    ['a manage link', `https://burn.example/r#1.${sid}.${mt}`],
    ['another scheme', `ftp://burn.example/s#1.${key}`],
    ['no fragment', 'https://burn.example/s'],
  ])('refuses a pasted link that is %s', async (_, url) => {
    expect(await rejection(() => parseSecretLink(url))).toBe('link')
  })
})

describe('manage links', () => {
  it('round-trips sid and mt', () => {
    const link = manageLink('https://burn.example', sid, mt)
    expect(link).toBe(`https://burn.example/r#1.${sid}.${mt}`)
    expect(parseManageLink(link)).toEqual({ origin: 'https://burn.example', sid, mt })
  })

  it.each([
    ['sid and mt swapped', `#1.${mt}.${sid}`],
    ['mt missing', `#1.${sid}`],
    ['a non-canonical sid', `#1.${sid.slice(0, -1)}B.${mt}`],
  ])('refuses %s', async (_, hash) => {
    expect(await rejection(() => parseManageFragment(hash))).toBe('link')
  })

  it('refuses to build a link from a malformed token', async () => {
    expect(await rejection(() => manageLink('https://burn.example', sid, `${mt}A`))).toBe('link')
  })
})
