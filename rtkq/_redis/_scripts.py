"""The Lua scripts that make each shared-cache step one atomic round trip."""

from __future__ import annotations

__all__ = ["CLAIM", "EPOCH_TTL_MS", "FILL", "INVALIDATE", "RELEASE"]

# How long the epoch key lives after the last invalidation (every key has a TTL).
EPOCH_TTL_MS = 86_400_000

# KEYS: entry, lock, epoch. ARGV: token, lock ms, served only if fulfilled_at > this.
# -> {1, entry json} a hit; {2, epoch} the lock is ours; {3, ""} another process has it.
CLAIM = """
local f = redis.call('HGET', KEYS[1], 'f')
if f and tonumber(f) and tonumber(f) > tonumber(ARGV[3]) then
  return {1, redis.call('HGET', KEYS[1], 'v')}
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {2, redis.call('GET', KEYS[3]) or ''}
end
return {3, ''}
"""

# KEYS: entry, lock, epoch, tag sets... ARGV: token, epoch seen at claim, fulfilled_at,
# entry json, ttl ms, channel, message. Writes only if no invalidation came meanwhile;
# releases the lock if still ours; tells the waiters. -> 1 written, 0 not.
FILL = """
local written = 0
if (redis.call('GET', KEYS[3]) or '') == ARGV[2] then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'f', ARGV[3], 'v', ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  local ttl = tonumber(ARGV[5])
  for i = 4, #KEYS do
    redis.call('SADD', KEYS[i], KEYS[1])
    if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
  end
  written = 1
end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
redis.call('PUBLISH', ARGV[6], ARGV[7])
return written
"""

# KEYS: lock. ARGV: token, channel, message. Gives a lock up (failed or aborted fetch).
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1
"""

# KEYS: epoch, invalidated sets... ARGV: new epoch, epoch ttl ms, channel, message.
# Deletes every entry an invalidated set names (and the set), then tells every store.
INVALIDATE = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local deleted = 0
for i = 2, #KEYS do
  for _, key in ipairs(redis.call('SMEMBERS', KEYS[i])) do
    deleted = deleted + redis.call('UNLINK', key)
  end
  redis.call('UNLINK', KEYS[i])
end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return deleted
"""
