// The console's inset maps: a MapView (map.js: the offline base map with the district boundaries,
// the stations' overview tiles and the roads) with a draggable pin for the station being edited,
// and a layer of points for an import's preview (coloured by what the import will do). Clicking
// the map reports the WGS-84 point; the views decide what it means (move the pin, place a row).

import * as maplibregl from '../vendor/maplibre-gl/maplibre-gl.mjs';
import { stationsInBBox } from './api.js';
import { round6 } from './console-coords.js';
import { MapView } from './map.js';

const EMPTY = { type: 'FeatureCollection', features: [] };
/** The stored stations around are drawn from this zoom on (below it the overview tiles show them), at most this many. */
const NEARBY_MIN_ZOOM = 10;
const NEARBY_LIMIT = 1000;

/** Colours of an import preview's points by action. */
export const ACTION_COLORS = { create: '#13795b', update: '#1f6fd1', placed: '#d97706' };

/** An inset map in `container` over `districts` (the API's collection). */
export class InsetMap {
  /** `nearby`: draw the stored stations around once zoomed in. */
  constructor(container, districts, { nearby = true } = {}) {
    this.container = container;
    this.nearbyOn = nearby;
    this.view = new MapView(container);
    this.view.setDistricts(districts);
    this.pin = null;
    this.points = EMPTY;
    this.clickHandlers = [];
    this.view.onTap((p) => {
      for (const fn of this.clickHandlers) fn({ lon: round6(p.lon), lat: round6(p.lat) });
    });
    if (this.view.available) {
      this.view.map.on('style.load', () => this.addPointLayer());
      this.view.ready.then(() => this.addPointLayer());
      this.view.onMoveEnd(() => this.loadNearby());
    }
  }

  /** The stored stations in sight, as the base map's dots (kind colours), once zoomed in. */
  async loadNearby() {
    if (!this.nearbyOn) return;
    if (this.view.zoom() < NEARBY_MIN_ZOOM) {
      this.view.setStations(EMPTY);
      return;
    }
    this.nearby?.abort();
    const ctrl = new AbortController();
    this.nearby = ctrl;
    try {
      const fc = await stationsInBBox(this.view.bounds(), NEARBY_LIMIT, { signal: ctrl.signal });
      if (this.nearby !== ctrl) return;
      this.view.setStations({
        type: 'FeatureCollection',
        features: fc.features.map((f) => ({ type: 'Feature', geometry: f.geometry, properties: { kind: f.properties.kind } })),
      });
    } catch (e) {
      if (e.name !== 'AbortError') console.warn('stations around:', e.message);
    }
  }

  get available() {
    return this.view.available;
  }

  get ready() {
    return this.view.ready;
  }

  /** `fn({lon, lat})` (WGS-84, 6 decimals) when the map itself is clicked. */
  onClick(fn) {
    this.clickHandlers.push(fn);
  }

  /** Redraws after the container changed size or was shown. */
  resize() {
    if (this.available) this.view.map.resize();
  }

  /**
   * Shows the pin at `p` (`{lon, lat}` WGS-84; null removes it); `onMove(p)` when it is dragged
   * and dropped. Frames it with `center`.
   */
  setPin(p, { onMove = null, center = false, zoom = null } = {}) {
    if (!this.available) return;
    if (!p) {
      this.pin?.remove();
      this.pin = null;
      return;
    }
    if (!this.pin) {
      const el = document.createElement('div');
      el.className = 'edit-pin';
      el.id = 'editor-pin';
      el.setAttribute('aria-hidden', 'true');
      this.pin = new maplibregl.Marker({ element: el, anchor: 'bottom', draggable: true }).setLngLat([p.lon, p.lat]).addTo(this.view.map);
      this.pin.on('dragend', () => {
        const at = this.pin.getLngLat();
        this.onPinMove?.({ lon: round6(at.lng), lat: round6(at.lat) });
      });
    }
    this.onPinMove = onMove;
    this.pin.setLngLat([p.lon, p.lat]);
    if (center) this.view.map.jumpTo({ center: [p.lon, p.lat], zoom: zoom ?? Math.max(this.view.map.getZoom(), 14) });
  }

  /** The map's centre, WGS-84 (6 decimals). */
  center() {
    if (!this.available) return null;
    const c = this.view.map.getCenter();
    return { lon: round6(c.lng), lat: round6(c.lat) };
  }

  /** Frames `[west, south, east, north]`. */
  fitBBox(bbox) {
    if (!this.available) return;
    if (bbox[0] === bbox[2] && bbox[1] === bbox[3]) {
      this.view.map.jumpTo({ center: [bbox[0], bbox[1]], zoom: 15 });
      return;
    }
    this.view.map.fitBounds(
      [
        [bbox[0], bbox[1]],
        [bbox[2], bbox[3]],
      ],
      { padding: 40, animate: false, maxZoom: 16 },
    );
  }

  /** The import preview's points (a FeatureCollection with `action`). */
  setPoints(fc) {
    this.points = fc;
    const src = this.available ? this.view.map.getSource('console-points') : null;
    if (src) src.setData(fc);
    this.container.dataset.points = String(fc.features.length);
  }

  addPointLayer() {
    const map = this.view.map;
    if (!map.getSource('districts') || map.getSource('console-points')) return;
    map.addSource('console-points', { type: 'geojson', data: this.points });
    map.addLayer({
      id: 'console-points',
      type: 'circle',
      source: 'console-points',
      paint: {
        'circle-color': ['match', ['get', 'action'], ...Object.entries(ACTION_COLORS).flat(), '#667085'],
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 4, 14, 7],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1.5,
      },
    });
  }
}
