-- Token bucket, shared by take_token.lua and set_tokens.lua (prepended to each by redis.py).
-- The algorithm is stated once, in colonnade/state/memory.py.
-- KEYS[1]  bucket hash: t = tokens, u = updated_at (wall-clock seconds)
-- ARGV     rate_per_s, burst, now, idle_ttl_ms, [given tokens]
-- Numbers go into HSET as Lua numbers (Redis writes them with %.17g: no precision lost).

local key = KEYS[1]
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local idle_ttl_ms = ARGV[4]

-- Current tokens after refilling; a missing bucket is full. updated_at never moves back,
-- so a replica whose clock lags cannot credit the same interval twice.
local function refill()
  local s = redis.call('HMGET', key, 't', 'u')
  local tokens, updated = tonumber(s[1]), tonumber(s[2])
  if tokens == nil or updated == nil then
    tokens, updated = burst, now
  end
  return math.min(burst, tokens + math.max(0, now - updated) * rate), math.max(updated, now)
end

local function save(tokens, updated)
  redis.call('HSET', key, 't', tokens, 'u', updated)
  -- An idle bucket is full again after burst / rate; expiring it then changes nothing.
  redis.call('PEXPIRE', key, idle_ttl_ms)
end
