-- breaker_record: count one finished call; open or close the breaker. Returns the new state.
-- ARGV ok 0|1|n (n: neither, not counted), probe 0|1, now, window_s, buckets, min_calls,
--      failure_ratio, break_s, break_multiplier, break_max_s, jitter, idle_ttl_ms
local ok, neither, probe, now = ARGV[1] == '1', ARGV[1] == 'n', ARGV[2] == '1', tonumber(ARGV[3])
local window_s, n = tonumber(ARGV[4]), tonumber(ARGV[5])
local min_calls, ratio = tonumber(ARGV[6]), tonumber(ARGV[7])
local break_s, mult, break_max = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local jitter, idle_ttl_ms = tonumber(ARGV[11]), ARGV[12]

local h = load()
local st = h['st'] or 'closed'

-- Open (again): the open period grows with consecutive trips, capped, then jittered.
-- (mult ^ big is inf in Lua; min() caps it like the Python side does.)
local function trip()
  local trips = (tonumber(h['tr']) or 0) + 1
  local period = math.min(break_s * mult ^ (trips - 1), break_max) * jitter
  redis.call('HSET', key, 'st', 'open', 'tr', trips, 'ou', now + period)
  redis.call('HDEL', key, 'pu')
  redis.call('PEXPIRE', key, idle_ttl_ms)
  return 'open'
end

if probe then
  if st ~= 'half_open' then
    return st -- a late probe: another one already decided
  end
  if neither then
    redis.call('HSET', key, 'pu', 0) -- it decided nothing: the next caller probes
    return 'half_open'
  end
  if ok then
    redis.call('DEL', key) -- closed, window cleared, trips 0 == a missing breaker
    return 'closed'
  end
  return trip()
end
if st ~= 'closed' then
  return st -- started before the trip: says nothing about the provider now
end
if neither then
  return 'closed' -- not the provider's fault, nor proof of its health: not counted
end

local cur = current_slot(now, window_s, n)
local idx = cur % n
local i, c, f = 'i' .. idx, 'c' .. idx, 'f' .. idx
if tonumber(h[i]) ~= cur then -- the slot still holds an old period: reuse it
  h[c], h[f] = 0, 0
end
h[i], h[c] = cur, tonumber(h[c]) + 1
if not ok then
  h[f] = tonumber(h[f]) + 1
end
redis.call('HSET', key, i, h[i], c, h[c], f, h[f])

local calls, failures = window(h, cur, n)
if calls >= min_calls and failures > 0 and failures / calls >= ratio then
  return trip()
end
redis.call('PEXPIRE', key, idle_ttl_ms)
return 'closed'
