#!/usr/bin/env python3
"""Helpers of the console paging benchmark (scripts/bench/console.sh). Standard library only.

  console_report.py ids GENERATED_CSV EXPORT_CSV OUT_CSV
      Checks that `yizhan export --format csv --lang en` holds every generated station with the
      same fields, and writes external_id,id,created_at,updated_at for the PostgreSQL load.
  console_report.py check SHAPE API_JSON SQL_JSON
      Both answers of one shape: the same numberMatched and the same page ids in the same order,
      else exit 1 naming the first difference. Prints one JSON line.
  console_report.py wrk SHAPE FILE LOAD_BEFORE BUSY_BEFORE
  console_report.py pgbench SHAPE FILE LOG_PREFIX LOAD_BEFORE BUSY_BEFORE
      One JSON line of figures from wrk's / pgbench's output (pgbench's p99 from its
      per-transaction log).
  console_report.py render RESULTS_JSONL CHECKS_JSONL META_JSON OUT_MD
      The Markdown table (and the load averages) from the lines above.
"""
import csv
import glob
import json
import re
import sys

COMPARED = ["name", "kind", "lon", "lat", "address", "district", "street", "status", "verified_on", "source"]


def cmd_ids(generated, export, out):
    with open(generated, newline="", encoding="utf-8") as f:
        want = {r["external_id"]: r for r in csv.DictReader(f)}
    seen = 0
    problems = []
    with open(export, newline="", encoding="utf-8-sig") as f, open(out, "w", newline="", encoding="utf-8") as o:
        w = csv.writer(o, lineterminator="\n")
        w.writerow(["external_id", "id", "created_at", "updated_at"])
        for r in csv.DictReader(f):
            g = want.get(r["external_id"])
            if g is None:
                problems.append(f"exported station {r['id']} ({r['external_id']!r}) is not in the generated file")
            else:
                seen += 1
                for c in COMPARED:
                    a, b = g[c], r[c]
                    same = abs(float(a) - float(b)) < 1e-9 if c in ("lon", "lat") else a == b
                    if not same:
                        problems.append(f"{r['external_id']}: {c} generated {a!r}, stored {b!r}")
                        break
            w.writerow([r["external_id"], r["id"], r["created_at"], r["updated_at"]])
            if len(problems) > 10:
                break
    if seen != len(want) and not problems:
        problems.append(f"yizhan holds {seen} of the {len(want)} generated stations")
    if problems:
        sys.exit("the stored stations differ from the generated file:\n  " + "\n  ".join(problems[:10]))
    print(f"{seen} stations: yizhan's stored fields equal the generated file", file=sys.stderr)


def page(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    feats = doc.get("features") or []
    return int(doc["numberMatched"]), [int(x["id"]) for x in feats]


def cmd_check(shape, api, sql):
    am, aids = page(api)
    sm, sids = page(sql)
    rec = {"shape": shape, "api_matched": am, "sql_matched": sm, "api_ids": len(aids), "sql_ids": len(sids),
           "first_ids": aids[:5], "same": am == sm and aids == sids}
    print(json.dumps(rec))
    if am != sm:
        sys.exit(f"shape {shape}: numberMatched differs: yizhan {am}, PostgreSQL {sm}")
    if aids != sids:
        i = next((k for k, (x, y) in enumerate(zip(aids, sids)) if x != y), min(len(aids), len(sids)))
        sys.exit(f"shape {shape}: page ids differ at position {i}: yizhan {aids[i:i + 5]}, PostgreSQL {sids[i:i + 5]}"
                 f" (yizhan {len(aids)} ids, PostgreSQL {len(sids)})")
    if not aids:
        sys.exit(f"shape {shape}: the page is empty on both sides; the shape measures nothing")


def ms(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text)
    if not m:
        raise ValueError(f"not a wrk duration: {text!r}")
    v, u = float(m.group(1)), m.group(2)
    return v * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[u]


def cmd_wrk(shape, path, load, busy):
    text = open(path, encoding="utf-8").read()
    rps = float(re.search(r"^Requests/sec:\s+([0-9.]+)", text, re.M).group(1))
    req = int(re.search(r"^\s*(\d+) requests in", text, re.M).group(1))
    pct = {p: ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", text, re.M)}
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sock = re.search(r"Socket errors: (.*)", text)
    errors = int(non2xx.group(1)) if non2xx else 0
    if sock:
        errors += sum(int(x) for x in re.findall(r"\d+", sock.group(1)))
    print(json.dumps({"side": "yizhan", "shape": shape, "rps": rps, "requests": req, "p50_ms": pct.get("50"),
                      "p99_ms": pct.get("99"), "errors": errors, "load_before": float(load), "busy_before": float(busy)}))
    if errors:
        sys.exit(f"shape {shape}: wrk saw {errors} errors or non-2xx answers (see {path})")


def cmd_pgbench(shape, path, prefix, load, busy):
    text = open(path, encoding="utf-8").read()
    tps = float(re.search(r"^tps = ([0-9.]+)", text, re.M).group(1))
    failed = re.search(r"number of failed transactions: (\d+)", text)
    lat = []
    for f in glob.glob(prefix + ".*"):
        for line in open(f, encoding="utf-8"):
            parts = line.split()
            if len(parts) >= 3:
                lat.append(int(parts[2]))
    lat.sort()
    if not lat:
        sys.exit(f"shape {shape}: pgbench wrote no transaction log at {prefix}.*")
    pct = lambda p: lat[min(len(lat) - 1, int(p / 100 * len(lat)))] / 1000
    errors = int(failed.group(1)) if failed else 0
    print(json.dumps({"side": "postgis", "shape": shape, "tps": tps, "transactions": len(lat), "p50_ms": pct(50),
                      "p99_ms": pct(99), "errors": errors, "load_before": float(load), "busy_before": float(busy)}))
    if errors:
        sys.exit(f"shape {shape}: pgbench reports {errors} failed transactions (see {path})")


def fmt(v, nd=0):
    return "—" if v is None else f"{v:,.{nd}f}"


def cmd_render(results, checks, meta, out):
    rows = [json.loads(l) for l in open(results, encoding="utf-8") if l.strip()]
    chk = {c["shape"]: c for c in (json.loads(l) for l in open(checks, encoding="utf-8") if l.strip())}
    m = json.load(open(meta, encoding="utf-8"))
    by = {}
    for r in rows:
        by.setdefault(r["shape"], {})[r["side"]] = r
    lines = [
        "# Console paging: yizhan vs PostgreSQL 15 + PostGIS",
        "",
        f"{m['stations']:,} stations (console_stations.py, seed {m['seed']}, today {m['today']}), "
        f"same rows in both; {m['date']} on {m['cpu']} ({m['cores']} cores); {m['commit']}.",
        f"yizhan: `wrk -t{m['wrk_threads']} -c{m['wrk_connections']} -d{m['seconds']}s` after a {m['warmup']}-s warm-up, "
        f"`GET /api/v1/stations?…&limit=50`. PostGIS: `pgbench -n -c 2 -j 2 -M prepared -T {m['seconds']}` after a "
        f"{m['warmup']}-s warm-up, one statement per shape (page as `json_agg` of GeoJSON features + `count(*)`).",
        f"Quiet gate: {m['quiet']}. Before each timed run the script also waited (at most {m['step_wait']} s) for the "
        f"machine's CPU busy share over one second to fall below {m['step_busy']:.0%}; "
        + ("every run started below it." if not m["unsettled"] else f"{m['unsettled']} run(s) started above it (timed anyway)."),
        "",
        "| shape | matched | yizhan req/s | yizhan p99 ms | PostGIS TPS | PostGIS p99 ms | yizhan / PostGIS | server CPU ms per answer (yizhan / PostGIS) | load avg at start (yizhan / PostGIS) | ids equal |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |",
    ]
    for s in m["shapes"]:
        y, p, c = by.get(s["id"], {}).get("yizhan"), by.get(s["id"], {}).get("postgis"), chk.get(s["id"])
        ratio = (y["rps"] / p["tps"]) if y and p and p["tps"] else None
        loads = f"{fmt(y and y['load_before'], 2)} / {fmt(p and p['load_before'], 2)}"
        cpu = f"{fmt(y and y.get('cpu_ms_per_req'), 3)} / {fmt(p and p.get('cpu_ms_per_req'), 3)}"
        lines.append(
            f"| {s['id']}) {s['label']} | {fmt(c and c['api_matched'])} | {fmt(y and y['rps'])} | {fmt(y and y['p99_ms'], 2)} "
            f"| {fmt(p and p['tps'])} | {fmt(p and p['p99_ms'], 2)} | {fmt(ratio, 2)} | {cpu} | {loads} "
            f"| {'yes' if c and c['same'] else 'NO'} |"
        )
    lines += [
        "",
        "Load average: the 1-minute figure at the start of each timed run (before its warm-up; it still holds the "
        "decaying load of the run before, this script's own); machine busy: the CPU busy share of the whole machine "
        "over the second before it, with both servers idle (other work on the machine):",
        "",
        "| shape | side | load avg | machine busy before |",
        "| --- | --- | ---: | ---: |",
    ]
    for s in m["shapes"]:
        for side in ("yizhan", "postgis"):
            r = by.get(s["id"], {}).get(side)
            if r:
                lines.append(f"| {s['id']} | {side} | {r['load_before']:.2f} | {r['busy_before']:.0%} |")
    lines += ["", "Queries:", ""]
    for s in m["shapes"]:
        lines.append(f"- {s['id']}) `GET /api/v1/stations?{s['query']}` ⇔ `WHERE {s['where']} ORDER BY {s['order']} "
                     f"LIMIT 50 OFFSET {s['offset']}`")
    lines.append("")
    open(out, "w", encoding="utf-8").write("\n".join(lines))
    print("\n".join(lines))


def main():
    cmds = {"ids": (cmd_ids, 3), "check": (cmd_check, 3), "wrk": (cmd_wrk, 4), "pgbench": (cmd_pgbench, 5),
            "render": (cmd_render, 4)}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds or len(sys.argv) - 2 != cmds[sys.argv[1]][1]:
        sys.exit(__doc__)
    fn, _ = cmds[sys.argv[1]]
    fn(*sys.argv[2:])


if __name__ == "__main__":
    main()
