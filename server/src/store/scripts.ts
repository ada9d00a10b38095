/**
 * The Lua scripts of the Redis store, one per operation (protocol.md §8). Each decides
 * everything inside Redis in one atomic step, on Redis' own clock (`TIME`), so any number
 * of servers can share one Redis without double releases or lost attempt counts.
 *
 * Keys, always in this order and in one hash slot:
 *   KEYS[1] `:c`  string  rv(32) ‖ hdrLen(1) ‖ hdr ‖ ct, expiring at expiresAt
 *   KEYS[2] `:m`  hash    av mv st br v mx f ca ea ed, expiring `retention` after expiresAt
 * Every secret-derived byte lives in `:c`, so ending a secret is one DEL and expiry needs
 * no script at all; `:m` then only has to be told (lazily) that the secret is over.
 *
 * Kept as string constants rather than .lua files so the bundle never reads files at run time.
 */
import { MAX_HEADER_BYTES } from '@burnlink/shared'

/** The size of rv (a SHA-256 digest), the first field of `:c`: redis-store.ts builds the value. */
export const RV_BYTES = 32

const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function finish(state, now, reason)
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'st', state, 'ed', now)
  if reason then redis.call('HSET', KEYS[2], 'br', reason) end
end

-- Nobody runs when a secret expires: the first script to look records it.
local function settle(st, ea, now)
  if st == 'active' and now >= tonumber(ea) then
    finish('expired', tonumber(ea))
    return 'expired'
  end
  return st
end

-- Only eviction or data loss removes :c early (hence noeviction); the secret is over either way.
local function lost(now)
  finish('expired', now)
  return {'gone', 'expired'}
end
`

/** ARGV: c value, av, mv, ttl ms, maxViews, retention ms. Returns expiresAt, or 0 when the sid is taken. */
const create = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local now = now_ms()
local ea = now + tonumber(ARGV[4])
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ea)
redis.call('HSET', KEYS[2], 'av', ARGV[2], 'mv', ARGV[3], 'st', 'active', 'v', 0, 'mx', ARGV[5], 'f', 0,
  'ca', now, 'ea', ea)
redis.call('PEXPIREAT', KEYS[2], ea + tonumber(ARGV[6]))
return ea
`

/** ARGV: av. Returns {'ok', hdr, viewsLeft, expiresAt} | {'gone', state} | {'not_found'}. Never writes except to settle. */
const meta = `
local m = redis.call('HMGET', KEYS[2], 'av', 'st', 'ea', 'v', 'mx')
if m[1] ~= ARGV[1] then return {'not_found'} end
local now = now_ms()
local st = settle(m[2], m[3], now)
if st ~= 'active' then return {'gone', st} end
local head = redis.call('GETRANGE', KEYS[1], ${RV_BYTES}, ${RV_BYTES + MAX_HEADER_BYTES})
if head == '' then return lost(now) end
return {'ok', string.sub(head, 2, 1 + string.byte(head, 1)), tonumber(m[5]) - tonumber(m[4]), tonumber(m[3])}
`

/**
 * ARGV: av, rv, maxFailedAttempts. Returns {'ok', ct, viewsLeft} | {'wrong', attemptsLeft}
 * | {'gone', state} | {'not_found'}.
 */
const reveal = `
local m = redis.call('HMGET', KEYS[2], 'av', 'st', 'ea', 'mx')
if m[1] ~= ARGV[1] then return {'not_found'} end
local now = now_ms()
local st = settle(m[2], m[3], now)
if st ~= 'active' then return {'gone', st} end
local c = redis.call('GET', KEYS[1])
if not c then return lost(now) end
if string.sub(c, 1, ${RV_BYTES}) ~= ARGV[2] then
  local left = tonumber(ARGV[3]) - redis.call('HINCRBY', KEYS[2], 'f', 1)
  if left > 0 then return {'wrong', left} end
  finish('burned', now, 'attempts')
  return {'wrong', 0}
end
local left = tonumber(m[4]) - redis.call('HINCRBY', KEYS[2], 'v', 1)
if left <= 0 then finish('viewed', now) end
return {'ok', string.sub(c, ${RV_BYTES + 2} + string.byte(c, ${RV_BYTES + 1})), left}
`

/** ARGV: mv. Returns {st, br, v, mx, f, ca, ea, ed} (absent br and ed as nil), or nil. */
const status = `
local m = redis.call('HMGET', KEYS[2], 'mv', 'st', 'br', 'v', 'mx', 'f', 'ca', 'ea', 'ed')
if m[1] ~= ARGV[1] then return nil end
local st = settle(m[2], m[8], now_ms())
local ed = m[9]
if st ~= m[2] then ed = m[8] end
-- false (not nil) keeps the reply array whole.
return {st, m[3], tonumber(m[4]), tonumber(m[5]), tonumber(m[6]), tonumber(m[7]), tonumber(m[8]), ed and tonumber(ed) or false}
`

/** ARGV: 'mv' or 'av', the verifier, the burn reason. Returns {'burned'} | {'gone', state} | {'not_found'}. */
const burn = `
local m = redis.call('HMGET', KEYS[2], ARGV[1], 'st', 'ea')
if m[1] ~= ARGV[2] then return {'not_found'} end
local now = now_ms()
local st = settle(m[2], m[3], now)
if st ~= 'active' then return {'gone', st} end
finish('burned', now, ARGV[3])
return {'burned'}
`

/**
 * Scripts that only read or shrink a secret run even when Redis is at maxmemory: with
 * noeviction a full Redis refuses every write, and reveals and burns are what free memory.
 * Create alone keeps Redis' refusal (a 503), so a full Redis never takes new secrets.
 */
const MAY_RUN_WHEN_FULL = '#!lua flags=allow-oom\n'

export const SCRIPTS = {
  burnlinkCreate: PRELUDE + create,
  burnlinkMeta: MAY_RUN_WHEN_FULL + PRELUDE + meta,
  burnlinkReveal: MAY_RUN_WHEN_FULL + PRELUDE + reveal,
  burnlinkStatus: MAY_RUN_WHEN_FULL + PRELUDE + status,
  burnlinkBurn: MAY_RUN_WHEN_FULL + PRELUDE + burn,
} as const

export type ScriptName = keyof typeof SCRIPTS
