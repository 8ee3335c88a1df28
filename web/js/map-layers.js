// The planner's layers over a MapView: the H3 coverage grid (coloured by class), the demand
// shading of the same cells, the outline of a highlighted gap, and markers for proposed sites
// (numbered, draggable) and for the planner's own candidate points (draggable). The layers are
// added on first use and again after a style change, below the district boundaries.

import * as maplibregl from '../vendor/maplibre-gl/maplibre-gl.mjs';
import { classColorExpression, demandColorExpression, maxDemand } from './planner-model.js';

const EMPTY = { type: 'FeatureCollection', features: [] };
/** Layer ids, bottom to top. */
export const PLANNER_LAYERS = ['coverage-fill', 'coverage-demand', 'coverage-gap'];

/** The planner's layers and markers on `view` (a MapView). Safe to use when the map is unavailable. */
export class PlannerLayers {
  constructor(view) {
    this.view = view;
    this.cells = EMPTY;
    this.minutes = [10, 15];
    this.opacity = 0.65;
    this.demand = false;
    this.visible = true;
    this.gap = [];
    this.siteMarkers = [];
    this.candidateMarkers = [];
    this.added = false;
    if (view.available) {
      view.map.on('style.load', () => {
        this.added = false;
        if (this.cells.features.length) this.ensure();
      });
    }
  }

  get map() {
    return this.view.available ? this.view.map : null;
  }

  /** Adds the source and layers when missing (only once there are cells to draw). */
  ensure() {
    const map = this.map;
    // Until the style has loaded (and the base overlay with it) the 'style.load' handler adds them.
    if (!map || !map.getSource('districts')) return;
    if (map.getSource('coverage')) {
      this.added = true;
      return;
    }
    const before = map.getLayer('district-line') ? 'district-line' : undefined;
    map.addSource('coverage', { type: 'geojson', data: this.cells });
    map.addLayer({ id: 'coverage-fill', type: 'fill', source: 'coverage', paint: { 'fill-color': classColorExpression(this.minutes) } }, before);
    map.addLayer({ id: 'coverage-demand', type: 'fill', source: 'coverage', paint: { 'fill-color': demandColorExpression(maxDemand(this.cells)) } }, before);
    map.addLayer(
      {
        id: 'coverage-gap',
        type: 'line',
        source: 'coverage',
        filter: ['in', ['get', 'h3'], ['literal', []]],
        paint: { 'line-color': '#b4124f', 'line-width': 2.5 },
      },
      before,
    );
    this.added = true;
    this.apply();
  }

  /** Pushes the current data, colours, opacity, visibility and highlight to the map. */
  apply() {
    const map = this.map;
    if (!map || !map.getSource('coverage')) return;
    map.getSource('coverage').setData(this.cells);
    map.setPaintProperty('coverage-fill', 'fill-color', classColorExpression(this.minutes));
    map.setPaintProperty('coverage-demand', 'fill-color', demandColorExpression(maxDemand(this.cells)));
    map.setPaintProperty('coverage-fill', 'fill-opacity', this.opacity);
    map.setPaintProperty('coverage-demand', 'fill-opacity', this.opacity);
    map.setLayoutProperty('coverage-fill', 'visibility', this.visible && !this.demand ? 'visible' : 'none');
    map.setLayoutProperty('coverage-demand', 'visibility', this.visible && this.demand ? 'visible' : 'none');
    map.setLayoutProperty('coverage-gap', 'visibility', this.visible ? 'visible' : 'none');
    map.setFilter('coverage-gap', ['in', ['get', 'h3'], ['literal', this.gap]]);
  }

  /** The coverage cells (the API's FeatureCollection) of an analysis at `minutes` (thresholds). */
  setCells(fc, minutes) {
    this.popup(null);
    this.cells = fc ?? EMPTY;
    this.minutes = minutes ?? this.minutes;
    this.gap = [];
    if (!this.map) return;
    if (this.cells.features.length) this.ensure();
    this.apply();
  }

  /** Fill opacity of the grid, 0..=1. */
  setOpacity(x) {
    this.opacity = x;
    this.apply();
  }

  /** Shades the cells by demand instead of by coverage class. */
  showDemand(on) {
    this.demand = on;
    this.apply();
  }

  /** Outlines the cells `h3` (an array of H3 indexes; empty clears). */
  highlight(h3) {
    this.gap = [...h3];
    this.apply();
  }

  /** Shows or hides everything the planner draws (the rider view hides it). */
  setVisible(on) {
    this.visible = on;
    if (!on) this.popup(null);
    for (const m of [...this.siteMarkers, ...this.candidateMarkers]) m.getElement().hidden = !on;
    this.apply();
  }

  /**
   * Proposed sites as numbered markers (`sites`: `{ rank, lon, lat, gain, fixed }`); dragging one
   * calls `onMove(site, {lon, lat})`, tapping it `onSelect(site)`.
   */
  setSites(sites, { onMove, onSelect, title } = {}) {
    for (const m of this.siteMarkers) m.remove();
    this.siteMarkers = [];
    if (!this.map) return;
    for (const s of sites) {
      const el = document.createElement('button');
      el.type = 'button';
      el.className = s.fixed ? 'site-pin fixed' : 'site-pin';
      el.dataset.rank = String(s.rank);
      el.textContent = s.fixed ? '✓' : String(s.rank);
      if (title) el.title = title(s);
      el.hidden = !this.visible;
      el.addEventListener('click', (ev) => {
        ev.stopPropagation();
        onSelect?.(s);
      });
      const marker = new maplibregl.Marker({ element: el, draggable: Boolean(onMove) }).setLngLat([s.lon, s.lat]).addTo(this.map);
      marker.on('dragend', () => {
        const p = marker.getLngLat();
        onMove?.(s, { lon: p.lng, lat: p.lat });
      });
      this.siteMarkers.push(marker);
    }
  }

  /**
   * The planner's candidate points (`{ id, lon, lat }`), draggable: `onMove(candidate, {lon, lat})`;
   * tapping one calls `onSelect(candidate)`.
   */
  setCandidates(candidates, { onMove, onSelect, title } = {}) {
    for (const m of this.candidateMarkers) m.remove();
    this.candidateMarkers = [];
    if (!this.map) return;
    for (const c of candidates) {
      const el = document.createElement('button');
      el.type = 'button';
      el.className = 'candidate-pin';
      el.dataset.id = c.id;
      el.textContent = '+';
      if (title) el.title = title(c);
      el.hidden = !this.visible;
      el.addEventListener('click', (ev) => {
        ev.stopPropagation();
        onSelect?.(c);
      });
      const marker = new maplibregl.Marker({ element: el, draggable: true }).setLngLat([c.lon, c.lat]).addTo(this.map);
      marker.on('dragend', () => {
        const p = marker.getLngLat();
        onMove?.(c, { lon: p.lng, lat: p.lat });
      });
      this.candidateMarkers.push(marker);
    }
  }

  /** The properties of the grid cell drawn at `{lon, lat}`, or null. */
  cellAt({ lon, lat }) {
    const map = this.map;
    if (!map || !map.getLayer('coverage-fill') || !this.visible) return null;
    const f = map.queryRenderedFeatures(map.project([lon, lat]), { layers: ['coverage-fill', 'coverage-demand'] });
    return f.length ? f[0].properties : null;
  }

  /** A small popup at `{lon, lat}` holding `content` (an element); null closes it. */
  popup(at, content) {
    this.openPopup?.remove();
    this.openPopup = null;
    if (!this.map || !at) return;
    this.openPopup = new maplibregl.Popup({ closeButton: true, maxWidth: '260px', className: 'cell-popup' })
      .setLngLat([at.lon, at.lat])
      .setDOMContent(content)
      .addTo(this.map);
  }

  /** Frames `[west, south, east, north]`, no closer than zoom 14. */
  fitBBox(b) {
    this.map?.fitBounds(
      [
        [b[0], b[1]],
        [b[2], b[3]],
      ],
      { padding: this.view.padding, maxZoom: 14, duration: 700 },
    );
  }

  /** Pans and zooms to `[lon, lat]`. */
  flyTo(at, zoom = 13) {
    this.map?.flyTo({ center: at, zoom: Math.max(this.map.getZoom(), zoom), padding: this.view.padding, duration: 700 });
  }
}
