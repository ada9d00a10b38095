/**
 * The Lua scripts of the Redis request store, one per operation (protocol.md §12.6), each
 * deciding everything inside Redis on Redis' own clock, like the secrets' scripts.
 *
 * Keys, always in this order and in one hash slot:
 *   KEYS[1] `:a`  string  epk(65) ‖ ans, the one answer, expiring at ea (or a claim's deadline)
 *   KEYS[2] `:m`  hash    qv cv pub nt st ca ea aa ed, and one `k<claim digest>` once
 *                         collected with a claim; expiring `retention` after ea
 * `pub` and `nt` go when the request ends, `:a` when nobody can collect it any more.
 */

const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- A request that ends keeps only verifiers, state and times; a burn or an expiry drops the
-- answer too (an expiry needs no claim window: nobody was given the answer).
local function finish(state, ed)
  redis.call('DEL', KEYS[1])
  redis.call('HDEL', KEYS[2], 'pub', 'nt')
  redis.call('HSET', KEYS[2], 'st', state, 'ed', ed)
end

-- Nobody runs when a request expires: the first script to look records it.
local function settle(st, ea, now)
  if (st == 'pending' or st == 'answered') and now >= tonumber(ea) then
    finish('expired', tonumber(ea))
    return 'expired'
  end
  return st
end
`

/** ARGV: pub, note ('' for none), qv, cv, ttl ms, retention ms. Returns expiresAt, or 0 when the rid is taken. */
const create = `
local now = now_ms()
local m = redis.call('HMGET', KEYS[2], 'st', 'ea', 'ca', 'qv', 'cv', 'pub', 'nt')
if m[1] then
  local same = m[1] == 'pending' and now < tonumber(m[2]) and m[4] == ARGV[3] and m[5] == ARGV[4]
    and m[6] == ARGV[1] and (m[7] or '') == ARGV[2] and tonumber(m[2]) - tonumber(m[3]) == tonumber(ARGV[5])
  if same then return tonumber(m[2]) end
  return 0
end
local ea = now + tonumber(ARGV[5])
redis.call('HSET', KEYS[2], 'qv', ARGV[3], 'cv', ARGV[4], 'pub', ARGV[1], 'st', 'pending', 'ca', now, 'ea', ea)
if ARGV[2] ~= '' then redis.call('HSET', KEYS[2], 'nt', ARGV[2]) end
redis.call('PEXPIREAT', KEYS[2], ea + tonumber(ARGV[6]))
return ea
`

/** ARGV: qv. Returns {'ok', pub, note or false, ea} | {'already_answered'} | {'gone', state} | {'not_found'}. */
const open = `
local m = redis.call('HMGET', KEYS[2], 'st', 'ea', 'qv', 'pub', 'nt')
if not m[1] or m[3] ~= ARGV[1] then return {'not_found'} end
local st = settle(m[1], m[2], now_ms())
if st == 'pending' then return {'ok', m[4], m[5] or false, tonumber(m[2])} end
if st == 'answered' or st == 'collected' then return {'already_answered'} end
return {'gone', st}
`

/** ARGV: qv, epk ‖ ans. Returns {'answered'} | {'already_answered'} | {'gone', state} | {'not_found'}. */
const answer = `
local m = redis.call('HMGET', KEYS[2], 'st', 'ea', 'qv')
if not m[1] or m[3] ~= ARGV[1] then return {'not_found'} end
local now = now_ms()
local st = settle(m[1], m[2], now)
if st == 'pending' then
  redis.call('SET', KEYS[1], ARGV[2], 'PXAT', tonumber(m[2]))
  redis.call('HSET', KEYS[2], 'st', 'answered', 'aa', now)
  return {'answered'}
end
-- The same bytes again: its sender retrying after a lost answer, not a second responder.
if st == 'answered' and redis.call('GET', KEYS[1]) == ARGV[2] then return {'answered'} end
if st == 'answered' or st == 'collected' then return {'already_answered'} end
return {'gone', st}
`

/**
 * ARGV: cv, claim digest ('' without a claim), retry window ms. Returns {'ok', epk ‖ ans} |
 * {'not_answered'} | {'gone', state} | {'not_found'}.
 */
const collect = `
local m = redis.call('HMGET', KEYS[2], 'st', 'ea', 'cv')
if not m[1] or m[3] ~= ARGV[1] then return {'not_found'} end
local now = now_ms()
local st = settle(m[1], m[2], now)
local claim = ARGV[2] ~= '' and ('k' .. ARGV[2]) or nil
if claim and st == 'collected' then
  -- The claimant asking again for the answer it was given.
  local deadline = redis.call('HGET', KEYS[2], claim)
  local a = deadline and now < tonumber(deadline) and redis.call('GET', KEYS[1])
  if a then
    redis.call('HSET', KEYS[2], claim, deadline)
    return {'ok', a}
  end
end
if st == 'pending' then return {'not_answered'} end
if st ~= 'answered' then return {'gone', st} end
local a = redis.call('GET', KEYS[1])
if not a then
  -- Only eviction or data loss removes :a early.
  finish('expired', now)
  return {'gone', 'expired'}
end
redis.call('HDEL', KEYS[2], 'pub', 'nt')
redis.call('HSET', KEYS[2], 'st', 'collected', 'ed', now)
if claim then
  local deadline = now + tonumber(ARGV[3])
  redis.call('HSET', KEYS[2], claim, deadline)
  redis.call('PEXPIREAT', KEYS[1], deadline)
  redis.call('PEXPIREAT', KEYS[2], deadline, 'GT')
else
  redis.call('DEL', KEYS[1])
end
return {'ok', a}
`

/** ARGV: cv, claim digest. Returns 1 (also for an unknown claim), or 0 for a wrong cv or an unknown rid. */
const ack = `
local m = redis.call('HMGET', KEYS[2], 'st', 'cv')
if not m[1] or m[2] ~= ARGV[1] then return 0 end
if redis.call('HDEL', KEYS[2], 'k' .. ARGV[2]) == 1 then redis.call('DEL', KEYS[1]) end
return 1
`

/** ARGV: cv. Returns {st, ca, ea, aa or false, ed or false}, or nil for a wrong cv or an unknown rid. */
const status = `
local m = redis.call('HMGET', KEYS[2], 'st', 'ea', 'cv', 'ca', 'aa')
if not m[1] or m[3] ~= ARGV[1] then return nil end
local st = settle(m[1], m[2], now_ms())
return {st, tonumber(m[4]), tonumber(m[2]), m[5] and tonumber(m[5]) or false,
  tonumber(redis.call('HGET', KEYS[2], 'ed')) or false}
`

/** ARGV: cv. Returns {'burned'} | {'gone', state} | {'not_found'}. */
const burn = `
local m = redis.call('HMGET', KEYS[2], 'st', 'ea', 'cv')
if not m[1] or m[3] ~= ARGV[1] then return {'not_found'} end
local now = now_ms()
local st = settle(m[1], m[2], now)
if st ~= 'pending' and st ~= 'answered' then return {'gone', st} end
finish('burned', now)
return {'burned'}
`

export const REQUEST_SCRIPTS = {
  burnlinkRequestCreate: PRELUDE + create,
  burnlinkRequestOpen: PRELUDE + open,
  burnlinkRequestAnswer: PRELUDE + answer,
  burnlinkRequestCollect: PRELUDE + collect,
  burnlinkRequestAck: ack,
  burnlinkRequestStatus: PRELUDE + status,
  burnlinkRequestBurn: PRELUDE + burn,
} as const

export type RequestScriptName = keyof typeof REQUEST_SCRIPTS
