import { describe, expect, it } from 'vitest'
import { rateLimitKey } from '../src/plugins/rate-limit.ts'

const key = (ip: string, prefix = 64) => rateLimitKey(ip, prefix)

describe('rateLimitKey', () => {
  it('gives every address of one /64 the same key', () => {
    const network = [
      '2001:db8:1:2::1',
      '2001:db8:1:2:0:0:0:2',
      '2001:0db8:0001:0002:abcd:ef01:2345:6789',
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
    ]
    expect(new Set(network.map((ip) => key(ip))).size).toBe(1)
  })

  it('gives different /64s different keys, however close', () => {
    expect(key('2001:db8:1:2::1')).not.toBe(key('2001:db8:1:3::1'))
    expect(key('2001:db8:1:2:ffff:ffff:ffff:ffff')).not.toBe(key('2001:db8:1:3::'))
    expect(key('2001:db8:1:2::1')).not.toBe(key('2001:db9:1:2::1'))
  })

  it('follows the prefix setting', () => {
    expect(key('2001:db8:1:2::1', 48)).toBe(key('2001:db8:1:3::1', 48))
    expect(key('2001:db8:1:2::1', 48)).not.toBe(key('2001:db8:2:2::1', 48))
    expect(key('2001:db8:1:2::1', 128)).not.toBe(key('2001:db8:1:2::2', 128))
    // Not the same counter as the whole /64 the address sits in.
    expect(key('2001:db8:1:2::', 128)).not.toBe(key('2001:db8:1:2::', 64))
  })

  it('counts IPv4 per address, mapped into IPv6 or not', () => {
    expect(key('203.0.113.5')).not.toBe(key('203.0.113.6'))
    expect(key('::ffff:203.0.113.5')).toBe(key('203.0.113.5'))
    expect(key('::ffff:cb00:7105')).toBe(key('203.0.113.5'))
    // The /64 around a mapped address would hold the whole IPv4 internet.
    expect(key('::ffff:203.0.113.5')).not.toBe(key('::ffff:198.51.100.7'))
  })

  it('counts loopback like any other address', () => {
    expect(key('::1')).toBe(key('::2'))
    expect(key('::1')).not.toBe(key('127.0.0.1'))
  })

  it('never holds the address itself, and still keys what it cannot parse', () => {
    for (const ip of ['203.0.113.5', '2001:db8:1:2::1', 'unknown']) {
      expect(key(ip)).toMatch(/^[\w-]{16}$/)
      expect(key(ip)).not.toContain(ip)
    }
    expect(key('unknown')).not.toBe(key('also unknown'))
  })
})
