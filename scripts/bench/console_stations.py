#!/usr/bin/env python3
"""Seeded station register for the console paging benchmark (scripts/bench/console.sh).

Writes a CSV that `yizhan import` reads (English headers: name,kind,lon,lat,address,district,
street,status,verified_on,source,external_id) and that PostgreSQL loads with COPY. Python standard
library only; the same seed, count and `--today` give the same bytes.

- streets: real 街道/镇 names of 兖州区 and 任城区 (济宁市), weighted (central streets dense, rural
  towns sparse; 新驿镇 holds ~1 % of the stations, so `q=新驿镇` matches ~1 % of names);
- names: street + kind label + a 4-digit number per street and kind, e.g. 鼓楼街道户外劳动者驿站0001;
- addresses: 山东省济宁市 + district + street + one of the roads below + house number;
- kinds 40 % rest_station, 30 % caring_merchant, 20 % charging_cabinet, 10 % ride_hailing_bay;
  status 85 % active, 10 % planned, 5 % closed;
- verified_on: 20 % never verified (empty), else a day within the 400 days up to `--today`;
- positions: around a per-street centre (Gaussian, sigma ~3 km), clipped to a 50 km x 50 km box
  centred on 116.8 E, 35.55 N, 6 decimals.

Usage: console_stations.py OUT_CSV [--n 100000] [--seed 42] [--today YYYY-MM-DD]
       (--today defaults to today in Asia/Shanghai, the server's time zone)
Prints one JSON line of summary figures to standard output (counts, the q fragment's share).
"""
import argparse
import csv
import datetime as dt
import json
import math
import random
import sys

# (district, street, weight). 新驿镇 is the ~1 % street of the `q=` shape.
STREETS = [
    ("兖州区", "鼓楼街道", 12.0),
    ("兖州区", "龙桥街道", 10.0),
    ("兖州区", "酒仙桥街道", 8.0),
    ("兖州区", "兴隆庄街道", 6.0),
    ("兖州区", "大安镇", 4.0),
    ("兖州区", "颜店镇", 3.5),
    ("兖州区", "漕河镇", 3.0),
    ("兖州区", "小孟镇", 2.5),
    ("兖州区", "新驿镇", 1.0),
    ("任城区", "济阳街道", 8.0),
    ("任城区", "阜桥街道", 7.0),
    ("任城区", "越河街道", 6.0),
    ("任城区", "南苑街道", 5.0),
    ("任城区", "观音阁街道", 5.0),
    ("任城区", "古槐街道", 4.5),
    ("任城区", "仙营街道", 4.0),
    ("任城区", "金城街道", 3.5),
    ("任城区", "许庄街道", 2.5),
    ("任城区", "李营街道", 2.0),
    ("任城区", "唐口街道", 1.5),
    ("任城区", "安居街道", 1.0),
]
ROADS = [
    "建设东路", "建设西路", "九州大道", "龙桥南路", "龙桥北路", "中御桥路", "兴隆路", "文化路",
    "少陵路", "九仙桥路", "西御桥路", "东方路", "青年路", "大禹路", "新兖路", "益民路",
    "华勤大道", "天齐庙街", "古城街", "泗河路", "太白路", "红星路", "琵琶山路", "共青团路",
    "洸河路", "运河路", "车站西路", "吴泰闸路", "荣昌路", "金宇路",
]
KINDS = [
    (0.40, "rest_station", "户外劳动者驿站"),
    (0.70, "caring_merchant", "爱心商户"),
    (0.90, "charging_cabinet", "充电换电柜"),
    (1.01, "ride_hailing_bay", "网约车临时停靠点"),
]
STATUSES = [(0.85, "active"), (0.95, "planned"), (1.01, "closed")]
HEADERS = ["name", "kind", "lon", "lat", "address", "district", "street", "status", "verified_on", "source", "external_id"]
SOURCE = "console-bench"
Q_FRAGMENT = "新驿镇"

LON0, LAT0 = 116.8, 35.55
HALF_KM = 25.0
KM_PER_DEG_LAT = 111.32
DLAT = HALF_KM / KM_PER_DEG_LAT
DLON = HALF_KM / (KM_PER_DEG_LAT * math.cos(math.radians(LAT0)))


def pick(table, r):
    for row in table:
        if r < row[0]:
            return row
    return table[-1]


def shanghai_today() -> dt.date:
    return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=8)).date()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--today", type=dt.date.fromisoformat, default=None)
    a = ap.parse_args()
    today = a.today or shanghai_today()
    rng = random.Random(a.seed)

    total_w = sum(w for _, _, w in STREETS)
    cum, acc = [], 0.0
    for d, s, w in STREETS:
        acc += w / total_w
        cum.append((acc, d, s))
    cum[-1] = (1.01, cum[-1][1], cum[-1][2])
    # A fixed centre per street inside the box (kept 5 km from its edges).
    centres = {}
    for _, d, s in cum:
        centres[s] = (
            LON0 + rng.uniform(-0.8, 0.8) * DLON,
            LAT0 + rng.uniform(-0.8, 0.8) * DLAT,
        )
    sigma_lat = 3.0 / KM_PER_DEG_LAT
    sigma_lon = 3.0 / (KM_PER_DEG_LAT * math.cos(math.radians(LAT0)))

    seq = {}
    never = q_hits = 0
    with open(a.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADERS)
        for i in range(1, a.n + 1):
            _, district, street = pick(cum, rng.random())
            _, kind, label = pick(KINDS, rng.random())
            _, status = pick(STATUSES, rng.random())
            key = (street, kind)
            seq[key] = seq.get(key, 0) + 1
            name = f"{street}{label}{seq[key]:04d}"
            address = f"山东省济宁市{district}{street}{rng.choice(ROADS)}{rng.randint(1, 999)}号"
            clon, clat = centres[street]
            lon = min(max(rng.gauss(clon, sigma_lon), LON0 - DLON), LON0 + DLON)
            lat = min(max(rng.gauss(clat, sigma_lat), LAT0 - DLAT), LAT0 + DLAT)
            if rng.random() < 0.20:
                verified = ""
                never += 1
            else:
                verified = (today - dt.timedelta(days=rng.randrange(400))).isoformat()
            if Q_FRAGMENT in name.lower() or Q_FRAGMENT in address.lower():
                q_hits += 1
            w.writerow([name, kind, f"{lon:.6f}", f"{lat:.6f}", address, district, street, status, verified, SOURCE, f"YZB{i:06d}"])
    print(json.dumps({
        "file": a.out, "stations": a.n, "seed": a.seed, "today": today.isoformat(),
        "never_verified": never, "q_fragment": Q_FRAGMENT, "q_matches": q_hits,
        "q_share": round(q_hits / max(a.n, 1), 4),
    }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
