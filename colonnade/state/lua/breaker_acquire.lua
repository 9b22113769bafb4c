-- breaker_acquire: may this caller call? Grants the single half-open probe atomically.
-- ARGV now, probe_lease_s, idle_ttl_ms. Returns {allowed 0|1, probe 0|1, state, retry_at|''}.
local now, lease = tonumber(ARGV[1]), tonumber(ARGV[2])
local s = redis.call('HMGET', key, 'st', 'ou', 'pu')
local st, open_until, probe_until = s[1] or 'closed', tonumber(s[2]) or 0, tonumber(s[3]) or 0
if st == 'open' and now < open_until then
  return {0, 0, 'open', fmt(open_until)}
elseif st == 'half_open' and now < probe_until then
  return {0, 0, 'half_open', fmt(probe_until)}
elseif st ~= 'open' and st ~= 'half_open' then
  return {1, 0, 'closed', ''}
end
-- Open period over, or the last probe's lease ran out: this caller is the probe.
redis.call('HSET', key, 'st', 'half_open', 'pu', now + lease)
redis.call('PEXPIRE', key, ARGV[3])
return {1, 1, 'half_open', ''}
