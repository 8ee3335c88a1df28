// The map: MapLibre GL JS over a base map drawn from the server's own data, so it works with no
// network access — district boundaries from /api/v1/districts, stations from the API. An online
// style (the server's `--map-style-url`) replaces the background when configured; the product's
// layers are drawn on top of it, and the offline style takes over if it cannot be loaded.
//
// When the server has a road network loaded, its roads (GET /api/v1/network/roads, lines with a
// speed class) are drawn under the stations once the map is zoomed in to street level.
//
// No glyph server is reachable offline, so the map has no text layers: district names and the
// ranked result pins are HTML markers, stations are circles coloured by kind (legend in the list).

import * as maplibregl from '../vendor/maplibre-gl/maplibre-gl.mjs';
import { KINDS, kind } from './catalog.js';
import { t } from './i18n.js';
import { addTileLayers } from './tiles.js';

const EMPTY = { type: 'FeatureCollection', features: [] };
/** Where the map opens before anything is loaded: 济宁市, WGS-84. */
const START = { center: [116.65, 35.3], zoom: 8 };

/** Roads are fetched and drawn from this zoom on (street level). */
const ROADS_MINZOOM = 12;

/** A finger held this long without moving is a long press, milliseconds. */
const LONG_PRESS_MS = 600;
/** A finger that moves farther than this is panning, not pressing, pixels. */
const LONG_PRESS_SLOP_PX = 10;

const KIND_COLOR = ['match', ['get', 'kind'], ...KINDS.flatMap((k) => [k.code, k.color]), '#667085'];

/** The style drawn from the product's data alone: a plain background and the overlay layers. */
function offlineStyle() {
  return { version: 8, name: 'yizhan-offline', sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#e9ece4' } }] };
}

/** Adds the product's sources and layers on top of whatever style is loaded. */
function addOverlay(map, online) {
  map.addSource('districts', { type: 'geojson', data: EMPTY, promoteId: 'name' });
  map.addSource('stations', { type: 'geojson', data: EMPTY });
  map.addLayer({
    id: 'district-fill',
    type: 'fill',
    source: 'districts',
    paint: {
      'fill-color': ['case', ['boolean', ['feature-state', 'selected'], false], '#d5ebdd', '#f8f9f4'],
      'fill-opacity': online ? ['case', ['boolean', ['feature-state', 'selected'], false], 0.35, 0] : 1,
    },
  });
  map.addLayer({
    id: 'district-line',
    type: 'line',
    source: 'districts',
    paint: { 'line-color': '#8f9a8c', 'line-width': 1.2 },
  });
  map.addLayer({
    id: 'district-selected',
    type: 'line',
    source: 'districts',
    filter: ['==', ['get', 'name'], ''],
    paint: { 'line-color': '#13795b', 'line-width': 3 },
  });
  // ODbL: the roads come from OpenStreetMap; MapLibre shows a source's attribution while it draws.
  map.addSource('roads', { type: 'geojson', data: EMPTY, attribution: '道路 © OpenStreetMap contributors (ODbL)' });
  map.addLayer({
    id: 'roads',
    type: 'line',
    source: 'roads',
    minzoom: ROADS_MINZOOM,
    layout: { 'line-join': 'round', 'line-cap': 'round' },
    paint: {
      'line-color': ['match', ['get', 'class'], 'major', '#a3a89c', '#b8bcb1'],
      'line-width': [
        'interpolate', ['linear'], ['zoom'],
        12, ['match', ['get', 'class'], 'major', 1.2, 0.8],
        16, ['match', ['get', 'class'], 'major', 5, 3],
      ],
    },
    filter: ['!=', ['get', 'class'], 'path'],
  });
  map.addLayer({
    id: 'roads-path',
    type: 'line',
    source: 'roads',
    minzoom: ROADS_MINZOOM + 2,
    filter: ['==', ['get', 'class'], 'path'],
    paint: {
      'line-color': '#b3b7ab',
      'line-width': ['interpolate', ['linear'], ['zoom'], 14, 0.6, 17, 1.5],
      'line-dasharray': [2, 1.5],
    },
  });
  map.addLayer({
    id: 'stations',
    type: 'circle',
    source: 'stations',
    minzoom: 7,
    paint: {
      'circle-color': KIND_COLOR,
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 7, 2, 10, 3, 13, 4, 16, 6],
      'circle-opacity': 0.6,
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 9, 0, 13, 1],
    },
  });
  addTileLayers(map, 'stations');
}

/** An interior-ish point to hang a district's name on: the area-weighted centroid of its largest ring. */
function labelPoint(feature) {
  let best = null;
  let bestArea = 0;
  for (const polygon of feature.geometry.coordinates) {
    const ring = polygon[0];
    let a = 0;
    let cx = 0;
    let cy = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      a += f;
      cx += (ring[j][0] + ring[i][0]) * f;
      cy += (ring[j][1] + ring[i][1]) * f;
    }
    if (Math.abs(a) > bestArea) {
      bestArea = Math.abs(a);
      best = [cx / (3 * a), cy / (3 * a)];
    }
  }
  return best;
}

function svgIcon(path, size = 16) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('aria-hidden', 'true');
  const p = document.createElementNS(ns, 'path');
  p.setAttribute('d', path);
  p.setAttribute('fill', 'currentColor');
  svg.append(p);
  return svg;
}

/** The map view. Every method is safe to call before the map has loaded, or when it cannot load. */
export class MapView {
  /** `container`: the map's element; `styleUrl`: an online style, or null for the offline one. */
  constructor(container, { styleUrl = null } = {}) {
    this.container = container;
    this.available = false;
    this.loaded = false;
    this.districts = EMPTY;
    this.stations = EMPTY;
    this.roads = EMPTY;
    this.roadsRequest = null;
    this.selected = null;
    this.districtMarkers = [];
    this.resultMarkers = new Map();
    this.origin = null;
    this.padding = { top: 40, right: 40, bottom: 40, left: 40 };
    this.tapHandlers = [];
    this.pressHandlers = [];
    this.moveHandlers = [];
    /** A tap ending a long press is not a tap: taps before this instant are ignored. */
    this.quietUntil = 0;
    this.messages = [];
    let resolveReady;
    this.ready = new Promise((r) => {
      resolveReady = r;
    });
    try {
      this.map = new maplibregl.Map({
        container,
        style: styleUrl || offlineStyle(),
        ...START,
        attributionControl: false,
        dragRotate: false,
        pitchWithRotate: false,
        touchPitch: false,
        fadeDuration: 0,
      });
    } catch (e) {
      console.warn('map unavailable:', e);
      this.unavailable();
      resolveReady(false);
      return;
    }
    this.available = true;
    this.online = Boolean(styleUrl);
    const map = this.map;
    map.touchZoomRotate.disableRotation();
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
    this.attribution = new maplibregl.AttributionControl({ compact: true, customAttribution: t('map.attribution') });
    map.addControl(this.attribution, 'bottom-left');
    map.on('error', (e) => {
      // Without a listener MapLibre reports to console.error; an online style that cannot be
      // fetched (no network) falls back to the offline style instead.
      console.warn('map:', e.error?.message ?? e);
      if (this.online && !this.loaded) {
        this.online = false;
        this.note(t('map.style_failed'));
        map.setStyle(offlineStyle());
      }
    });
    map.on('style.load', () => {
      addOverlay(map, this.online);
      this.refreshSources();
    });
    map.once('load', () => {
      this.loaded = true;
      this.compactAttribution();
      container.dataset.mapReady = 'true';
      resolveReady(true);
    });
    map.on('click', (e) => {
      const target = e.originalEvent?.target;
      if (target && target !== map.getCanvas()) return;
      if (Date.now() < this.quietUntil) return;
      for (const fn of this.tapHandlers) fn({ lon: e.lngLat.lng, lat: e.lngLat.lat });
    });
    this.watchLongPress();
    map.on('moveend', () => {
      this.loadRoads();
      for (const fn of this.moveHandlers) fn();
    });
    map.once('load', () => this.loadRoads());
  }

  /** On a narrow map the attribution starts folded behind its (i) button. */
  compactAttribution() {
    if (this.container.clientWidth <= 640) {
      this.container.querySelector('.maplibregl-ctrl-attrib')?.classList.remove('maplibregl-compact-show');
    }
  }

  unavailable() {
    this.container.classList.add('map-unavailable');
    const p = document.createElement('p');
    p.className = 'map-message';
    p.dataset.i18n = 'map.unavailable';
    p.textContent = t('map.unavailable');
    this.container.append(p);
  }

  /** Shows a short notice over the map. */
  note(text) {
    const p = document.createElement('p');
    p.className = 'map-note';
    p.textContent = text;
    this.container.append(p);
    window.setTimeout(() => p.remove(), 6000);
  }

  /** Re-reads language-dependent texts (attribution, markers' labels). */
  relabel() {
    if (!this.available) return;
    this.map.removeControl(this.attribution);
    this.attribution = new maplibregl.AttributionControl({ compact: true, customAttribution: t('map.attribution') });
    this.map.addControl(this.attribution, 'bottom-left');
    this.compactAttribution();
  }

  refreshSources() {
    if (!this.map?.getSource('districts')) return;
    this.map.getSource('districts').setData(this.districts);
    this.map.getSource('stations').setData(this.stations);
    this.map.getSource('roads').setData(this.roads);
    if (this.selected) this.applySelection();
  }

  /**
   * Fetches the roads of the visible area (a little beyond it) when zoomed in to street level;
   * a newer view aborts an older request. A server without a road network answers an empty layer.
   * `data-roads` on the map element holds how many lines are drawn.
   */
  async loadRoads() {
    if (!this.available || this.zoom() < ROADS_MINZOOM) return;
    const [w, s, e, n] = this.bounds();
    const dx = (e - w) * 0.25;
    const dy = (n - s) * 0.25;
    const clamp = (v, lim) => Math.max(-lim, Math.min(lim, v));
    const bbox = [clamp(w - dx, 180), clamp(s - dy, 90), clamp(e + dx, 180), clamp(n + dy, 90)]
      .map((v) => v.toFixed(6))
      .join(',');
    this.roadsRequest?.abort();
    const request = new AbortController();
    this.roadsRequest = request;
    try {
      const resp = await fetch(`/api/v1/network/roads?bbox=${bbox}`, { signal: request.signal });
      if (!resp.ok) return;
      this.roads = await resp.json();
    } catch (e) {
      if (e.name !== 'AbortError') console.warn('roads:', e);
      return;
    }
    this.container.dataset.roads = String(this.roads.features.length);
    this.refreshSources();
  }

  /** `fn({lon, lat})` when the map itself (not a marker) is tapped. */
  onTap(fn) {
    this.tapHandlers.push(fn);
  }

  /**
   * `fn({lon, lat})` for a long press (a finger held still) or a right-click on the map itself.
   * Android browsers also send `contextmenu` for a long press: one press calls `fn` once.
   */
  onLongPress(fn) {
    this.pressHandlers.push(fn);
  }

  pressed(point) {
    if (!this.available) return;
    const now = Date.now();
    if (now - (this.lastPress ?? 0) < 1000) return;
    this.lastPress = now;
    this.quietUntil = now + 500;
    const at = this.map.unproject(point);
    for (const fn of this.pressHandlers) fn({ lon: at.lng, lat: at.lat });
  }

  watchLongPress() {
    const map = this.map;
    const canvas = map.getCanvasContainer();
    let timer = null;
    let start = null;
    let fired = false;
    const cancel = () => {
      window.clearTimeout(timer);
      timer = null;
      start = null;
    };
    const end = () => {
      cancel();
      // The click a browser sends when the finger of a long press lifts is not a tap.
      if (fired) this.quietUntil = Date.now() + 400;
      fired = false;
    };
    const local = (touch) => {
      const r = canvas.getBoundingClientRect();
      return [touch.clientX - r.left, touch.clientY - r.top];
    };
    canvas.addEventListener(
      'touchstart',
      (e) => {
        cancel();
        fired = false;
        if (e.touches.length !== 1 || e.target !== map.getCanvas()) return;
        start = local(e.touches[0]);
        timer = window.setTimeout(() => {
          const p = start;
          cancel();
          fired = true;
          if (p) this.pressed(p);
        }, LONG_PRESS_MS);
      },
      { passive: true },
    );
    canvas.addEventListener(
      'touchmove',
      (e) => {
        if (!start) return;
        const [x, y] = local(e.touches[0]);
        if (e.touches.length !== 1 || Math.hypot(x - start[0], y - start[1]) > LONG_PRESS_SLOP_PX) cancel();
      },
      { passive: true },
    );
    canvas.addEventListener('touchend', end, { passive: true });
    canvas.addEventListener('touchcancel', end, { passive: true });
    map.on('contextmenu', (e) => {
      const target = e.originalEvent?.target;
      if (target && target !== map.getCanvas()) return;
      e.originalEvent?.preventDefault();
      cancel();
      this.pressed([e.point.x, e.point.y]);
    });
  }

  /** Shows `content` (an element) in a popup at `p` (`{lon, lat}`); answers the popup (`remove()`), or null. */
  popup(p, content, { className = '' } = {}) {
    if (!this.available) return null;
    // Not closed by the map's own click: the click a browser sends when a long press's finger lifts
    // would close it at once. A tap on the map closes it (the view's tap handler decides).
    return new maplibregl.Popup({ closeButton: true, closeOnClick: false, className, maxWidth: '260px', offset: 8 })
      .setLngLat([p.lon, p.lat])
      .setDOMContent(content)
      .addTo(this.map);
  }

  /** A mark at `p` (`{lon, lat}`; null removes it): the place a rider is reporting on. */
  setMark(p) {
    if (!this.available) return;
    if (!p) {
      this.markMarker?.remove();
      this.markMarker = null;
      return;
    }
    if (!this.markMarker) {
      const el = document.createElement('div');
      el.className = 'report-mark';
      el.id = 'report-mark';
      el.setAttribute('aria-hidden', 'true');
      this.markMarker = new maplibregl.Marker({ element: el, anchor: 'bottom' }).setLngLat([p.lon, p.lat]).addTo(this.map);
    }
    this.markMarker.setLngLat([p.lon, p.lat]);
    this.markMarker.getElement().dataset.lon = String(p.lon);
    this.markMarker.getElement().dataset.lat = String(p.lat);
  }

  /** `fn()` after every pan or zoom. */
  onMoveEnd(fn) {
    this.moveHandlers.push(fn);
  }

  /** Room the panel or sheet takes over the map, pixels: `{top, right, bottom, left}`. */
  setPadding(padding) {
    this.padding = padding;
  }

  /** The district boundaries (the API's FeatureCollection); names hang on HTML labels. */
  setDistricts(fc) {
    this.districts = fc;
    if (!this.available) return;
    this.refreshSources();
    for (const m of this.districtMarkers) m.remove();
    this.districtMarkers = fc.features.map((f) => {
      const el = document.createElement('div');
      el.className = 'district-label';
      el.textContent = f.properties.name;
      const at = labelPoint(f);
      return new maplibregl.Marker({ element: el }).setLngLat(at).addTo(this.map);
    });
  }

  /** Highlights the district named `name` (null clears); `fit` frames it. */
  selectDistrict(name, { fit = false } = {}) {
    const previous = this.selected;
    this.selected = name;
    if (!this.available) return;
    if (previous && this.map.getSource('districts')) {
      this.map.setFeatureState({ source: 'districts', id: previous }, { selected: false });
    }
    this.applySelection();
    const f = this.districts.features.find((x) => x.properties.name === name);
    for (const m of this.districtMarkers) {
      m.getElement().classList.toggle('selected', m.getElement().textContent === name);
    }
    if (fit && f) this.fitBBox(f.properties.bbox);
  }

  applySelection() {
    if (!this.map.getLayer('district-selected')) return;
    this.map.setFilter('district-selected', ['==', ['get', 'name'], this.selected ?? '']);
    if (this.selected) this.map.setFeatureState({ source: 'districts', id: this.selected }, { selected: true });
  }

  /** Frames `[west, south, east, north]`. */
  fitBBox(bbox, { animate = true } = {}) {
    if (!this.available) return;
    this.map.fitBounds(
      [
        [bbox[0], bbox[1]],
        [bbox[2], bbox[3]],
      ],
      { padding: this.padding, animate, duration: animate ? 600 : 0, maxZoom: 16 },
    );
  }

  /** The visible area, `[west, south, east, north]`, or null. */
  bounds() {
    if (!this.available) return null;
    const b = this.map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  }

  zoom() {
    return this.available ? this.map.getZoom() : 0;
  }

  /** Background stations (GeoJSON Point features with a `kind` property). */
  setStations(fc) {
    this.stations = fc;
    if (this.available) this.refreshSources();
  }

  /** The rider's position (WGS-84 `{lon, lat}`), or null. */
  setOrigin(p) {
    if (!this.available) return;
    if (this.originMarker) this.originMarker.remove();
    this.originMarker = null;
    if (!p) return;
    const el = document.createElement('div');
    el.className = 'me';
    el.setAttribute('aria-hidden', 'true');
    this.originMarker = new maplibregl.Marker({ element: el }).setLngLat([p.lon, p.lat]).addTo(this.map);
  }

  /**
   * The ranked results as numbered pins coloured by kind; `onSelect(id)` when one is tapped.
   * Frames the origin and the nearest few.
   */
  setResults(results, origin, onSelect) {
    if (!this.available) return;
    for (const m of this.resultMarkers.values()) m.remove();
    this.resultMarkers.clear();
    results.forEach((r, i) => {
      const k = kind(r.station.kind);
      const el = document.createElement('button');
      el.type = 'button';
      el.className = 'pin';
      el.style.setProperty('--c', k.color);
      el.dataset.id = String(r.station.id);
      el.setAttribute('aria-label', `${i + 1}. ${r.station.name}`);
      el.append(svgIcon(k.icon, 14));
      const n = document.createElement('span');
      n.textContent = String(i + 1);
      el.append(n);
      el.addEventListener('click', (ev) => {
        ev.stopPropagation();
        onSelect(r.station.id);
      });
      const marker = new maplibregl.Marker({ element: el, anchor: 'bottom' })
        .setLngLat([r.station.location.lon, r.station.location.lat])
        .addTo(this.map);
      this.resultMarkers.set(r.station.id, marker);
    });
    const pts = [[origin.lon, origin.lat], ...results.slice(0, 5).map((r) => [r.station.location.lon, r.station.location.lat])];
    const lons = pts.map((p) => p[0]);
    const lats = pts.map((p) => p[1]);
    this.fitBBox([Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)]);
  }

  /** Marks one result pin as chosen (null clears) and, with `center`, pans to it. */
  highlight(id, { center = false } = {}) {
    if (!this.available) return;
    for (const [key, m] of this.resultMarkers) {
      const el = m.getElement();
      el.classList.toggle('selected', key === id);
      el.style.zIndex = key === id ? '2' : '';
    }
    const m = this.resultMarkers.get(id);
    if (center && m) this.map.easeTo({ center: m.getLngLat(), padding: this.padding, zoom: Math.max(this.map.getZoom(), 15) });
  }
}

export { svgIcon };
