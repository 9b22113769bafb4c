-- invalidate_tag: delete every member and the tag set itself, in one atomic step.
-- KEYS[1] the tag set. Returns how many members still existed.
local members = redis.call('SMEMBERS', KEYS[1])
local deleted = 0
-- DEL in batches: unpack() of a huge table overflows the Lua stack.
for i = 1, #members, 500 do
  deleted = deleted + redis.call('DEL', unpack(members, i, math.min(i + 499, #members)))
end
redis.call('DEL', KEYS[1])
return deleted
