-- Token bucket: hash {t = tokens, u = time of last update}; refill lazily, spend, write back.
local function load(key, lim)
  local h = redis.call('HMGET', key, 't', 'u')
  local st = {key = key, tokens = tonumber(h[1])}
  if st.tokens == nil then
    st.tokens = lim.capacity
  else
    local elapsed = now - tonumber(h[2])
    if elapsed > 0 then st.tokens = math.min(lim.capacity, st.tokens + elapsed * lim.rate) end
  end
  return st
end
local function fits(st, lim, c) return st.tokens + EPS >= c end
local function commit(st, lim, admitted)
  if not admitted then return end
  redis.call('HSET', st.key, 't', fmt(st.tokens - cost), 'u', fmt(now))
  redis.call('PEXPIRE', st.key, ttl_ms(lim.capacity / lim.rate))
end
local function stats(st, lim)
  local wait = 0
  if st.tokens + EPS < 1 then wait = (1 - st.tokens) / lim.rate end
  return math.max(0, math.floor(st.tokens + EPS)), wait
end
