// Vector-tile layers served by the product itself (/tiles/{layer}.json, Mapbox Vector Tiles), so
// the whole station register shows at overview zooms without downloading it as GeoJSON. Below
// OVERVIEW_MAX_ZOOM the stations are dots coloured by kind; from there on the views' own GeoJSON
// layers (nearest results, a district's stations) take over. The server thins low-zoom tiles to
// one point per grid cell with `point_count` (stations in the cell) and `kind` (the most frequent
// one), so a dot grows with the number of stations it stands for and clusters get an outline.

import { KINDS } from './catalog.js';

/** The overview dots are drawn below this zoom (the rider view loads its own from here on). */
export const OVERVIEW_MAX_ZOOM = 10;

const KIND_COLOR = ['match', ['get', 'kind'], ...KINDS.flatMap((k) => [k.code, k.color]), '#667085'];

/** Stations a dot stands for: `point_count` of a thinned tile, else 1. */
export const POINT_COUNT = ['coalesce', ['get', 'point_count'], 1];

/** Radius, pixels: `base` for one station, growing with the logarithm of the count. */
const sized = (base, growth) => ['+', base, ['*', growth, ['ln', POINT_COUNT]]];

/** The server's deepest tile zoom (as its TileJSON says). */
const TILE_MAX_ZOOM = 22;

/**
 * Adds the `station-tiles` source (the server's `/tiles/stations/{z}/{x}/{y}.mvt`, from the page's
 * own origin: TileJSON's absolute tile URLs name the server's configured public URL, which need
 * not be the address this page was opened at) and its overview circle layer, under the layer
 * `beforeId` when given.
 */
export function addTileLayers(map, beforeId) {
  // Not `new URL()`: it would percent-encode the template's braces.
  const tiles = [`${window.location.origin}/tiles/stations/{z}/{x}/{y}.mvt`];
  map.addSource('station-tiles', { type: 'vector', tiles, minzoom: 0, maxzoom: TILE_MAX_ZOOM });
  map.addLayer(
    {
      id: 'station-tiles',
      type: 'circle',
      source: 'station-tiles',
      'source-layer': 'stations',
      maxzoom: OVERVIEW_MAX_ZOOM,
      filter: ['!=', ['get', 'status'], 'closed'],
      paint: {
        'circle-color': KIND_COLOR,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 5, sized(1, 0.6), 9, sized(2.5, 1.2)],
        'circle-opacity': 0.7,
        'circle-stroke-width': ['case', ['>', POINT_COUNT, 1], 0.6, 0],
        'circle-stroke-color': '#ffffff',
      },
    },
    beforeId,
  );
}
