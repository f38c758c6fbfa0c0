-- Fixed window. opts[1] = 'epoch' | 'first-hit', opts[2] = '1' to charge rejected requests.
-- epoch: the classic INCRBY on '<key>:<window index>' with a TTL set only when the key is new
-- (the value equals this request's cost), since Redis 6.2 has no EXPIRE ... NX.
-- first-hit: a hash {s = window start, c = count}, as the 'limits' library keeps it.
local align, charge = opts[1], opts[2] == '1'
local function load(key, lim)
  local st = {}
  if align == 'epoch' then
    local idx = math.floor(now / lim.window)
    st.key = key .. ':' .. string.format('%.0f', idx)
    st.start = idx * lim.window
    st.count = tonumber(redis.call('GET', st.key) or '0')
  else
    local h = redis.call('HMGET', key, 's', 'c')
    local s = tonumber(h[1])
    st.key = key
    if s == nil or now >= s + lim.window then
      st.start, st.count, st.fresh = now, 0, true
    else
      st.start, st.count = s, tonumber(h[2])
    end
  end
  return st
end
local function fits(st, lim, c) return st.count + c <= lim.amount end
local function commit(st, lim, admitted)
  if not (admitted or charge) then return end
  if align == 'epoch' then
    local v = redis.call('INCRBY', st.key, cost)
    if v == cost then redis.call('PEXPIRE', st.key, ttl_ms(lim.window)) end
  elseif st.fresh then
    redis.call('HSET', st.key, 's', fmt(st.start), 'c', cost)
    redis.call('PEXPIRE', st.key, ttl_ms(lim.window))
  else
    redis.call('HINCRBY', st.key, 'c', cost)
  end
end
local function stats(st, lim)
  local remaining = math.max(0, lim.amount - st.count)
  local wait = 0
  if remaining == 0 then wait = st.start + lim.window - now end
  return remaining, wait
end
