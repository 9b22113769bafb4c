-- delete_if_equals: release a lock only while it still holds our token (compare-and-delete).
-- KEYS[1] the key; ARGV[1] the expected value. Returns 1 when deleted, else 0.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
