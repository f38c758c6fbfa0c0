-- Sliding window counter: hash {i = window index, p = previous count, c = current count}.
-- opts[1] = 'exact' | 'floor' (the 'limits' rule). Same arithmetic as sliding_window.py.
local rounding = opts[1]
local function load(key, lim)
  local w = lim.window
  local idx = math.floor(now / w)
  local h = redis.call('HMGET', key, 'i', 'p', 'c')
  local st = {key = key, idx = idx, prev = 0, cur = 0}
  local sidx = tonumber(h[1])
  if sidx == idx then
    st.prev, st.cur = tonumber(h[2]), tonumber(h[3])
  elseif sidx == idx - 1 then
    st.prev = tonumber(h[3])
  end
  st.estimate = st.cur
  if st.prev > 0 then
    local x = (now - w) / w
    local left = (1 - (x - math.floor(x))) * w
    st.estimate = st.prev * left / w + st.cur
  end
  return st
end
local function fits(st, lim, c)
  if rounding == 'floor' then return math.floor(st.estimate) + c <= lim.amount end
  return st.estimate + c <= lim.amount + EPS
end
local function commit(st, lim, admitted)
  if not admitted then return end
  redis.call('HSET', st.key, 'i', string.format('%.0f', st.idx), 'p', st.prev, 'c', st.cur + cost)
  redis.call('PEXPIRE', st.key, ttl_ms(2 * lim.window))
end
local function stats(st, lim)
  local used
  if rounding == 'floor' then used = math.floor(st.estimate) else used = math.ceil(st.estimate - EPS) end
  local remaining = math.max(0, lim.amount - used)
  local wait = 0
  if not fits(st, lim, 1) then
    local window_end = (st.idx + 1) * lim.window
    if st.cur + 1 > lim.amount then
      wait = window_end - now
    else
      wait = math.max(0, (window_end - now) - (lim.amount - 1 - st.cur) * lim.window / st.prev)
    end
  end
  return remaining, wait
end
