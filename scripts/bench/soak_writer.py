"""One authenticated write per second against a running `yizhan serve`, cycling create → update →
delete of its own stations, for a fixed duration; every status is checked.

    python3 soak_writer.py BASE_URL TOKEN SECONDS OUT.json

Writes a JSON summary (writes, writes_ok, failures with their statuses, p50/max latency in ms) and
exits 1 when any write failed. Standard library only; loopback use only."""
import json
import sys
import time
import urllib.error
import urllib.request


def call(base, token, method, path, body=None):
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            status, payload = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, payload = e.code, e.read()
    except OSError as e:  # connection refused, reset, timeout
        status, payload = 0, str(e).encode()
    return status, payload, (time.perf_counter() - t) * 1000


def main():
    base, token, seconds, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    ok, lat, failures, ops = 0, [], [], {"create": 0, "update": 0, "delete": 0}
    live = None  # id of the station created and not yet deleted
    t0 = time.monotonic()
    for i in range(seconds):
        wait = t0 + i - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        lon, lat_deg = 116.8 + (i % 50) * 0.001, 35.55 + (i % 30) * 0.001
        station = {"kind": "rest_station", "name": f"压测驿站 {i}", "location": {"lon": lon, "lat": lat_deg}}
        if live is None:
            op, want = "create", 201
            status, payload, ms = call(base, token, "POST", "/api/v1/stations", station)
            if status == want:
                live = json.loads(payload)["id"]
        elif i % 3 == 1:
            op, want = "update", 200
            station["name"] += "（已更新）"
            status, payload, ms = call(base, token, "PUT", f"/api/v1/stations/{live}", station)
        else:
            op, want = "delete", 200
            status, payload, ms = call(base, token, "DELETE", f"/api/v1/stations/{live}")
            if status == want:
                live = None
        ops[op] += 1
        lat.append(ms)
        if status == want:
            ok += 1
        else:
            failures.append({"second": i, "op": op, "status": status, "body": payload[:200].decode("utf-8", "replace")})
    lat.sort()
    summary = {
        "writes": seconds,
        "writes_ok": ok,
        "ops": ops,
        "failures": failures,
        "p50_ms": round(lat[len(lat) // 2], 2) if lat else None,
        "max_ms": round(lat[-1], 2) if lat else None,
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(summary, f, ensure_ascii=False, indent=1)
    print("soak_writer " + json.dumps(summary, ensure_ascii=False), flush=True)
    sys.exit(0 if ok == seconds else 1)


if __name__ == "__main__":
    main()
