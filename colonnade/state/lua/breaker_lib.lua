-- Circuit breaker, shared by breaker_*.lua (prepended to each by redis.py).
-- The algorithm is stated once, in colonnade/state/memory.py.
-- KEYS[1]  one hash per breaker; a missing hash is CLOSED with an empty window:
--   st        'closed' | 'open' | 'half_open'   (missing = closed)
--   tr        consecutive trips
--   ou        open_until   (wall-clock seconds)
--   pu        probe_until  (lease of the granted half-open probe)
--   i<n> c<n> f<n>  window slot n: slot id, calls, failures
-- Floats come back as strings (%.17g): Redis truncates Lua float replies to integers.

local key = KEYS[1]

local function fmt(x)
  return string.format('%.17g', x)
end

local function load()
  local flat = redis.call('HGETALL', key)
  local h = {}
  for i = 1, #flat, 2 do
    h[flat[i]] = flat[i + 1]
  end
  return h
end

local function current_slot(now, window_s, n)
  return math.floor(now / (window_s / n))
end

-- Calls and failures over the slots current - n < id <= current; older ones are stale.
local function window(h, cur, n)
  local calls, failures = 0, 0
  for i = 0, n - 1 do
    local id = tonumber(h['i' .. i])
    if id ~= nil and id > cur - n and id <= cur then
      calls = calls + tonumber(h['c' .. i])
      failures = failures + tonumber(h['f' .. i])
    end
  end
  return calls, failures
end
