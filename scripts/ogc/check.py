"""Reads a Yizhan server's OGC API – Features with OWSLib and compares what it gets with the
server's own JSON API (/api/v1/stations, /api/v1/districts, /api/v1/coverage/{id} for every saved
coverage analysis listed as a collection), fetched with the standard library.

Usage: check.py BASE_URL   (prints one line per check; exits 1 on the first mismatch)
"""
import json
import sys
import urllib.parse
import urllib.request

from owslib.ogcapi.features import Features

base = sys.argv[1].rstrip("/")


def get(path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return json.load(r)


def check(cond, what):
    if not cond:
        print(f"FAIL {what}")
        sys.exit(1)
    print(f"ok   {what}")


api = Features(base + "/ogc")
check(any(l["rel"] == "conformance" for l in api.links), "landing page links to conformance")
conf = api.conformance()["conformsTo"]
check("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conf, "conforms to Core")
check("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conf, "conforms to GeoJSON")
ids = api.feature_collections()
coverage = [i for i in ids if i.startswith("cov_")]
fixed = sorted(i for i in ids if not i.startswith("cov_"))
check(fixed == ["districts", "stations", "streets"], f"collections {fixed} and {len(coverage)} coverage analyses")
check(api.collection("stations")["itemType"] == "feature", "stations is a feature collection")

# Every station through OWSLib's paging (limit/offset), against the JSON API.
expected = {f["id"]: f for f in get("/api/v1/stations?limit=5000")["features"]}
seen = {}
offset, limit = 0, 37
while True:
    page = api.collection_items("stations", limit=limit, offset=offset)
    if offset == 0:
        check(page["numberMatched"] == len(expected), "numberMatched equals the station count")
    for f in page["features"]:
        seen[f["id"]] = f
    if page["numberReturned"] < limit:
        break
    offset += limit
check(sorted(seen) == sorted(expected), f"{len(seen)} stations by paging equal the JSON API's {len(expected)}")
for sid, f in expected.items():
    g = seen[sid]
    if g["geometry"] != f["geometry"] or g["properties"] != f["properties"]:
        check(False, f"station {sid} equals the JSON API's")
check(True, "every station's geometry and properties equal the JSON API's")

# A bounding box through OWSLib, against the JSON API's bbox filter.
bbox = [116.75, 35.52, 116.82, 35.58]
got = api.collection_items("stations", bbox=bbox, limit=5000)
want = get("/api/v1/stations?limit=5000&bbox=" + ",".join(map(str, bbox)))
check(sorted(f["id"] for f in got["features"]) == sorted(f["id"] for f in want["features"]),
      f"bbox {bbox}: {got['numberReturned']} stations as in the JSON API")

one = next(iter(expected))
item = api.collection_item("stations", str(one))
check(item["id"] == one and item["properties"] == expected[one]["properties"], f"station {one} by id")

name = "兖州区"
d = api.collection_item("districts", urllib.parse.quote(name))
ref = get("/api/v1/districts/" + urllib.parse.quote(name))
check(d["id"] == name and d["geometry"]["coordinates"] == ref["geometry"]["coordinates"],
      f"district {name} boundary equals /api/v1/districts")
# Every saved coverage analysis: its H3 cells through OWSLib's paging, against the JSON API's answer.
for cid in coverage:
    meta = api.collection(cid)
    check("覆盖分析" in meta["title"], f"{cid} is titled {meta['title']}")
    saved = {f["properties"]["h3"]: f for f in get("/api/v1/coverage/" + cid)["cells"]["features"]}
    cells = {}
    offset, limit = 0, 50
    while True:
        page = api.collection_items(cid, limit=limit, offset=offset)
        for f in page["features"]:
            cells[f["id"]] = f
        if page["numberReturned"] < limit:
            break
        offset += limit
    same = sorted(cells) == sorted(saved) and all(
        cells[h]["properties"] == f["properties"]
        and cells[h]["geometry"]["coordinates"] == [f["geometry"]["coordinates"]]
        for h, f in saved.items()
    )
    check(same, f"{cid}: {len(cells)} cells by paging equal /api/v1/coverage/{cid}")
    west, south, east, north = meta["extent"]["spatial"]["bbox"][0]
    half = [west, south, (west + east) / 2, north]
    got = api.collection_items(cid, bbox=half, limit=5000)
    check(0 < got["numberMatched"] < len(saved), f"{cid}: bbox {half} selects {got['numberMatched']} cells")
print("OWSLib: all checks passed")
