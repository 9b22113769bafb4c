-- take_token: take ARGV[5] tokens (default one), or say how long until that many are whole
-- (taking nothing). Returns the wait as a string: Redis would truncate a Lua float reply.
local count = tonumber(ARGV[5]) or 1
local tokens, updated = refill()
local wait = 0
if tokens >= count then
  tokens = tokens - count
else
  wait = (count - tokens) / rate
end
save(tokens, updated)
return string.format('%.17g', wait)
