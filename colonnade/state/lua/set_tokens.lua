-- set_tokens: a provider said how many calls remain; that can lower the bucket, never raise it.
local tokens, updated = refill()
save(math.min(tokens, math.max(0, tonumber(ARGV[5]))), updated)
return 1
