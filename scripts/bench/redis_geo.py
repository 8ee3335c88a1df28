"""Redis GEOSEARCH peer of the nearest-station benchmark (used by report.sh).

    python3 redis_geo.py load POINTS.csv            > RESP protocol on stdout for `redis-cli --pipe`
    python3 redis_geo.py summary N CSV...           one line `redis_geosearch …` from redis-benchmark --csv runs

`load` turns the peer's points (id,lon,lat) into GEOADD commands of 1,000 members each, key `pts`.
`summary` adds up several `redis-benchmark --csv` outputs (one per query point): total requests over
total time, and the request-weighted mean of their p50 and p99 latencies."""
import csv
import re
import sys


def resp(args):
    out = [f"*{len(args)}\r\n"]
    for a in args:
        b = str(a)
        out.append(f"${len(b.encode())}\r\n{b}\r\n")
    return "".join(out)


def load(path):
    w = sys.stdout.write
    batch = ["GEOADD", "pts"]
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            batch += [row["lon"], row["lat"], row["id"]]
            if len(batch) >= 2 + 3 * 1000:
                w(resp(batch))
                batch = ["GEOADD", "pts"]
    if len(batch) > 2:
        w(resp(batch))


def summary(paths, requests_each):
    total_req, total_s, p50, p99 = 0, 0.0, 0.0, 0.0
    for p in paths:
        rows = list(csv.reader(open(p)))
        head, vals = rows[0], rows[-1]
        d = dict(zip(head, vals))
        rps = float(d["rps"])
        total_req += requests_each
        total_s += requests_each / rps
        p50 += float(d["p50_latency_ms"]) * requests_each
        p99 += float(d["p99_latency_ms"]) * requests_each
    print(
        f"redis_geosearch requests={total_req} rps={total_req / total_s:.0f} "
        f"p50_ms={p50 / total_req:.3f} p99_ms={p99 / total_req:.3f} points={len(paths)}"
    )


if __name__ == "__main__":
    if sys.argv[1] == "load":
        load(sys.argv[2])
    elif sys.argv[1] == "summary":
        n = int(re.sub(r"\D", "", sys.argv[2]))
        summary(sys.argv[3:], n)
    else:
        sys.exit("usage: redis_geo.py load POINTS.csv | summary REQUESTS_EACH CSV...")
