-- wrk script: GET /tiles/<layer>/<z>/<x>/<y>.mvt with Accept-Encoding: gzip, cycling through every
-- tile of zooms YIZHAN_ZMIN..YIZHAN_ZMAX (default 12..14) that covers the box YIZHAN_BBOX
-- ("west,south,east,north", default 兖州区). YIZHAN_LAYER: default "stations".
-- Each wrk thread starts at a different offset.

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
  local zmin = tonumber(os.getenv("YIZHAN_ZMIN") or "12")
  local zmax = tonumber(os.getenv("YIZHAN_ZMAX") or "14")
  local w, s, e, n = (os.getenv("YIZHAN_BBOX") or "116.55,35.40,117.02,35.75"):match("([^,]+),([^,]+),([^,]+),([^,]+)")
  for z = zmin, zmax do
    local x0, y0 = tile_xy(tonumber(w), tonumber(n), z)
    local x1, y1 = tile_xy(tonumber(e), tonumber(s), z)
    for x = x0, x1 do
      for y = y0, y1 do
        table.insert(paths, string.format("/tiles/%s/%d/%d/%d.mvt", layer, z, x, y))
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
