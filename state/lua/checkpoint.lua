-- checkpoint.lua: applies one task checkpoint in one atomic step: the dirty cells, the deleted
-- cells, the TTL index and the input offset they cover. It checks first and writes after, so a
-- refused (fenced) checkpoint writes nothing; a script runs to completion, so it is all or nothing.
--
-- KEYS[1] cells  hash  field "<state>\0<key>" -> encoded [writtenAtMs, value]
-- KEYS[2] meta   hash  offset, takenAtMs, epoch
-- KEYS[3] expiry zset  field -> expire-at (ms); cells past it are removed here and skipped on restore
-- ARGV[1] offset (next input offset to read), ARGV[2] takenAtMs (also "now" for expiry),
-- ARGV[3] epoch the writer holds ('' = not fenced), ARGV[4] n cells set, ARGV[5] n cells deleted,
-- ARGV[6] idle TTL of the whole partition in ms ('' = none),
-- then n-set triples (field, value, expireAtMs or ''), then n-deleted fields.
local epoch = ARGV[3]
if epoch ~= '' then
  local current = redis.call('HGET', KEYS[2], 'epoch')
  if current and current ~= epoch then
    return redis.error_reply('FENCED checkpoint holds epoch ' .. epoch .. ' but the partition is at epoch ' .. current)
  end
end
local nSet = tonumber(ARGV[4])
local nDel = tonumber(ARGV[5])
local i = 7
for _ = 1, nSet do
  local field, value, expireAt = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  redis.call('HSET', KEYS[1], field, value)
  if expireAt ~= '' then
    redis.call('ZADD', KEYS[3], expireAt, field)
  else
    redis.call('ZREM', KEYS[3], field)
  end
  i = i + 3
end
for _ = 1, nDel do
  redis.call('HDEL', KEYS[1], ARGV[i])
  redis.call('ZREM', KEYS[3], ARGV[i])
  i = i + 1
end
-- Silent VMs: cells whose TTL ran out by this checkpoint's time leave Redis too.
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[2], 'LIMIT', 0, 10000)
for _, field in ipairs(expired) do
  redis.call('HDEL', KEYS[1], field)
  redis.call('ZREM', KEYS[3], field)
end
redis.call('HSET', KEYS[2], 'offset', ARGV[1], 'takenAtMs', ARGV[2])
if ARGV[6] ~= '' then
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
  redis.call('PEXPIRE', KEYS[2], ARGV[6])
  redis.call('PEXPIRE', KEYS[3], ARGV[6])
end
return { nSet, nDel, #expired }
