-- wrk script: GET /tiles/<layer>/<z>/<x>/<y>.mvt with Accept-Encoding: gzip, cycling through every
-- tile of zooms YIZHAN_ZMIN..YIZHAN_ZMAX (default 12..14) that covers the box YIZHAN_BBOX
-- ("west,south,east,north", default 兖州区). YIZHAN_LAYER: default "stations". YIZHAN_TILE_PATH
-- overrides the path format (three %d: z, x, y; e.g. "/stations/%d/%d/%d" for Martin).
-- Each wrk thread starts at a different offset. At the end one line: YIZHAN_TILE_LABEL (default
-- "tiles_yizhan") followed by requests=, rps=, p50_ms=, p99_ms=, errors= (non-2xx + socket).

local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

local function tile_xy(lon, lat, z)
  local n = 2 ^ z
  local rad = math.rad(lat)
  local x = math.floor((lon + 180) / 360 * n)
  local y = math.floor((1 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2 * n)
  return x, y
end

local paths = {}
local i = 1
function init(args)
  local layer = os.getenv("YIZHAN_LAYER") or "stations"
  local format = os.getenv("YIZHAN_TILE_PATH") or ("/tiles/" .. layer .. "/%d/%d/%d.mvt")
  local zmin = tonumber(os.getenv("YIZHAN_ZMIN") or "12")
  local zmax = tonumber(os.getenv("YIZHAN_ZMAX") or "14")
  local w, s, e, n = (os.getenv("YIZHAN_BBOX") or "116.55,35.40,117.02,35.75"):match("([^,]+),([^,]+),([^,]+),([^,]+)")
  for z = zmin, zmax do
    local x0, y0 = tile_xy(tonumber(w), tonumber(n), z)
    local x1, y1 = tile_xy(tonumber(e), tonumber(s), z)
    for x = x0, x1 do
      for y = y0, y1 do
        table.insert(paths, string.format(format, z, x, y))
      end
    end
  end
  i = 1 + (tid or 0) * math.floor(#paths / 4)
  wrk.headers["Accept-Encoding"] = "gzip"
end

function request()
  local p = paths[(i - 1) % #paths + 1]
  i = i + 1
  return wrk.format("GET", p)
end

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("%s requests=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d\n",
    os.getenv("YIZHAN_TILE_LABEL") or "tiles_yizhan", summary.requests, summary.requests / s,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status + e.connect + e.read + e.write + e.timeout))
end
