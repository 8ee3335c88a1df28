#!/usr/bin/env python3
"""Fires every expensive class of anonymous request at a running server, concurrently, for a
bounded time (loopback only), and records what each class was answered.

    hostile.py BASE SECONDS OUT.json [STOP_MARKER]

Each class runs on its own threads in a loop until SECONDS have passed (and at most a fixed number
of requests). A class passes when every answer is a refusal or an answer it may get (its
`allowed` statuses) with a JSON error body naming a field where one is expected, and none is a 500.
Once the file STOP_MARKER exists (the harness is stopping the server), a refused connection or a
503 is expected of every class. Standard library only.
"""

import json
import sys
import threading
import time
import urllib.error
import urllib.request

import os

BASE, SECONDS, OUT = sys.argv[1], float(sys.argv[2]), sys.argv[3]
STOP_MARKER = sys.argv[4] if len(sys.argv) > 4 else None
DEADLINE = time.monotonic() + SECONDS


def square(w, s, e, n):
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def zigzag(teeth):
    """A valid comb polygon of 4 × teeth + 3 positions (no crossing), 0.0005° teeth."""
    x0, y0, w, h = 116.70, 35.50, 0.0005, 0.05
    ring = [[x0, y0]]
    for i in range(teeth):
        x = x0 + w * i
        ring += [[x, y0 + h], [x + w * 0.5, y0 + h], [x + w * 0.5, y0 + 0.001], [x + w, y0 + 0.001]]
    ring += [[x0 + w * teeth, y0], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


ENCODED = {}


def encode(body):
    """The JSON bytes of a request body, made once per body (the attacker's CPU is not the test)."""
    key = id(body)
    if key not in ENCODED:
        ENCODED[key] = (body, json.dumps(body).encode())
    return ENCODED[key][1]


def request(method, path, body=None, headers=None, timeout=30, read=True):
    data = None
    hdrs = dict(headers or {})
    if body is not None:
        data = encode(body)
        hdrs["content-type"] = "application/json"
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=hdrs)
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            payload = r.read() if read else b""
            return r.status, payload, time.monotonic() - t0
    except urllib.error.HTTPError as e:
        return e.code, e.read(), time.monotonic() - t0
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as e:
        return -1, str(e).encode(), time.monotonic() - t0


BOX = square(116.6, 35.4, 116.9, 35.7)
BIG_ZIGZAG = zigzag(15_000)  # 60,003 positions: over the anonymous 20,000
MID_ZIGZAG = zigzag(4_500)  # 18,003 positions: validated on the pool, then analysed
UNKNOWN_TOKEN = "yz_0123456789ab_" + "f" * 40

results = {}
lock = threading.Lock()
coverage_id = {"id": None}


def record(cls, status, payload, seconds, allowed, field=None):
    if STOP_MARKER and os.path.exists(STOP_MARKER) and status in (-1, 503):
        with lock:
            r = results.setdefault(cls, {"requests": 0, "statuses": {}, "max_s": 0.0, "bad": []})
            r["after_stop"] = r.get("after_stop", 0) + 1
        return
    with lock:
        r = results.setdefault(cls, {"requests": 0, "statuses": {}, "max_s": 0.0, "bad": []})
        r["requests"] += 1
        r["statuses"][str(status)] = r["statuses"].get(str(status), 0) + 1
        r["max_s"] = max(r["max_s"], seconds)
        ok = status in allowed
        if ok and status >= 400:
            try:
                err = json.loads(payload)["error"]
                if field is not None and status not in BUSY and err.get("field") not in field:
                    ok = False
            except (ValueError, KeyError, TypeError):
                ok = False
        if not ok and len(r["bad"]) < 5:
            r["bad"].append({"status": status, "body": payload[:300].decode("utf-8", "replace")})


def loop(cls, fire, max_requests):
    n = 0
    while time.monotonic() < DEADLINE and n < max_requests:
        fire(cls)
        n += 1


# Refusals any class may get when the heavy-work pool is saturated: its queue is full (429) or no
# worker freed within the queue timeout (503), each with Retry-After and no field.
BUSY = {429, 503}
HUGE_PLAN = {"boundary": BOX, "resolution": 10, "mode": "car", "minutes": 180}
WIDE_PLAN = {"boundary": BOX, "resolution": 9, "mode": "car", "minutes": 15}
BIG_BOUNDARY = {"boundary": BIG_ZIGZAG, "resolution": 9}
MID_BOUNDARY = {"boundary": MID_ZIGZAG, "resolution": 9, "minutes": 10}
DISTRICT = {"district": "兖州区", "resolution": 10, "minutes": [10, 15]}
THRESHOLDS = {"district": "兖州区", "minutes": [i / 100 for i in range(1, 18_001)]}
LISTS = {"district": "兖州区", "exclude": [f"site-{i}" for i in range(5_000)], "fixed": [[116.7, 35.5]] * 5_000}
PLAN = {"district": "兖州区", "resolution": 9, "minutes": 10, "sites": 5}
SMALL = {"district": "兖州区"}


def huge_plan(cls):
    record(cls, *request("POST", "/api/v1/plans", HUGE_PLAN), allowed={413} | BUSY, field={"resolution", "minutes"})


def wide_plan(cls):
    record(cls, *request("POST", "/api/v1/plans", WIDE_PLAN), allowed={413} | BUSY, field={"minutes"})


def big_boundary(cls):
    record(cls, *request("POST", "/api/v1/coverage", BIG_BOUNDARY), allowed={413} | BUSY, field={"boundary"})


def mid_boundary(cls):
    record(cls, *request("POST", "/api/v1/coverage", MID_BOUNDARY, timeout=60), allowed={200, 413} | BUSY,
           field={"boundary", "resolution"})


def district_coverage(cls):
    status, payload, s = request("POST", "/api/v1/coverage", DISTRICT, timeout=60)
    if status == 200 and coverage_id["id"] is None:
        coverage_id["id"] = json.loads(payload)["id"]
    record(cls, status, payload if status >= 400 else b"", s, allowed={200, 413} | BUSY)


def thresholds(cls):
    record(cls, *request("POST", "/api/v1/coverage", THRESHOLDS), allowed={413} | BUSY, field={"minutes"})


def lists(cls):
    # Refused at the first list over the budget; a saturated plan registry (429) or pool also refuses.
    record(cls, *request("POST", "/api/v1/plans", LISTS), allowed={413} | BUSY, field={"exclude", "fixed"})


def plan_jobs(cls):
    status, payload, s = request("POST", "/api/v1/plans", PLAN)
    record(cls, status, payload, s, allowed={202, 413} | BUSY)
    # Guessing another job's id finds nothing.
    record(cls, *request("DELETE", "/api/v1/plans/plan_" + "0" * 32), allowed={404}, field={"id"})


def unknown_tokens(cls):
    headers = {"authorization": "Bearer " + UNKNOWN_TOKEN}
    record(cls, *request("POST", "/api/v1/coverage", SMALL, headers), allowed={401, 503})


def reports(cls):
    status, payload, s = request("GET", "/api/v1/districts/%E5%85%96%E5%B7%9E%E5%8C%BA/report.pdf", timeout=90)
    record(cls, status, payload if status >= 400 else b"", s, allowed={200, 413} | BUSY)


def reports_abandoned(cls):
    # Ask for a report and hang up after 50 ms: its work must stop, its permit held until then.
    record(cls, *request("GET", "/api/v1/districts/%E5%85%96%E5%B7%9E%E5%8C%BA/report.pdf?resolution=10",
                         timeout=0.05, read=False), allowed={-1, 200, 413, 429, 503})


def analysis_tiles(cls):
    cid = coverage_id["id"]
    if cid is None:
        time.sleep(0.2)
        return
    for z, x, y in [(9, 422, 201), (10, 844, 403), (11, 1688, 807), (12, 3376, 1614)]:
        status, payload, s = request("GET", f"/tiles/coverage/{cid}/{z}/{x}/{y}.mvt")
        record(cls, status, b"" if status == 200 else payload, s, allowed={200, 204, 404, 429, 503})
    status, payload, s = request("GET", f"/ogc/collections/{cid}/items?limit=1000&offset=20000")
    record(cls, status, b"" if status == 200 else payload, s, allowed={200, 404, 429, 503})


def maps(cls):
    status, payload, s = request("GET", "/api/v1/maps/district/%E5%85%96%E5%B7%9E%E5%8C%BA.svg", timeout=60)
    record(cls, status, payload if status >= 400 else b"", s, allowed={200, 429, 503})


CLASSES = [
    ("huge_plan", huge_plan, 2, 2_000),
    ("wide_plan", wide_plan, 1, 2_000),
    ("big_boundary", big_boundary, 4, 400),
    ("mid_boundary", mid_boundary, 2, 200),
    ("district_coverage", district_coverage, 2, 200),
    ("thresholds", thresholds, 1, 400),
    ("lists", lists, 1, 400),
    ("plan_jobs", plan_jobs, 2, 500),
    ("unknown_tokens", unknown_tokens, 8, 5_000),
    ("reports", reports, 2, 100),
    ("reports_abandoned", reports_abandoned, 2, 500),
    ("analysis_tiles", analysis_tiles, 2, 2_000),
    ("maps", maps, 1, 200),
]

threads = []
for name, fire, n_threads, max_requests in CLASSES:
    for _ in range(n_threads):
        t = threading.Thread(target=loop, args=(name, fire, max_requests), daemon=True)
        t.start()
        threads.append(t)
for t in threads:
    t.join(timeout=max(1.0, DEADLINE - time.monotonic() + 90))

ok = all(not r["bad"] for r in results.values())
summary = {"classes": results, "ok": ok, "seconds": SECONDS}
json.dump(summary, open(OUT, "w", encoding="utf-8"), indent=1, ensure_ascii=False)
for name, r in sorted(results.items()):
    statuses = " ".join(f"{k}:{v}" for k, v in sorted(r["statuses"].items()))
    print(f"hostile_class name={name} requests={r['requests']} max_s={r['max_s']:.2f} statuses={statuses} "
          f"ok={'no' if r['bad'] else 'yes'}")
    for b in r["bad"]:
        print(f"  unexpected: {b}", file=sys.stderr)
sys.exit(0 if ok else 1)
