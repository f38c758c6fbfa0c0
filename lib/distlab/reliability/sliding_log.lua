-- Sliding log: a sorted set of admitted units scored by time; '<key>:seq' numbers the members.
-- The window [now - window, now] is closed at both ends, as in 'limits'.
local function load(key, lim)
  local horizon = now - lim.window
  if op == 'hit' then redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. fmt(horizon)) end
  return {key = key, horizon = horizon, count = redis.call('ZCOUNT', key, fmt(horizon), '+inf')}
end
local function fits(st, lim, c) return st.count + c <= lim.amount end
local function commit(st, lim, admitted)
  if not admitted then return end
  local seq = redis.call('INCRBY', st.key .. ':seq', cost)
  local args = {}
  for j = 1, cost do
    args[#args + 1] = fmt(now)
    args[#args + 1] = string.format('%.0f', seq - cost + j)
  end
  redis.call('ZADD', st.key, unpack(args))
  redis.call('PEXPIRE', st.key, ttl_ms(lim.window))
  redis.call('PEXPIRE', st.key .. ':seq', ttl_ms(lim.window))
end
local function stats(st, lim)
  local remaining = math.max(0, lim.amount - st.count)
  local wait = 0
  if remaining == 0 then
    local offset = st.count - lim.amount
    local e = redis.call('ZRANGEBYSCORE', st.key, fmt(st.horizon), '+inf', 'WITHSCORES', 'LIMIT', offset, 1)
    wait = tonumber(e[2]) + lim.window - now
  end
  return remaining, wait
end
