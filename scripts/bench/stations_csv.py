#!/usr/bin/env python3
"""Turn the k-nearest peer's points into a station CSV that `yizhan import` reads.

Input: points_1m.csv (id,lon,lat) written by the peer generator knn_points.py (1,000,000 uniform
points in a ~100 km box around lon 116.8, lat 35.55, seed 42). Output: a CSV with the headers
name,kind,lon,lat,source,external_id; the same positions in the same order, so the HTTP benchmark
and the PostGIS peer query the same stations. Kinds are drawn with a seeded generator in the
proportions the in-process benchmark uses (40 % rest stations, 30 % caring merchants, 20 %
charging cabinets, 10 % ride-hailing bays).

Usage: stations_csv.py POINTS_CSV OUT_CSV [N]   (N: keep the first N points; default all)
"""
import csv
import random
import sys

KINDS = [(0.40, "rest_station"), (0.70, "caring_merchant"), (0.90, "charging_cabinet"), (1.01, "ride_hailing_bay")]


def kind(r: float) -> str:
    for bound, code in KINDS:
        if r < bound:
            return code
    return KINDS[-1][1]


def main() -> int:
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    src, dst = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) == 4 else None
    rng = random.Random(42)
    n = 0
    with open(src, newline="", encoding="utf-8") as fin, open(dst, "w", newline="", encoding="utf-8") as fout:
        rows = csv.DictReader(fin)
        out = csv.writer(fout, lineterminator="\n")
        out.writerow(["name", "kind", "lon", "lat", "source", "external_id"])
        for row in rows:
            if limit is not None and n >= limit:
                break
            pid = row["id"]
            out.writerow([f"基准驿站{pid}", kind(rng.random()), row["lon"], row["lat"], "bench-knn", pid])
            n += 1
    print(f"{dst}: {n} stations", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
