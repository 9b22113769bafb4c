-- breaker_snapshot: read-only view. An OPEN breaker whose open_until passed is still 'open'
-- until the next acquire turns it half-open.
-- ARGV now, window_s, buckets. Returns {state, calls, failures, trips, open_until|''}.
local n = tonumber(ARGV[3])
local h = load()
local st = h['st'] or 'closed'
local calls, failures = window(h, current_slot(tonumber(ARGV[1]), tonumber(ARGV[2]), n), n)
local open_until = ''
if st ~= 'closed' and h['ou'] then
  open_until = fmt(tonumber(h['ou']))
end
return {st, calls, failures, tonumber(h['tr']) or 0, open_until}
