-- take_token: take one token, or say how long until one is whole (taking nothing).
-- Returns the wait as a string: Redis would truncate a Lua float reply to an integer.
local tokens, updated = refill()
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
save(tokens, updated)
return string.format('%.17g', wait)
