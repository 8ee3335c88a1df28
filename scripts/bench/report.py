"""Turns the logs of report.sh's steps into JSON rows and the rows into BENCHMARKS.md.

    python3 report.py parse STEP RESULTS_DIR      reads RESULTS_DIR/STEP.log (and friends), writes RESULTS_DIR/STEP.json
    python3 report.py render RESULTS_DIR OUT.md   one table from every RESULTS_DIR/*.json + run.json

Each STEP.json holds {"step", "measured_at", "rows": [...]}; a row has the table's columns:
benchmark, input, yizhan, peer, peer_figure, ratio, notes. A step that did not finish still writes its
rows, saying why ("not run: …"). Rows of steps not run this time are kept from their last run and
marked with the date they were measured.

Env: YIZHAN_MCLP_BEST=FILE, the stored 600-s spopt + CBC solution quoted beside the MCLP row (default:
solution_spopt_cbc_tl600.json in MCLP_INSTANCE, else in data/bench/mclp/inst_5000x500 of the
repository, else in ../shared/bench/mclp/inst_5000x500 beside it; MCLP_SHARED is the older name of
YIZHAN_MCLP_BEST). When it is not found the row says so and a line on standard error names the paths tried."""
import glob
import json
import os
import re
import sys
import time


def kv(line):
    return {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", line)}


def first(path, prefix):
    if not os.path.exists(path):
        return None
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith(prefix):
            return line.rstrip("\n")
    return None


def faster(yizhan, peer, higher_is_better):
    """'yizhan N× faster' or 'peer N× faster', direction explicit."""
    if not yizhan or not peer:
        return "—"
    r = yizhan / peer if higher_is_better else peer / yizhan
    if r >= 1:
        return f"yizhan {r:.1f}× faster" if r < 100 else f"yizhan {r:.0f}× faster"
    return f"peer {1 / r:.1f}× faster"


def row(benchmark, inp, yizhan, peer, peer_figure, ratio, notes):
    return {"benchmark": benchmark, "input": inp, "yizhan": yizhan, "peer": peer, "peer_figure": peer_figure,
            "ratio": ratio, "notes": notes}


def missing(benchmark, inp, peer, why):
    return row(benchmark, inp, "not run", peer, "—", "—", why)


INPUT_1M = "1,000,000 uniform points (~100 km box, seed 42), 10,000 query points (seed 7)"


def parse_nearest(res):
    rows = []
    # In process: criterion's mean time per 5-nearest query at 1M.
    est = os.path.join(res, "..", "..", "criterion", "nearest_k5", "1m", "new", "estimates.json")
    if os.path.exists(est):
        ns = json.load(open(est))["mean"]["point_estimate"]
        rows.append(row("nearest k=5, in process (criterion `nearest_k5/1m`)", "1,000,000 stations (criterion's own uniform set, same box)",
                        f"{ns / 1000:.2f} µs/query ({1e9 / ns:,.0f} queries/s on one core)", "—", "—", "—",
                        "no in-process peer among the issue's peers; the cost the HTTP rows build on"))
    else:
        rows.append(missing("nearest k=5, in process (criterion)", "1,000,000 stations", "—", "not run: criterion estimates missing (see nearest.log)"))
    http = first(os.path.join(res, "http_1m.txt"), "yizhan_http ")
    cpu = first(os.path.join(res, "http_1m.txt"), "yizhan_server_cpu_us_per_request")
    pg_tps = first(os.path.join(res, "postgis_1m.txt"), "tps = ")
    pg = first(os.path.join(res, "postgis_1m.txt"), "postgis_knn ")
    h = kv(http) if http else None
    ytext = (f"{h['rps']:,.0f} req/s, p50 {h['p50_ms']:.2f} ms, p99 {h['p99_ms']:.2f} ms"
             + (f" ({kv(cpu)['yizhan_server_cpu_us_per_request']:.0f} µs server CPU/request)" if cpu else "")) if h else "not run"
    if pg_tps and pg:
        tps = float(re.search(r"tps = ([0-9.]+)", pg_tps).group(1))
        p = kv(pg)
        rows.append(row("nearest k=5 over HTTP vs PostGIS KNN", INPUT_1M, ytext, "PostGIS 3.3 KNN (`<->`, GiST), pgbench -c 2 -j 2",
                        f"{tps:,.0f} TPS, p50 {p['p50_ms']:.2f} ms, p99 {p['p99_ms']:.2f} ms",
                        faster(h["rps"] if h else None, tps, True),
                        "yizhan: wrk -t2 -c64, full station JSON with geodesic distances over HTTP/1.1; PostGIS: ids only, planar degrees, binary protocol"))
    else:
        rows.append(row("nearest k=5 over HTTP vs PostGIS KNN", INPUT_1M, ytext, "PostGIS KNN (pgbench)", "—", "—", "not run: see nearest.log"))
    rd = first(os.path.join(res, "redis.txt"), "redis_geosearch ")
    if rd:
        r = kv(rd)
        rows.append(row("nearest k=5 over HTTP vs Redis GEOSEARCH", INPUT_1M, ytext, "Redis 7.0 GEOSEARCH … BYRADIUS 0.5 km ASC COUNT 5 WITHDIST, redis-benchmark -c 64 --threads 2",
                        f"{r['rps']:,.0f} req/s, p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms",
                        faster(h["rps"] if h else None, r["rps"], True),
                        f"same points loaded with pipelined GEOADD; {int(r['points'])} of the query points, {int(r['requests']) // int(r['points']):,} requests each; "
                        "Redis answers ids + distances, runs queries on one thread, and needs a radius (0.5 km holds ~78 points here)"))
    else:
        rows.append(row("nearest k=5 over HTTP vs Redis GEOSEARCH", INPUT_1M, ytext, "Redis GEOSEARCH", "—", "—", "not run: see nearest.log"))
    return rows


def parse_network(res):
    rows = []
    out = os.path.join(res, "..", "network")
    dirs = glob.glob(os.path.join(out, "*"))
    for d in sorted(dirs, key=lambda d: (not d.endswith("helsinki"), len(d), d)):
        rt = os.path.join(d, "rust_times.json")
        if not os.path.exists(rt):
            continue
        rs = json.load(open(rt))
        name = os.path.basename(d)
        build = rs.get("build_s", rs.get("build_ebike_s"))
        y = build + rs["field_s"]
        inp = f"{name}: {rs['nodes']:,} nodes, {rs['arcs']:,} arcs"
        ytext = f"field {rs['field_s'] * 1000:.1f} ms (+ graph build {build * 1000:.1f} ms)"
        nxp = os.path.join(d, "networkx.json")
        if os.path.exists(nxp):
            n = json.load(open(nxp))
            rows.append(row("all-node nearest-station field vs networkx", inp, ytext, "networkx multi_source_dijkstra_path_length",
                            f"field {n['nx_field_s'] * 1000:.1f} ms (+ graph build {n['nx_build_s'] * 1000:.1f} ms)",
                            faster(rs["field_s"], n["nx_field_s"], False),
                            f"field only, median of 3; max |difference| {n['max_abs_diff_s']:.1e} s, {n['reachability_mismatches']} reachability mismatches"))
        pap = os.path.join(d, "pandana.json")
        pa = json.load(open(pap)) if os.path.exists(pap) else {}
        if "pandana_total_s" in pa:
            rows.append(row("all-node nearest-station field vs pandana", inp, f"{y * 1000:.1f} ms end to end (build + field)",
                            "pandana Network + precompute + nearest_pois",
                            f"{pa['pandana_total_s'] * 1000:,.0f} ms end to end (CH build {pa['pandana_network_s'] * 1000:,.0f} ms, nearest_pois {pa['pandana_nearest_pois_s'] * 1000:.1f} ms)",
                            faster(y, pa["pandana_total_s"], False),
                            f"end to end, since pandana's contraction hierarchy is its build (query alone: nearest_pois vs field, "
                            f"{faster(rs['field_s'], pa['pandana_nearest_pois_s'], False)}); max |difference| {pa['max_abs_diff_s']:.3g} s within its {pa['maxdist_s']:.0f} s cap "
                            "(pandana's stations sit on nodes: it cannot start part-way along an edge)"))
        else:
            why = (f"Network() alone took {pa['pandana_network_s']:.0f} s" if "pandana_network_s" in pa else "its contraction-hierarchy build did not finish")
            rows.append(row("all-node nearest-station field vs pandana", inp, f"{y * 1000:.1f} ms end to end (build + field)",
                            "pandana", "did not finish within the step's time limit", "—",
                            f"not run to the end: {why} (report.sh caps pandana at 900 s, 300 s with --quick)"))
    if not rows:
        rows.append(missing("all-node nearest-station field", "Helsinki + synthetic grids", "networkx, pandana", "not run: see network.log"))
    return rows


REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
MCLP_BEST_NAME = "solution_spopt_cbc_tl600.json"


def mclp_best():
    """(path or None, paths looked at) of the stored 600-s spopt + CBC solution of inst_5000x500.

    YIZHAN_MCLP_BEST (or the older MCLP_SHARED) names the file; otherwise it is looked for in the
    instance folder (MCLP_INSTANCE, data/bench/mclp/inst_5000x500 in the repository, then
    ../shared/bench/mclp/inst_5000x500 beside the repository)."""
    explicit = [os.environ.get(v, "") for v in ("YIZHAN_MCLP_BEST", "MCLP_SHARED")]
    explicit = [p for p in explicit if p]
    if explicit:
        cands = explicit
    else:
        dirs = [os.environ.get("MCLP_INSTANCE", ""), os.path.join(REPO, "data", "bench", "mclp", "inst_5000x500"),
                os.path.join(REPO, "..", "shared", "bench", "mclp", "inst_5000x500")]
        cands = [os.path.normpath(os.path.join(d, MCLP_BEST_NAME)) for d in dirs if d]
    for cand in cands:
        if os.path.exists(cand):
            return cand, cands
    return None, cands


def parse_mclp(res):
    log = os.path.join(res, "mclp.log")
    y = first(log, "mclp ")
    s = first(log, "spopt: ")
    inp = "shared instance 5,000 demand × 500 candidates, r = 2,500 m, p = 20"
    best, looked = mclp_best()
    ref = json.load(open(best)) if best else {}
    if not y:
        return [missing("MCLP (maximal covering) vs spopt/CBC", inp, "spopt + PuLP + CBC", "not run: see mclp.log")]
    m = re.search(r"covered (\d+) of (\d+) \(([0-9.]+) %\).*end to end ([0-9.]+) s wall", y)
    obj, total, share, secs = float(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4))
    ytext = f"covered {obj:,.0f} ({share:.2f} %) in {secs:.2f} s"
    if ref.get("objective_covered_weight"):
        refnote = (f"; stored 600-s best known (spopt + CBC): {ref['objective_covered_weight']:,.0f}, "
                   f"yizhan/best = {obj / ref['objective_covered_weight']:.4f}")
    else:
        why = f"no objective_covered_weight in {best}" if best else f"{MCLP_BEST_NAME} not found"
        print(f"report.py: mclp: skipped the stored 600-s best known ({why}; looked at: {', '.join(looked)}); "
              "set YIZHAN_MCLP_BEST=FILE to quote it", file=sys.stderr)
        refnote = f"; stored 600-s best known not quoted ({why})"
    if s:
        sm = re.search(r"covered ([0-9.]+).*total ([0-9.]+) s", s)
        pobj, psecs = float(sm.group(1)), float(sm.group(2))
        status = s.split(";", 1)[1].strip(" |") if ";" in s else ""
        limit = re.search(r"spopt \+ \w+, (\d+) s time limit", open(log, encoding="utf-8").read())
        lim = limit.group(1) if limit else "?"
        return [row("MCLP (maximal covering) vs spopt/CBC", inp, ytext, f"spopt + PuLP + CBC, {lim} s time limit",
                    f"covered {pobj:,.0f} in {psecs:.1f} s (model build + solve)", faster(secs, psecs, False),
                    f"objective yizhan/spopt = {obj / pobj:.4f} (higher covers more){refnote}" + (f"; {status}" if status else ""))]
    return [row("MCLP (maximal covering) vs spopt/CBC", inp, ytext, "spopt + PuLP + CBC", "not run: see mclp.log", "—",
                f"peer did not finish{refnote}")]


def parse_tiles(res):
    log = os.path.join(res, "tiles.log")
    text = open(log, encoding="utf-8", errors="replace").read() if os.path.exists(log) else ""
    # `tiles.sh martin`: one tiles_yizhan and one tiles_martin line per station set.
    sides = {}
    for line in text.splitlines():
        m = re.match(r"tiles_(yizhan|martin) set=(\S+) stations=(\d+)", line)
        if m:
            sides.setdefault((m.group(2), int(m.group(3))), {})[m.group(1)] = kv(line)
    rows = []
    for (name, n), pair in sides.items():
        a, b = pair.get("yizhan"), pair.get("martin")
        if not (a and b):
            continue
        inp = f"every tile z12–z14 over 兖州区, {n:,} stations ({name}), gzip"
        rows.append(row("vector tiles vs Martin", inp, f"{a['rps']:,.0f} req/s, p99 {a['p99_ms']:.2f} ms, {a['errors']:.0f} errors",
                        "Martin 1.14 on the same stations in PostGIS (warm tile cache)",
                        f"{b['rps']:,.0f} req/s, p99 {b['p99_ms']:.2f} ms, {b['errors']:.0f} errors", faster(a["rps"], b["rps"], True),
                        "wrk, same tile list, one server after the other, same run (tiles.sh martin); same station ids checked on sample tiles first"))
    if rows:
        return rows
    inp = "every tile z12–z14 over 兖州区 (tiles.sh's data), gzip"
    y = first(log, "tiles_yizhan ")
    if y:
        a = kv(y)
        ytext = f"{a['rps']:,.0f} req/s, p99 {a['p99_ms']:.2f} ms"
    else:
        warm = re.findall(r"Requests/sec:\s+([0-9.]+)", text)
        ytext = f"{float(warm[-1]):,.0f} req/s (warm cache)" if warm else "not run"
    # tiles.sh prints its tiles_martin lines only when Martin ran; without them, say why.
    why = "not run: martin missing" if ("martin" not in text.lower() or "missing" in text.lower()) else "not run: see tiles.log"
    return [row("vector tiles vs Martin", inp, ytext, "Martin", "—", "—", why)]


def parse_soak(res):
    rows = []
    for storage in ("embedded", "postgis"):
        p = os.path.join(res, f"soak_{storage}.json")
        inp = "1,000,000 stations, 60 s at the measured capacity, one authenticated write a second"
        if not os.path.exists(p):
            rows.append(missing(f"soak /api/v1/nearest ({storage} storage)", inp, "—", "not run: see soak.log"))
            continue
        s = json.load(open(p))
        verdict = "pass" if s["ok"] else "FAIL"
        rows.append(row(f"soak /api/v1/nearest ({storage} storage)", inp,
                        f"{s['rps']:,} req/s held (capacity {s['capacity_rps']:,.0f}), {s['errors']} errors, p50 {s['p50_ms']:.2f} ms, p99 {s['p99_ms']:.2f} ms, writes {s['writes_ok']}/{s['writes']} ok (p50 {s.get('write_p50_ms')} ms, max {s.get('write_max_ms')} ms)",
                        "—", "—", "—",
                        f"{verdict}; server RSS first {s['rss_first_kib'] / 1024:.0f} MiB, after warm-up {s['rss_warm_kib'] / 1024:.0f} MiB, last {s['rss_last_kib'] / 1024:.0f} MiB, max {s['rss_max_kib'] / 1024:.0f} MiB (flat: {s['rss_rule']})"
                        + (f", trend after warm-up {s['rss_slope_kib_per_s']:+.0f} KiB/s" if s.get("rss_slope_kib_per_s") is not None else "")
                        + f"; held rate {s['rps'] / s['target_rps']:.0%} of target; no peer: a pass/fail check"))
    return rows


def parse_hostile(res):
    p = os.path.join(res, "hostile.json")
    inp = "1,000,000 stations; every expensive anonymous class at once (hostile.py) for 60 s; riders paced by wrk"
    if not os.path.exists(p):
        return [missing("riders under hostile load (hostile.sh)", inp, "—", "not run: see hostile.log")]
    h = json.load(open(p))
    failed = [k for k, v in h["goals"].items() if not v]
    verdict = "pass" if h["ok"] else "FAIL: " + ", ".join(failed)
    q, a = h["quiet"], h["attack"]
    return [row("riders under hostile load (hostile.sh)", inp,
                f"{h['rate']:,} req/s riders: p50 {a['p50_ms']:.2f} ms, p99 {a['p99_ms']:.2f} ms, max {a['max_ms']:.0f} ms, {a['errors']} errors; "
                f"peak RSS {h['rss_peak_kib'] / 1024:.0f} MiB; SIGTERM exit {h['sigterm_s']:.2f} s",
                "the same riders, quiet (same run)", f"p50 {q['p50_ms']:.2f} ms, p99 {q['p99_ms']:.2f} ms, max {q['max_ms']:.0f} ms",
                f"p99 {a['p99_ms'] / q['p99_ms']:.2f}× quiet" if q["p99_ms"] else "—",
                f"{verdict} (goals: p99 < 50 ms, max < 1 s, 0 errors, RSS < 1.5 GiB, SIGTERM < 5 s); "
                f"{sum(h['refused_during_attack'].values()):,} refusals counted by /metrics half-way")]


def parse_coverage(res):
    return [row("coverage analysis (H3 cells within 10/15 min)", "—", "not run", "—", "—", "—",
                "not run: no peer computes the same analysis (h3-py only assigns cells; it does no coverage by travel time)")]


PARSERS = {"nearest": parse_nearest, "network": parse_network, "mclp": parse_mclp, "tiles": parse_tiles,
           "soak": parse_soak, "coverage": parse_coverage, "hostile": parse_hostile}
ORDER = ["nearest", "network", "mclp", "coverage", "tiles", "soak", "hostile"]


def parse(step, res):
    rows = PARSERS[step](res)
    json.dump({"step": step, "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "rows": rows},
              open(os.path.join(res, f"{step}.json"), "w", encoding="utf-8"), ensure_ascii=False, indent=1)
    for r in rows:
        print(f"{r['benchmark']}: yizhan {r['yizhan']} | {r['peer']} {r['peer_figure']} | {r['ratio']}")


def cell(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def render(res, out):
    run = json.load(open(os.path.join(res, "run.json"), encoding="utf-8"))
    lines = [
        "# Benchmarks",
        "",
        "Every figure below is beside its peer, measured on the same input, on the same machine, in the same run of",
        "`scripts/bench/report.sh` (rows marked with an earlier date were kept from an earlier run of that step).",
        "",
        f"- Date: {run['finished']} (started {run['started']})",
        f"- Machine: {run['cores']} cores ({run['cpu']}), {run['ram_gib']} GiB RAM; shared with other work — "
        f"load average (1 min) {run['load_before']} before, {run['load_after']} after",
        f"- Commit: `{run['commit']}`",
        f"- Regenerate: `{run['command']}` (options: `--only nearest,network,mclp,coverage,tiles,soak,hostile`, `--quick`); "
        "raw results in `target/bench/results/`",
        "",
        "| benchmark | input | yizhan | peer | peer figure | ratio | notes |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for step in ORDER:
        p = os.path.join(res, f"{step}.json")
        if not os.path.exists(p):
            continue
        d = json.load(open(p, encoding="utf-8"))
        stale = step not in run["steps"]
        for r in d["rows"]:
            notes = r["notes"] + (f" (measured {d['measured_at']}, not in this run)" if stale else "")
            lines.append("| " + " | ".join(cell(x) for x in (r["benchmark"], r["input"], r["yizhan"], r["peer"],
                                                                 r["peer_figure"], r["ratio"], notes)) + " |")
    lines += [
        "",
        "Ratios compare like with like as far as the peers allow: throughput for the request rows (higher is",
        "better), wall time for the network and MCLP rows (lower is better); the direction is written out.",
        "Load generators share the two cores with the server under test, so the request rates are for side-by-side",
        "comparison on this machine, not absolute capacity. Details of each harness: `scripts/bench/README.md`.",
        "",
    ]
    open(out, "w", encoding="utf-8").write("\n".join(lines))


if __name__ == "__main__":
    if sys.argv[1] == "parse":
        parse(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "render":
        render(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
