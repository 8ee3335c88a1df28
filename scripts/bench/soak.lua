-- wrk script: the requests of nearest.lua, paced to a fixed total rate (open-loop schedule).
-- Environment: as nearest.lua (YIZHAN_QUERIES, YIZHAN_K, YIZHAN_EXTRA), plus
--   YIZHAN_NEAREST_LUA  path of nearest.lua (required)
--   YIZHAN_RATE         total requests per second over all threads (required)
--   YIZHAN_THREADS      wrk's -t (default 2): each thread paces itself to YIZHAN_RATE / threads
-- Pacing: request n of a thread is due at t0 + n / rate_per_thread; delay() waits until then (0 when
-- behind schedule, so an overloaded server makes it a closed loop at full speed). wrk measures latency
-- from the moment a request is written, so the wait of a request that is behind schedule is not in it.
dofile(os.getenv("YIZHAN_NEAREST_LUA"))

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } yz_timespec;
  int clock_gettime(int clk_id, yz_timespec *tp);
]]
local ts = ffi.new("yz_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local base_init = init
local t0, per_ms, n

function init(args)
  base_init(args)
  local rate = tonumber(os.getenv("YIZHAN_RATE") or "")
  if rate == nil or rate <= 0 then
    error("YIZHAN_RATE must be a positive number of requests per second")
  end
  local threads = tonumber(os.getenv("YIZHAN_THREADS") or "2")
  per_ms = rate / threads / 1000
  t0 = now_ms()
  n = 0
end

function delay()
  n = n + 1
  local wait = t0 + n / per_ms - now_ms()
  if wait < 1 then
    return 0
  end
  return math.floor(wait)
end
