"""Peer timings on graphs exported by `network_export` (nodes.csv, edges.csv, seeds.csv, field.csv).

    python peers.py networkx DIR [RUNS]     -> DIR/networkx.json
    python peers.py pandana DIR MAXDIST [RUNS] -> DIR/pandana.json
    python peers.py report DIR...           -> side-by-side table

networkx: multi_source_dijkstra_path_length on the reversed DiGraph (time from every node to its
nearest station); seeds with a starting time go through a virtual super-source. pandana: Network
(contraction hierarchies) + precompute(MAXDIST) + set_pois + nearest_pois(num_pois=1); POIs are
the seed nodes (pandana cannot start part-way along an edge). Both agree-checks against field.csv
are printed (max |difference| in seconds over nodes both report)."""
import json, os, sys, time, statistics as st
import numpy as np, pandas as pd


def load(d):
    nodes = pd.read_csv(os.path.join(d, 'nodes.csv'), index_col='id')
    edges = pd.read_csv(os.path.join(d, 'edges.csv'))
    seeds = pd.read_csv(os.path.join(d, 'seeds.csv'))
    field = pd.read_csv(os.path.join(d, 'field.csv'), index_col='node')['time']
    return nodes, edges, seeds, field


def timed(f, runs):
    ts, out = [], None
    for _ in range(runs):
        t = time.perf_counter(); out = f(); ts.append(time.perf_counter() - t)
    return st.median(ts), out


def run_networkx(d, runs=3):
    import networkx as nx
    nodes, edges, seeds, field = load(d)
    r = {'nodes': len(nodes), 'arcs': len(edges)}
    def build():
        G = nx.DiGraph()
        G.add_nodes_from(nodes.index.values)
        G.add_weighted_edges_from(edges[['to', 'from', 'weight']].itertuples(index=False, name=None))  # reversed
        return G
    r['nx_build_s'], G = timed(build, 1)
    zero = bool((seeds.time == 0).all())
    if zero:
        src = set(seeds.node.tolist())
        f = lambda: nx.multi_source_dijkstra_path_length(G, src, weight='weight')
    else:
        G.add_weighted_edges_from((-1 - int(s), int(n), float(t)) for s, n, t in seeds.itertuples(index=False, name=None))
        G.add_weighted_edges_from((-10**9, -1 - int(s), 0.0) for s in seeds.source.unique())
        f = lambda: {k: v for k, v in nx.single_source_dijkstra_path_length(G, -10**9, weight='weight').items() if k >= 0}
    r['nx_field_s'], dist = timed(f, runs)
    nx_t = pd.Series(dist, dtype=float).reindex(field.index)
    both = nx_t.notna() & field.notna()
    r['reached_nx'] = int(nx_t.notna().sum())
    r['reached_rust'] = int(field.notna().sum())
    r['reachability_mismatches'] = int((nx_t.notna() != field.notna()).sum())
    r['max_abs_diff_s'] = float((nx_t[both] - field[both]).abs().max()) if both.any() else 0.0
    json.dump(r, open(os.path.join(d, 'networkx.json'), 'w'), indent=1)
    print('networkx', json.dumps(r), flush=True)


def run_pandana(d, maxdist, runs=1):
    import pandana as pdna
    nodes, edges, seeds, field = load(d)
    r = {'maxdist_s': maxdist}
    mk = lambda: pdna.Network(nodes.lon, nodes.lat, edges['from'], edges['to'], edges[['weight']], twoway=False)
    r['pandana_network_s'], net = timed(mk, 1)
    json.dump(r, open(os.path.join(d, 'pandana.json'), 'w'), indent=1)  # partial result if killed later
    r['pandana_precompute_s'], _ = timed(lambda: net.precompute(maxdist), 1)
    sn = nodes.loc[seeds.node.unique()]
    r['pandana_set_pois_s'], _ = timed(lambda: net.set_pois('stations', maxdist, 1, sn.lon, sn.lat), 1)
    r['pandana_nearest_pois_s'], near = timed(lambda: net.nearest_pois(maxdist, 'stations', num_pois=1), runs)
    pd_t = near[1].astype(float).reindex(field.index)
    ok = field.notna() & (field < maxdist) & (pd_t < maxdist)
    r['compared_nodes'] = int(ok.sum())
    r['max_abs_diff_s'] = float((pd_t[ok] - field[ok]).abs().max()) if ok.any() else None
    r['pandana_total_s'] = r['pandana_network_s'] + r['pandana_precompute_s'] + r['pandana_set_pois_s'] + r['pandana_nearest_pois_s']
    json.dump(r, open(os.path.join(d, 'pandana.json'), 'w'), indent=1)
    print('pandana', json.dumps(r), flush=True)


def report(dirs):
    for d in dirs:
        rs = json.load(open(os.path.join(d, 'rust_times.json')))
        nx_ = json.load(open(os.path.join(d, 'networkx.json'))) if os.path.exists(os.path.join(d, 'networkx.json')) else {}
        pa = json.load(open(os.path.join(d, 'pandana.json'))) if os.path.exists(os.path.join(d, 'pandana.json')) else {}
        build = rs.get('build_s', rs.get('build_ebike_s'))
        print(f"\n== {os.path.basename(d)}: {rs['nodes']:,} nodes, {rs['arcs']:,} arcs ==")
        print(f"{'':28}{'build (s)':>12}{'field (s)':>12}{'end-to-end (s)':>16}")
        print(f"{'yizhan (Rust)':28}{build:12.4f}{rs['field_s']:12.4f}{build + rs['field_s']:16.4f}")
        if nx_:
            print(f"{'networkx msdijkstra':28}{nx_['nx_build_s']:12.4f}{nx_['nx_field_s']:12.4f}{nx_['nx_build_s'] + nx_['nx_field_s']:16.4f}"
                  f"   field ratio {nx_['nx_field_s'] / rs['field_s']:.0f}x, max|diff| {nx_['max_abs_diff_s']:.2e} s, reach mismatches {nx_['reachability_mismatches']}")
        if 'pandana_total_s' in pa:
            pb = pa['pandana_network_s'] + pa['pandana_precompute_s'] + pa['pandana_set_pois_s']
            print(f"{'pandana nearest_pois':28}{pb:12.4f}{pa['pandana_nearest_pois_s']:12.4f}{pa['pandana_total_s']:16.4f}"
                  f"   end-to-end ratio {pa['pandana_total_s'] / (build + rs['field_s']):.0f}x, max|diff| {pa['max_abs_diff_s']} s (cap {pa['maxdist_s']} s)")
        elif pa:
            print(f"{'pandana nearest_pois':28}  did not finish: Network() took {pa.get('pandana_network_s', 'more than the timeout')} s; see peers.sh log")
        else:
            print(f"{'pandana nearest_pois':28}  did not finish within the timeout (CH build still running)")


if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'networkx':
        run_networkx(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 3)
    elif cmd == 'pandana':
        run_pandana(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    elif cmd == 'report':
        report(sys.argv[2:])
    else:
        sys.exit(f'unknown command {cmd}')
