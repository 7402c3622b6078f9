/**
 * Lua run atomically by Redis: each is one round trip, and no other replica's admission can
 * interleave between a check and its take. A token counter is a hash {used, reserved} at KEY and its
 * open reservations a sorted set at KEY:open (member `<decision id>|<tokens>`, score = expiry in ms
 * on Tollgate's clock); a reservation is a hash {tokens, k1..kn: the counters it holds}.
 * Single Redis (or a primary): the :open and reservation keys are not declared, so not Redis Cluster.
 */

/** Reservations past their time become used at their reserved size (a lost report mints no tokens). */
const CHARGE_DUE = `
local function charge_due(key, now)
  local due = redis.call('ZRANGEBYSCORE', key .. ':open', '-inf', now)
  for _, member in ipairs(due) do
    local amount = tonumber(string.match(member, '|(%d+)$'))
    redis.call('HINCRBY', key, 'reserved', -amount)
    redis.call('HINCRBY', key, 'used', amount)
  end
  if #due > 0 then redis.call('ZREMRANGEBYSCORE', key .. ':open', '-inf', now) end
end
`;

/**
 * KEYS: n counters, then the reservation. ARGV: now, reservation ttl ms, decision id, tokens, n,
 * then per counter: kind (q requests, t tokens), limit, counter ttl ms.
 * Returns {admitted (0|1), {used1, reserved1, used2, ...}} as they were before this request.
 */
export const ADMIT = `${CHARGE_DUE}
local now, ttl, id, tokens, n = tonumber(ARGV[1]), ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local states, admitted = {}, 1
for i = 1, n do
  local base = 5 + (i - 1) * 3
  local key, kind, limit = KEYS[i], ARGV[base + 1], tonumber(ARGV[base + 2])
  if kind == 't' then charge_due(key, now) end
  local hash = redis.call('HMGET', key, 'used', 'reserved')
  local used, reserved = tonumber(hash[1] or '0'), tonumber(hash[2] or '0')
  states[#states + 1] = used
  states[#states + 1] = reserved
  local cost = tokens
  if kind == 'q' then cost = 1 end
  if cost > limit - used - reserved then admitted = 0 end
end
if admitted == 1 then
  local held = {}
  for i = 1, n do
    local base = 5 + (i - 1) * 3
    local key, kind, keyTtl = KEYS[i], ARGV[base + 1], ARGV[base + 3]
    if kind == 'q' then
      redis.call('HINCRBY', key, 'used', 1)
    else
      redis.call('HINCRBY', key, 'reserved', tokens)
      redis.call('ZADD', key .. ':open', now + tonumber(ttl), id .. '|' .. tokens)
      redis.call('PEXPIRE', key .. ':open', keyTtl)
      held[#held + 1] = 'k' .. #held
      held[#held + 1] = key
    end
    redis.call('PEXPIRE', key, keyTtl)
  end
  if #held > 0 then
    redis.call('HSET', KEYS[n + 1], 'tokens', tokens, unpack(held))
    redis.call('PEXPIRE', KEYS[n + 1], ttl)
  end
end
return {admitted, states}
`;

/** KEYS: the reservation. ARGV: decision id, tokens used, now. Returns 1 when it settled an open reservation. */
export const SETTLE = `${CHARGE_DUE}
local fields = redis.call('HGETALL', KEYS[1])
if #fields == 0 then return 0 end
redis.call('DEL', KEYS[1])
local reserved, keys = nil, {}
for i = 1, #fields, 2 do
  if fields[i] == 'tokens' then reserved = fields[i + 1] else keys[#keys + 1] = fields[i + 1] end
end
local member, settled = ARGV[1] .. '|' .. reserved, 0
for _, key in ipairs(keys) do
  charge_due(key, tonumber(ARGV[3]))
  if redis.call('ZREM', key .. ':open', member) == 1 then
    redis.call('HINCRBY', key, 'reserved', -tonumber(reserved))
    redis.call('HINCRBY', key, 'used', ARGV[2])
    settled = 1
  end
end
return settled
`;

/** KEYS: n counters, then the reservation. ARGV: decision id, tokens, n, then each counter's kind. Undoes an admission. */
export const RELEASE = `
local id, tokens, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
for i = 1, n do
  local key = KEYS[i]
  if ARGV[3 + i] == 'q' then
    if tonumber(redis.call('HGET', key, 'used') or '0') > 0 then redis.call('HINCRBY', key, 'used', -1) end
  elseif redis.call('ZREM', key .. ':open', id .. '|' .. tokens) == 1 then
    redis.call('HINCRBY', key, 'reserved', -tonumber(tokens))
  end
end
redis.call('DEL', KEYS[n + 1])
return 1
`;
