-- Shared epilogue: every strategy script defines load(key, lim) -> state, fits(state, lim, c),
-- commit(state, lim, admitted) and stats(state, lim) -> remaining, retry_after.
-- Several limits on one key are all-or-nothing: commit only if every limit fits
-- (commit itself decides whether a rejected request is charged, for the 'limits' convention).
local states = {}
for i = 1, #KEYS do states[i] = load(KEYS[i], limits[i]) end
if op == 'stats' then
  local out = {}
  for i = 1, #KEYS do
    local remaining, wait = stats(states[i], limits[i])
    out[#out + 1] = fmt(remaining)
    out[#out + 1] = fmt(wait)
  end
  return out
end
local admitted = true
for i = 1, #KEYS do
  if not fits(states[i], limits[i], cost) then admitted = false end
end
if op == 'hit' then
  for i = 1, #KEYS do commit(states[i], limits[i], admitted) end
end
if admitted then return 1 end
return 0
