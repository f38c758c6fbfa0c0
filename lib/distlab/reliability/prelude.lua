-- Shared prelude of every rate-limiter script (distlab.reliability.redis_store prepends it).
-- ARGV: op ('hit' | 'test' | 'stats'), now (seconds, injected by the caller, never server time),
--       cost, ttl_floor (seconds; garbage-collection TTLs are at least this), n_opts, opts...,
--       then per key: amount, window, capacity.
-- Redis Lua is 5.1: numbers are doubles, no integer division; floats go back as strings.
local op = ARGV[1]
local now = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local ttl_floor = tonumber(ARGV[4])
local n_opts = tonumber(ARGV[5])
local opts = {}
for i = 1, n_opts do opts[i] = ARGV[5 + i] end
local limits = {}
for i = 1, #KEYS do
  local j = 5 + n_opts + (i - 1) * 3
  local amount, window = tonumber(ARGV[j + 1]), tonumber(ARGV[j + 2])
  limits[i] = {amount = amount, window = window, capacity = tonumber(ARGV[j + 3]),
               rate = amount / window}
end
local EPS = 1e-9
local function fmt(x) return string.format('%.17g', x) end
local function ttl_ms(seconds) return math.ceil(math.max(seconds, ttl_floor) * 1000) end
