-- GCRA: one string key holding the theoretical arrival time (TAT).
local function load(key, lim)
  local tat = tonumber(redis.call('GET', key) or '')
  if tat == nil or tat < now then tat = now end
  return {key = key, tat = tat, interval = lim.window / lim.amount}
end
local function fits(st, lim, c)
  return st.tat + c * st.interval - now <= lim.capacity * st.interval + EPS
end
local function commit(st, lim, admitted)
  if not admitted then return end
  local new_tat = st.tat + cost * st.interval
  redis.call('SET', st.key, fmt(new_tat), 'PX', ttl_ms(new_tat - now))
end
local function stats(st, lim)
  local room = lim.capacity * st.interval - (st.tat - now)
  local remaining = math.max(0, math.floor(room / st.interval + EPS))
  local wait = 0
  if remaining < 1 then wait = math.max(0, st.interval - room) end
  return remaining, wait
end
