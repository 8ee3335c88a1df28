"""Compare field.csv (yizhan) with networkx on nodes.csv/edges.csv/seeds.csv. See check_networkx.sh."""
import csv, os, sys
import networkx as nx

d = sys.argv[1]
rows = lambda name: list(csv.DictReader(open(os.path.join(d, name), newline='')))
nodes = [int(r['id']) for r in rows('nodes.csv')]
G = nx.DiGraph()
G.add_nodes_from(nodes)
# Reversed arcs: a search from the stations over reversed arcs gives each node's time TO a station.
G.add_weighted_edges_from((int(r['to']), int(r['from']), float(r['weight'])) for r in rows('edges.csv'))
seeds = rows('seeds.csv')
SUPER = -1
station = lambda s: ('station', int(s))
for s in {r['source'] for r in seeds}:
    G.add_edge(SUPER, station(s), weight=0.0)
for r in seeds:
    # A station joins the end nodes of its road segment with partial times (off-road walk included).
    w = float(r['time'])
    e = G.get_edge_data(station(r['source']), int(r['node']))
    if e is None or w < e['weight']:
        G.add_edge(station(r['source']), int(r['node']), weight=w)
dist, paths = nx.single_source_dijkstra(G, SUPER, weight='weight')
ours = {int(r['node']): (float(r['time']), int(r['source'])) if r['time'] else None for r in rows('field.csv')}
assert set(ours) == set(nodes), 'field.csv does not list every node'
max_diff, reach_bad, far, station_bad = 0.0, [], [], []
per_station = {}
for u in nodes:
    mine, theirs = ours[u], dist.get(u)
    if (mine is None) != (theirs is None):
        reach_bad.append(u)
        continue
    if mine is None:
        continue
    diff = abs(mine[0] - theirs)
    max_diff = max(max_diff, diff)
    if diff > 1.0:
        far.append((u, mine[0], theirs))
    nx_station = int(paths[u][1][1])
    if nx_station != mine[1]:
        # Must be a tie: our station's own time to u equals the minimum.
        if mine[1] not in per_station:
            H = G.copy(); H.remove_node(SUPER)
            per_station[mine[1]] = nx.single_source_dijkstra_path_length(H, station(mine[1]), weight='weight')
        if abs(per_station[mine[1]].get(u, float('inf')) - theirs) > 1e-3:
            station_bad.append((u, mine[1], nx_station))
ok = not (reach_bad or far or station_bad)
reached = sum(1 for u in nodes if ours[u] is not None)
print(f"nodes {len(nodes)}, reached {reached}, stations {len({r['source'] for r in seeds})}, "
      f"max |time difference| {max_diff:.3e} s, reachability mismatches {len(reach_bad)}, "
      f"> 1 s {len(far)}, nearest-station mismatches {len(station_bad)} (ties checked: {len(per_station)})")
if not ok:
    print('first problems:', reach_bad[:5], far[:5], station_bad[:5])
    print('networkx check: FAILED')
    sys.exit(1)
print('networkx check: OK')
