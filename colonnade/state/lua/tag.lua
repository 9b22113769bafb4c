-- tag: file one key under each tag and make every tag live at least as long as the key.
-- KEYS  the tag sets; ARGV[1] the member (a full Redis key); ARGV[2] ttl in ms.
-- PEXPIRE GT cannot be used: it treats a fresh set (no TTL) as infinite and never sets one.
local ttl = tonumber(ARGV[2])
for _, tag in ipairs(KEYS) do
  redis.call('SADD', tag, ARGV[1])
  if redis.call('PTTL', tag) < ttl then -- -1 (no TTL yet) also lands here
    redis.call('PEXPIRE', tag, ttl)
  end
end
return 1
