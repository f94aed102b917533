// The Lua scripts of the Redis session store: each operation that reads or writes more than one
// key runs as one script, so it is atomic with respect to every other client.
//
// Keys (<prefix> as configured, <tag> derived from the user id, shared by all keys of a user so
// that they live in one Redis Cluster hash slot):
//   <prefix>{<tag>}:s:<id>      a hash: the entry's fields (a null field is absent)
//   <prefix>{<tag>}:u:<userId>  a sorted set: the user's entry ids, scored by their expiry (ms)
//   <prefix>{<tag>}:o:<origin>:<userId>  the id of the entry a login from that cookie created,
//                               for the join window (a login form submitted twice joins it)
// Entry keys expire with their entry (PEXPIREAT); the index with its longest-lived entry. Which
// entries an index holds is only known inside a script, so the scripts reach those entry keys
// (and, from an entry, its user's index) without declaring them: they are in the hash slot of the
// declared key by construction, which Redis Cluster accepts.
//
// `now` comes from the caller (Date.now()): an entry whose expiresAt <= now is gone, whatever
// Redis still holds; such an entry is deleted when a script meets it. Only ROTATE reads Redis's
// own clock, for the remember-token grace (one clock for every process).
import { FIELDS } from './entry.js'
import { Script } from './redis-client.js'

const PRELUDE = `
local FIELDS = {${FIELDS.map((field) => `'${field}'`).join(', ')}}
local USER, CREATED, SEEN, EXPIRES = 1, 2, 3, ${FIELDS.indexOf('expiresAt') + 1}
local REMEMBER, DIGEST = ${FIELDS.indexOf('rememberHash') + 1}, ${FIELDS.indexOf('authDigest') + 1}

local function read (key)
  return redis.call('HMGET', key, unpack(FIELDS))
end

local function alive (e, now)
  local expires = tonumber(e[EXPIRES])
  return e[USER] ~= false and expires ~= nil and expires > now
end

-- removes the index's expired ids (scored by expiry), with their keys (ARGV[1] is now in every
-- script that calls this): each id is met once, so its cost does not grow with the live ones
local function prune (index, prefix)
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', index, '-inf', ARGV[1])) do
    redis.call('DEL', prefix .. id)
  end
  redis.call('ZREMRANGEBYSCORE', index, '-inf', ARGV[1])
end

-- the live entries {id, fields} of a user's index (from = 0: all of them; -n: the n that expire
-- last); missing ones or another user's are removed
local function members (index, prefix, user, now, from)
  prune(index, prefix)
  local out = {}
  for _, id in ipairs(redis.call('ZRANGE', index, from or 0, -1)) do
    local e = read(prefix .. id)
    if alive(e, now) and e[USER] == user then
      out[#out + 1] = {id, e}
    else
      redis.call('ZREM', index, id)
      if e[USER] == user then redis.call('DEL', prefix .. id) end
    end
  end
  return out
end

local function remove (index, prefix, m, ended)
  redis.call('DEL', prefix .. m[1])
  redis.call('ZREM', index, m[1])
  ended[#ended + 1] = m
end

-- the index lives as long as its longest-lived entry
local function expire_index (index)
  local last = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')
  if last[2] then redis.call('PEXPIREAT', index, last[2]) end
end

-- the entry \`id\` (key \`entry\`) expires at \`expiry\` (ms; '' = unchanged), in its user's index too
local function extend (entry, index, id, expiry)
  if expiry == '' then return end
  redis.call('PEXPIREAT', entry, expiry)
  redis.call('ZADD', index, expiry, id)
  expire_index(index)
end
`

/**
 * KEYS: index, new entry, and the origin key when the login has one (its cookie's digest). ARGV: now,
 * userId, entry key prefix, new id, maxPerUser ('' = none), onLimit, replaces ('' = none), expiry
 * (integer ms), join window (ms), remember hash ('' = none), auth digest ('' = none), then the
 * entry's field/value pairs. Entries with another auth digest (stale) are not counted, and are
 * ended when the entry is created.
 * Returns {0} when refused, {2, id} when it joins the entry a login from the same cookie created
 * within the window (same remember hash), else {1, ended} (ended: {id, fields} each).
 */
export const CREATE = new Script(PRELUDE + `
local index, entry, origin = KEYS[1], KEYS[2], KEYS[3]
local now, user, prefix, id = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4]
local max, replaces = tonumber(ARGV[5]), ARGV[7]
local replaced, ended = nil, {}
if origin then
  local first = redis.call('GET', origin)
  if first then
    local e = read(prefix .. first)
    if alive(e, now) and e[USER] == user and (e[REMEMBER] or '') == ARGV[10] then return {2, first} end
  end
end
prune(index, prefix)
if replaces ~= '' and redis.call('ZSCORE', index, replaces) then
  local e = read(prefix .. replaces)
  if alive(e, now) and e[USER] == user then replaced = {replaces, e} end
end
-- the entries are read only when the limit may be reached: a login costs the same at any count
local count = redis.call('ZCARD', index) - (replaced and 1 or 0)
if max ~= nil and count >= max then
  local others, stale = {}, {}
  for _, m in ipairs(members(index, prefix, user, now)) do
    local digest = m[2][DIGEST]
    if m[1] == replaces then
    elseif ARGV[11] ~= '' and digest and digest ~= ARGV[11] then stale[#stale + 1] = m
    else others[#others + 1] = m end
  end
  if #others >= max then
    if ARGV[6] == 'refuse' then return {0} end
    table.sort(others, function (a, b)
      local sa, sb = tonumber(a[2][SEEN]), tonumber(b[2][SEEN])
      if sa ~= sb then return sa < sb end
      return tonumber(a[2][CREATED]) < tonumber(b[2][CREATED])
    end)
    for i = 1, #others - max + 1 do remove(index, prefix, others[i], ended) end
  end
  for _, m in ipairs(stale) do remove(index, prefix, m, ended) end
end
if replaced then remove(index, prefix, replaced, ended) end
redis.call('HSET', entry, unpack(ARGV, 12))
redis.call('PEXPIREAT', entry, ARGV[8])
redis.call('ZADD', index, ARGV[8], id)
expire_index(index)
if origin then redis.call('SET', origin, id, 'PX', ARGV[9]) end
return {1, ended}
`)

/**
 * KEYS: index. ARGV: now, userId, entry key prefix, at most how many. Returns the live entries
 * {id, fields} that expire last.
 */
export const LIST = new Script(PRELUDE + `
return members(KEYS[1], ARGV[3], ARGV[2], tonumber(ARGV[1]), -tonumber(ARGV[4]))
`)

/**
 * KEYS: entry. ARGV: now, index key prefix (without the user id), id, compare mode ('any',
 * 'null' or 'value'), expected remember hash, new expiry ('' = unchanged), number of fields set,
 * then those field/value pairs, then the fields to remove. Returns 1 when applied, else 0.
 */
export const UPDATE = new Script(PRELUDE + `
local entry, now = KEYS[1], tonumber(ARGV[1])
local e = redis.call('HMGET', entry, 'userId', 'expiresAt', 'rememberHash')
local expires = tonumber(e[2])
if e[1] == false or expires == nil or expires <= now then return 0 end
if ARGV[4] == 'null' and e[3] ~= false then return 0 end
if ARGV[4] == 'value' and e[3] ~= ARGV[5] then return 0 end
local set = tonumber(ARGV[7])
if set > 0 then redis.call('HSET', entry, unpack(ARGV, 8, 7 + 2 * set)) end
if #ARGV > 7 + 2 * set then redis.call('HDEL', entry, unpack(ARGV, 8 + 2 * set)) end
extend(entry, ARGV[2] .. e[1], ARGV[3], ARGV[6])
return 1
`)

/**
 * KEYS: entry. ARGV: now, index key prefix, id, presented hash, next hash ('' = judge only), grace
 * (ms), new expiry ('' = unchanged), number of fields set, then those field/value pairs. Sets
 * rotatedAt and judges the grace by Redis's clock (TIME), one clock for every process. Returns
 * 'rotated', 'current', 'grace', 'theft' or 'gone'.
 */
export const ROTATE = new Script(PRELUDE + `
local entry, now, presented = KEYS[1], tonumber(ARGV[1]), ARGV[4]
local e = redis.call('HMGET', entry, 'userId', 'expiresAt', 'rememberHash', 'previousRememberHash', 'rotatedAt')
local expires = tonumber(e[2])
if e[1] == false or expires == nil or expires <= now then return 'gone' end
local time = redis.call('TIME')
local clock = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if e[3] == presented then
  if ARGV[5] == '' then return 'current' end
  redis.call('HSET', entry, 'rememberHash', ARGV[5], 'previousRememberHash', presented,
    'rotatedAt', string.format('%.0f', clock), unpack(ARGV, 9, 8 + 2 * tonumber(ARGV[8])))
  extend(entry, ARGV[2] .. e[1], ARGV[3], ARGV[7])
  return 'rotated'
end
local rotated = tonumber(e[5])
if e[4] == presented and rotated ~= nil and clock - rotated <= tonumber(ARGV[6]) then return 'grace' end
return 'theft'
`)

/** KEYS: entry. ARGV: now, index key prefix, id. Returns the removed live entry's fields, or nil. */
export const DESTROY = new Script(PRELUDE + `
local e = read(KEYS[1])
if e[USER] == false then return nil end
redis.call('DEL', KEYS[1])
redis.call('ZREM', ARGV[2] .. e[USER], ARGV[3])
if not alive(e, tonumber(ARGV[1])) then return nil end
return e
`)

/**
 * KEYS: index. ARGV: now, userId, entry key prefix, id to keep ('' = none).
 * Returns the removed entries {id, fields}.
 */
export const DESTROY_ALL = new Script(PRELUDE + `
local index, prefix, ended = KEYS[1], ARGV[3], {}
for _, m in ipairs(members(index, prefix, ARGV[2], tonumber(ARGV[1]))) do
  if m[1] ~= ARGV[4] then remove(index, prefix, m, ended) end
end
return ended
`)
