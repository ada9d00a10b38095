/**
 * The Lua scripts of the Redis store, one per operation (protocol.md §8). Each decides
 * everything inside Redis in one atomic step, on Redis' own clock (`TIME`), so any number
 * of servers can share one Redis without double releases or lost attempt counts.
 *
 * Keys, always in this order and in one hash slot:
 *   KEYS[1] `:c`  string  rv(32) ‖ hdrLen(1) ‖ hdr ‖ ct, expiring at expiresAt; a file
 *                         secret's then ‖ fsig from its commit, when it carried one
 *   KEYS[2] `:m`  hash    av mv st br v mx f ca ea ed, and one `k<claim digest>` per
 *                         claimed view; expiring `retention` after expiresAt. A file
 *                         secret adds uv bid fl (chunks per file, "n0,n1,…") fb (padded
 *                         bytes) fs (stored bytes per file, "b0,b1,…") ud (upload deadline) tt (ttl ms) un (chunks recorded),
 *                         from the commit fg (its fsig's length in :c, if any) and,
 *                         while uploading (st = 'uploading', both keys expiring at ud), one
 *                         `p<file>.<chunk>` per recorded chunk.
 *   KEYS[3] `:e`  string  the creator's timeline, 5-byte records (timeline.ts), made by the
 *                         first event and expiring with `:m`; declared only by the scripts in
 *                         TIMELINE_SCRIPTS, no other touches it.
 * Every secret-derived byte lives in `:c`, so ending a secret is one DEL (or one PEXPIREAT
 * while a claim may still fetch it again) and expiry needs no script at all; `:m` then
 * only has to be told (lazily) that the secret is over.
 *
 * Kept as string constants rather than .lua files so the bundle never reads files at run time.
 */
import { MAX_HEADER_BYTES } from '@burnlink/shared'
import { EVENT_BYTES, EVENT_CODES, TIMELINE_MAX_BYTES } from './timeline.ts'

/** The size of rv (a SHA-256 digest), the first field of `:c`: redis-store.ts builds the value. */
export const RV_BYTES = 32

const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- A file secret's :c ends in its fsig when the commit carried one; fg in :m is its length.
local function ct_of(c, fg)
  return string.sub(c, ${RV_BYTES + 2} + string.byte(c, ${RV_BYTES + 1}), #c - (tonumber(fg) or 0))
end

local function fsig_of(c, fg)
  return fg and string.sub(c, #c - tonumber(fg) + 1) or false
end

-- The latest deadline of a claim that may still fetch the ciphertext again, or nil. Claim
-- fields are 'k' and a 16-byte digest (no other field starts with 'k'), one per claimed
-- view, so this reads at most maxViews of them; a count of claims could not tell an open
-- claim from one whose window has passed.
local function claims_open_until(now)
  local latest
  local h = redis.call('HGETALL', KEYS[2])
  for i = 1, #h, 2 do
    if string.byte(h[i]) == 107 then
      local t = tonumber(h[i + 1])
      if t > now and (latest == nil or t > latest) then latest = t end
    end
  end
  return latest
end

-- :c stays until live_until (an active secret's expiry) or the last open claim's deadline,
-- whichever is later, and goes now when there is neither. A caller that knows that deadline
-- passes it as open_until (false: no claim is open) and spares the scan.
local function keep_content(now, live_until, open_until)
  local keep
  if open_until == nil then keep = claims_open_until(now) elseif open_until then keep = open_until end
  if live_until and (keep == nil or live_until > keep) then keep = live_until end
  if keep then redis.call('PEXPIREAT', KEYS[1], keep) else redis.call('DEL', KEYS[1]) end
end

-- A burn ends the claims too (the burner's intent wins); a last view or an expiry leaves
-- an open claim its retry. The end is recorded at ed, now unless given; open_until as
-- keep_content's.
local function finish(state, now, reason, ed, open_until)
  if state == 'burned' then redis.call('DEL', KEYS[1]) else keep_content(now, nil, open_until) end
  redis.call('HSET', KEYS[2], 'st', state, 'ed', ed or now)
  if reason then redis.call('HSET', KEYS[2], 'br', reason) end
end

-- Nobody runs when a secret expires: the first script to look records it.
local function settle(st, ea, now)
  if st == 'active' and now >= tonumber(ea) then
    finish('expired', now, nil, tonumber(ea))
    return 'expired'
  end
  return st
end

-- A file secret's chunks as the server names them: {bid, fl}, or nothing for a text secret.
local function chunks_of()
  local f = redis.call('HMGET', KEYS[2], 'bid', 'fl')
  if f[1] then return f[1], f[2] end
end

-- Adds to the creator's timeline (KEYS[3]): type, then seconds since ca as 4 bytes. Full
-- at ${TIMELINE_MAX_BYTES} bytes; an open right after an open in the same clock minute adds
-- nothing (timeline.ts recordable). Written whole with SET rather than APPEND: APPEND grows
-- a string to twice what it needs, which at the cap would cost a kilobyte for 500 bytes.
-- SET drops the expiry, and :e expires with :m, so it takes :m's expiry here, after any
-- change to that in the same script.
local function record(kind, now, ca)
  ca = tonumber(ca)
  local e = redis.call('GET', KEYS[3]) or ''
  if #e >= ${TIMELINE_MAX_BYTES} then return end
  local s = math.floor((now - ca) / 1000)
  if kind == ${EVENT_CODES.opened} and #e > 0 then
    local b1, b2, b3, b4, b5 = string.byte(e, #e - ${EVENT_BYTES - 1}, #e)
    local at = ca + 1000 * (((b2 * 256 + b3) * 256 + b4) * 256 + b5)
    if b1 == kind and math.floor(at / 60000) == math.floor((ca + 1000 * s) / 60000) then return end
  end
  redis.call('SET', KEYS[3], e .. string.char(kind, math.floor(s / 16777216) % 256, math.floor(s / 65536) % 256,
    math.floor(s / 256) % 256, s % 256), 'PXAT', redis.call('PEXPIRETIME', KEYS[2]))
end

-- Only eviction or data loss removes :c early (hence noeviction); the secret is over either way.
local function lost(now)
  finish('expired', now)
  return {'gone', 'expired'}
end
`

/**
 * ARGV: c value, av, mv, ttl ms, maxViews, retention ms. Returns expiresAt, or 0 when the
 * sid is taken. A create repeated after its answer was lost (the whole request identical:
 * the same :c value, verifiers, ttl and maxViews; the secret still active) gets the same
 * expiresAt again and changes nothing, so its 201 still means that what it sent is stored.
 */
const create = `
local m = redis.call('HMGET', KEYS[2], 'st', 'ea', 'av', 'mv', 'ca', 'mx')
if m[1] then
  if m[1] == 'uploading' then return 0 end
  local same = m[3] == ARGV[2] and m[4] == ARGV[3] and tonumber(m[2]) - tonumber(m[5]) == tonumber(ARGV[4])
    and m[6] == ARGV[5] and redis.call('GET', KEYS[1]) == ARGV[1]
  if same and settle(m[1], m[2], now_ms()) == 'active' then return tonumber(m[2]) end
  return 0
end
local now = now_ms()
local ea = now + tonumber(ARGV[4])
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ea)
redis.call('HSET', KEYS[2], 'av', ARGV[2], 'mv', ARGV[3], 'st', 'active', 'v', 0, 'mx', ARGV[5], 'f', 0,
  'ca', now, 'ea', ea)
redis.call('PEXPIREAT', KEYS[2], ea + tonumber(ARGV[6]))
return ea
`

/**
 * ARGV: av. Returns {'ok', hdr, viewsLeft, expiresAt, fileCount, fileBytes} (the last two
 * false for a text secret) | {'gone', state} | {'not_found'}. Writes only to settle and to
 * note the open in the timeline.
 */
const meta = `
local m = redis.call('HMGET', KEYS[2], 'av', 'st', 'ea', 'v', 'mx', 'fl', 'fb', 'ca')
if m[1] ~= ARGV[1] or m[2] == 'uploading' then return {'not_found'} end
local now = now_ms()
local st = settle(m[2], m[3], now)
if st ~= 'active' then return {'gone', st} end
local head = redis.call('GETRANGE', KEYS[1], ${RV_BYTES}, ${RV_BYTES + MAX_HEADER_BYTES})
if head == '' then return lost(now) end
record(${EVENT_CODES.opened}, now, m[8])
local count = m[6] and select(2, string.gsub(m[6], ',', ',')) + 1 or false
return {'ok', string.sub(head, 2, 1 + string.byte(head, 1)), tonumber(m[5]) - tonumber(m[4]), tonumber(m[3]),
  count, m[7] and tonumber(m[7]) or false}
`

/**
 * ARGV: av, rv, maxFailedAttempts, claim digest ('' without a claim), retry window ms,
 * download window ms (a file secret's claims get it instead of the retry window).
 * Returns {'ok', ct, viewsLeft, deadline, bid, fl, fg} | {'wrong', attemptsLeft, bid, fl} |
 * {'claim_required'} | {'gone', state} | {'not_found'}; deadline, bid, fl and fg (the
 * commit's fsig) only on a file secret (false otherwise). A file secret refuses a reveal
 * without a claim before its rev is checked: no attempt is spent.
 */
const reveal = `
-- bid beside fl: a file secret's chunks come with this one read.
local m = redis.call('HMGET', KEYS[2], 'av', 'st', 'ea', 'mx', 'v', 'fl', 'ca', 'fg', 'bid')
local bid, fl = m[9], m[6]
if m[1] ~= ARGV[1] or m[2] == 'uploading' then return {'not_found'} end
local claim = ARGV[4] ~= '' and ('k' .. ARGV[4]) or nil
if m[6] and not claim then return {'claim_required'} end
local now = now_ms()
local st = settle(m[2], m[3], now)
if claim then
  -- The claimant asking again for the view it was given: the same ciphertext, no new view.
  local deadline = redis.call('HGET', KEYS[2], claim)
  local c = deadline and now < tonumber(deadline) and redis.call('GET', KEYS[1])
  if c and string.sub(c, 1, ${RV_BYTES}) == ARGV[2] then
    -- Written again, unchanged, so that durable mode's WAITAOF on this connection also
    -- covers the release this repeats, which another connection may have written.
    redis.call('HSET', KEYS[2], claim, deadline)
    return {'ok', ct_of(c, m[8]), st == 'active' and tonumber(m[4]) - tonumber(m[5]) or 0,
      bid and tonumber(deadline) or false, bid or false, fl or false, fsig_of(c, m[8])}
  end
end
if st ~= 'active' then return {'gone', st} end
local c = redis.call('GET', KEYS[1])
if not c then return lost(now) end
if string.sub(c, 1, ${RV_BYTES}) ~= ARGV[2] then
  local left = tonumber(ARGV[3]) - redis.call('HINCRBY', KEYS[2], 'f', 1)
  record(${EVENT_CODES.wrong_passphrase}, now, m[7])
  if left > 0 then return {'wrong', left} end
  finish('burned', now, 'attempts')
  return {'wrong', 0, bid or false, fl or false}
end
local views = redis.call('HINCRBY', KEYS[2], 'v', 1)
local left = tonumber(m[4]) - views
local deadline = false
if claim then
  deadline = now + tonumber(m[6] and ARGV[6] or ARGV[5])
  redis.call('HSET', KEYS[2], claim, deadline)
  -- Both keys outlive the claim: :c an expiry right after this release, :m a short retention.
  redis.call('PEXPIREAT', KEYS[1], deadline, 'GT')
  redis.call('PEXPIREAT', KEYS[2], deadline, 'GT')
end
record(${EVENT_CODES.revealed}, now, m[7])
if left <= 0 then
  -- Claims come only with views: on the first view, the claim given now (or none) is the only
  -- one open, and the last view of a one-view secret needs no scan for others.
  local open_until
  if views == 1 then open_until = deadline end
  finish('viewed', now, nil, nil, open_until)
end
return {'ok', ct_of(c, m[8]), left, bid and deadline or false, bid or false, fl or false, fsig_of(c, m[8])}
`

/**
 * ARGV: av, claim digest. Returns {1}, also when there is no such claim (an ack is
 * idempotent), or {0} for a wrong av or an unknown sid. Once the claim is gone, the
 * ciphertext of an ended secret goes at once unless another claim is still open; a file
 * secret then answers {1, bid, fl}: nobody can read its chunks any more.
 */
const ack = `
local m = redis.call('HMGET', KEYS[2], 'av', 'st', 'ea')
if m[1] ~= ARGV[1] or m[2] == 'uploading' then return {0} end
local now = now_ms()
local st = settle(m[2], m[3], now)
local forgot = redis.call('HDEL', KEYS[2], 'k' .. ARGV[2]) == 1
if st == 'active' and not forgot then return {1} end
-- One scan tells both what :c keeps and whether anybody may still read the chunks.
local open = claims_open_until(now) or false
if forgot and st ~= 'burned' then keep_content(now, st == 'active' and tonumber(m[3]) or nil, open) end
if st ~= 'active' and not open then
  local bid, fl = chunks_of()
  if bid then return {1, bid, fl} end
end
return {1}
`

/**
 * ARGV: mv. Returns {st, br, v, mx, f, ca, ea, ed, events} (absent br and ed as nil, events
 * the raw timeline, '' before any), or nil.
 */
const status = `
local m = redis.call('HMGET', KEYS[2], 'mv', 'st', 'br', 'v', 'mx', 'f', 'ca', 'ea', 'ed')
if m[1] ~= ARGV[1] or m[2] == 'uploading' then return nil end
local st = settle(m[2], m[8], now_ms())
local ed = m[9]
if st ~= m[2] then ed = m[8] end
-- false (not nil) keeps the reply array whole.
return {st, m[3], tonumber(m[4]), tonumber(m[5]), tonumber(m[6]), tonumber(m[7]), tonumber(m[8]), ed and tonumber(ed) or false,
  redis.call('GET', KEYS[3]) or ''}
`

/**
 * ARGV: 'mv' or 'av', the verifier, the burn reason. Returns {'burned', bid, fl} (false for
 * a text secret) | {'gone', state} | {'not_found'}.
 */
const burn = `
local m = redis.call('HMGET', KEYS[2], ARGV[1], 'st', 'ea')
if m[1] ~= ARGV[2] or m[2] == 'uploading' then return {'not_found'} end
local now = now_ms()
local st = settle(m[2], m[3], now)
if st ~= 'active' then return {'gone', st} end
finish('burned', now, ARGV[3])
local bid, fl = chunks_of()
return {'burned', bid or false, fl or false}
`

/**
 * ARGV: c value, av, mv, ttl ms, maxViews, uv, bid, fl, fb, upload ttl ms, fs. Returns
 * {uploadDeadline, bid}, or {0} when the sid is taken. Both keys expire at the upload
 * deadline until the commit: an abandoned upload leaves nothing. A repeat of the same
 * create while the upload is open gets the first one's deadline and bid.
 */
const createUpload = `
local m = redis.call('HMGET', KEYS[2], 'st', 'ud', 'av', 'mv', 'tt', 'mx', 'uv', 'fs', 'bid')
if m[1] then
  if m[1] == 'uploading' and m[3] == ARGV[2] and m[4] == ARGV[3] and m[5] == ARGV[4] and m[6] == ARGV[5]
    and m[7] == ARGV[6] and m[8] == ARGV[11] and redis.call('GET', KEYS[1]) == ARGV[1] then
    return {tonumber(m[2]), m[9]}
  end
  return {0}
end
local now = now_ms()
local ud = now + tonumber(ARGV[10])
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ud)
redis.call('HSET', KEYS[2], 'av', ARGV[2], 'mv', ARGV[3], 'st', 'uploading', 'v', 0, 'mx', ARGV[5], 'f', 0,
  'ca', now, 'tt', ARGV[4], 'uv', ARGV[6], 'bid', ARGV[7], 'fl', ARGV[8], 'fb', ARGV[9], 'ud', ud, 'un', 0,
  'fs', ARGV[11])
redis.call('PEXPIREAT', KEYS[2], ud)
return {ud, ARGV[7]}
`

/** ARGV: uv. Returns {'uploading', bid, fl, ud, tt, now, fs} | {'committed'} | {'not_found'}. Never writes. */
const uploadSession = `
local m = redis.call('HMGET', KEYS[2], 'uv', 'st', 'bid', 'fl', 'ud', 'tt', 'fs')
if not m[1] or m[1] ~= ARGV[1] then return {'not_found'} end
if m[2] ~= 'uploading' then return {'committed'} end
return {'uploading', m[3], m[4], tonumber(m[5]), tonumber(m[6]), now_ms(), m[7]}
`

/** ARGV: uv, 'p<file>.<chunk>'. Returns 'recorded' | 'committed' | 'not_found'; idempotent. */
const recordChunk = `
local m = redis.call('HMGET', KEYS[2], 'uv', 'st')
if not m[1] or m[1] ~= ARGV[1] then return 'not_found' end
if m[2] ~= 'uploading' then return 'committed' end
if redis.call('HSETNX', KEYS[2], ARGV[2], 1) == 1 then redis.call('HINCRBY', KEYS[2], 'un', 1) end
return 'recorded'
`

/**
 * ARGV: uv, retention ms, fsig ('' for none). Returns {'committed', expiresAt} |
 * {'incomplete', missing} | {'conflict'} | {'not_found'}. Uploading turns active only with
 * every chunk of the layout recorded, keeping fsig at the end of :c (its length as field
 * fg); a repeat on the active secret it made gets the same expiresAt when it carries the
 * same fsig (or again none).
 */
const commit = `
local m = redis.call('HMGET', KEYS[2], 'uv', 'st', 'un', 'tt', 'ea', 'fl', 'fg')
if not m[1] or m[1] ~= ARGV[1] then return {'not_found'} end
local now = now_ms()
if m[2] ~= 'uploading' then
  local same = ARGV[3] == ''
  if m[7] then
    local c = redis.call('GET', KEYS[1])
    same = c and fsig_of(c, m[7]) == ARGV[3] or false
  end
  if same and settle(m[2], m[5], now) == 'active' then return {'committed', tonumber(m[5])} end
  return {'conflict'}
end
local total = 0
for n in string.gmatch(m[6], '%d+') do total = total + tonumber(n) end
local missing = total - tonumber(m[3])
if missing > 0 then return {'incomplete', missing} end
local h = redis.call('HKEYS', KEYS[2])
for _, field in ipairs(h) do
  if string.byte(field) == 112 then redis.call('HDEL', KEYS[2], field) end
end
local ea = now + tonumber(m[4])
redis.call('HSET', KEYS[2], 'st', 'active', 'ea', ea)
-- fsig goes at the end of :c, with the content it signs: in :m, a value this long would
-- turn its listpack into a hashtable (over a kilobyte more). SET, not APPEND, which would
-- leave the string twice the size it needs.
local c = ARGV[3] ~= '' and redis.call('GET', KEYS[1])
if c then
  redis.call('SET', KEYS[1], c .. ARGV[3], 'KEEPTTL')
  redis.call('HSET', KEYS[2], 'fg', #ARGV[3])
end
redis.call('PEXPIREAT', KEYS[1], ea)
redis.call('PEXPIREAT', KEYS[2], ea + tonumber(ARGV[2]))
return {'committed', ea}
`

/** ARGV: uv. Returns 'aborted' | 'conflict' (committed) | 'not_found'. */
const abort = `
local m = redis.call('HMGET', KEYS[2], 'uv', 'st')
if not m[1] or m[1] ~= ARGV[1] then return 'not_found' end
if m[2] ~= 'uploading' then return 'conflict' end
redis.call('DEL', KEYS[1], KEYS[2])
return 'aborted'
`

/**
 * ARGV: av, claim digest. Returns {'ok', bid, fl, fs} | {'window_closed'} | {'gone', 'burned'} |
 * {'not_found'}. Never writes: expiry and a last view leave an open window alone, a burn
 * ends it, an ack forgets the claim.
 */
const chunkAccess = `
local m = redis.call('HMGET', KEYS[2], 'av', 'st', 'bid', 'fl', 'fs')
if m[1] ~= ARGV[1] or not m[3] or m[2] == 'uploading' then return {'not_found'} end
if m[2] == 'burned' then return {'gone', 'burned'} end
local deadline = redis.call('HGET', KEYS[2], 'k' .. ARGV[2])
if not deadline then return {'not_found'} end
if now_ms() >= tonumber(deadline) then return {'window_closed'} end
return {'ok', m[3], m[4], m[5]}
`

/**
 * Scripts that only read or shrink a secret run even when Redis is at maxmemory: with
 * noeviction a full Redis refuses every write, and reveals, acks and burns are what free
 * memory. Create alone keeps Redis' refusal (a 503), so a full Redis never takes new secrets.
 * The timeline's appends (5 bytes, at most ${TIMELINE_MAX_BYTES} per secret) go through
 * too: a full Redis must not make a link unopenable for the sake of its receipt.
 */
const MAY_RUN_WHEN_FULL = '#!lua flags=allow-oom\n'

export const SCRIPTS = {
  burnlinkCreate: PRELUDE + create,
  burnlinkMeta: MAY_RUN_WHEN_FULL + PRELUDE + meta,
  burnlinkReveal: MAY_RUN_WHEN_FULL + PRELUDE + reveal,
  burnlinkAck: MAY_RUN_WHEN_FULL + PRELUDE + ack,
  burnlinkStatus: MAY_RUN_WHEN_FULL + PRELUDE + status,
  burnlinkBurn: MAY_RUN_WHEN_FULL + PRELUDE + burn,
  burnlinkCreateUpload: PRELUDE + createUpload,
  burnlinkUploadSession: MAY_RUN_WHEN_FULL + PRELUDE + uploadSession,
  burnlinkRecordChunk: PRELUDE + recordChunk,
  burnlinkCommit: PRELUDE + commit,
  burnlinkAbort: MAY_RUN_WHEN_FULL + PRELUDE + abort,
  burnlinkChunkAccess: MAY_RUN_WHEN_FULL + PRELUDE + chunkAccess,
} as const

export type ScriptName = keyof typeof SCRIPTS

/** The scripts that read or write the timeline: they declare `:e` as KEYS[3]. */
export const TIMELINE_SCRIPTS: ReadonlySet<ScriptName> = new Set(['burnlinkMeta', 'burnlinkReveal', 'burnlinkStatus'])
