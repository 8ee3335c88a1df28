// Vector-tile layers served by the product itself (/tiles/{layer}.json, Mapbox Vector Tiles), so
// the whole station register shows at overview zooms without downloading it as GeoJSON. Below
// OVERVIEW_MAX_ZOOM every station is a small dot coloured by kind; from there on the views'
// own GeoJSON layers (nearest results, a district's stations) take over.

import { KINDS } from './catalog.js';

/** The overview dots are drawn below this zoom (the rider view loads its own from here on). */
export const OVERVIEW_MAX_ZOOM = 10;

const KIND_COLOR = ['match', ['get', 'kind'], ...KINDS.flatMap((k) => [k.code, k.color]), '#667085'];

/**
 * Adds the `station-tiles` source (TileJSON from the server) and its overview circle layer,
 * under the layer `beforeId` when given.
 */
export function addTileLayers(map, beforeId) {
  map.addSource('station-tiles', { type: 'vector', url: new URL('/tiles/stations.json', window.location.href).href });
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
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 5, 1, 9, 2.5],
        'circle-opacity': 0.7,
      },
    },
    beforeId,
  );
}
