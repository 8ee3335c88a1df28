-- wrk script: GET /api/v1/nearest?lon=..&lat=..&k=5, cycling through the peer's query points.
-- Environment: YIZHAN_QUERIES (CSV with a lon,lat header; required), YIZHAN_K (default 5),
-- YIZHAN_EXTRA (extra query string appended as is, e.g. "&kind=rest_station"; default empty).
-- Each wrk thread starts at a different offset so the threads do not ask the same point together.

local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local function load_requests()
  local path = os.getenv("YIZHAN_QUERIES")
  if path == nil or path == "" then
    error("YIZHAN_QUERIES is not set")
  end
  local k = os.getenv("YIZHAN_K") or "5"
  local extra = os.getenv("YIZHAN_EXTRA") or ""
  local reqs = {}
  local first = true
  for line in io.lines(path) do
    if first then
      first = false
    else
      local lon, lat = line:match("^%s*([^,]+),([^,%s]+)")
      if lon then
        local p = "/api/v1/nearest?lon=" .. lon .. "&lat=" .. lat .. "&k=" .. k .. extra
        reqs[#reqs + 1] = wrk.format("GET", p)
      end
    end
  end
  if #reqs == 0 then
    error("no query points in " .. path)
  end
  return reqs
end

local reqs
local i

function init(args)
  reqs = load_requests()
  -- tid is set by setup() before init runs; spread the threads over the query list.
  i = ((tid or 0) * 4999) % #reqs
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format("yizhan_http requests=%d seconds=%.2f rps=%.0f errors_status=%d errors_other=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
    summary.requests, s, summary.requests / s, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
