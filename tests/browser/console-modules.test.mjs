// The keepers' console's DOM-free logic under node: pasted coordinates, the audit diff, the import
// preview and what its commit sends, query strings and request bodies, where a refusal's messages
// go, and the console's texts in both languages. Expected values are written out here.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { auditQuery, featureBody, importQuery, stationBody, stationsQuery } from '../../web/js/console-api.js';
import { operationLabel, valueText } from '../../web/js/console-audit.js';
import { fmtLonLat, parseLonLat, round6 } from '../../web/js/console-coords.js';
import { canonical, changeKind, diffEntry } from '../../web/js/console-diff.js';
import {
  ACCEPT,
  blockers,
  canCommit,
  commitCollection,
  fileFormat,
  hoursShown,
  previewModel,
  previewPoints,
  refusedRows,
} from '../../web/js/console-import-model.js';
import { errorsByField, formField, rangeText } from '../../web/js/console-ui.js';
import { sortStreets } from '../../web/js/console-verify.js';
import { keys, t } from '../../web/js/i18n.js';
import { ROOT } from './harness.mjs';

test('pasted coordinates: either order within China, full-width punctuation, refusals', () => {
  assert.deepEqual(parseLonLat('116.8234,35.5512'), { lon: 116.8234, lat: 35.5512, swapped: false });
  assert.deepEqual(parseLonLat('35.5512,116.8234'), { lon: 116.8234, lat: 35.5512, swapped: true });
  assert.deepEqual(parseLonLat(' 116.8234 35.5512 '), { lon: 116.8234, lat: 35.5512, swapped: false });
  assert.deepEqual(parseLonLat('116.8234，35.5512'), { lon: 116.8234, lat: 35.5512, swapped: false });
  assert.deepEqual(parseLonLat('３５．５５１２，１１６．８２３４'), { lon: 116.8234, lat: 35.5512, swapped: true });
  assert.deepEqual(parseLonLat('lng: 116.8, lat: 35.5'), { lon: 116.8, lat: 35.5, swapped: false });
  assert.deepEqual(parseLonLat('116,35'), { lon: 116, lat: 35, swapped: false });
  assert.deepEqual(parseLonLat(''), { error: 'empty' });
  assert.deepEqual(parseLonLat('   '), { error: 'empty' });
  assert.deepEqual(parseLonLat('116.8234'), { error: 'count' });
  assert.deepEqual(parseLonLat('116.8,35.5,12'), { error: 'count' });
  assert.deepEqual(parseLonLat('2.35,48.85'), { error: 'range' }, 'Paris is not in China');
  assert.deepEqual(parseLonLat('-116.8,35.5'), { error: 'range' });
  assert.equal(fmtLonLat({ lon: 116.8234, lat: 35.5512 }), '116.823400, 35.551200');
  assert.equal(round6(116.12345649), 116.123456);
  assert.equal(round6(35.5555555), 35.555556);
});

test('audit diffs: changed fields of an update, every field of a create or delete', () => {
  const before = {
    id: 7,
    kind: 'rest_station',
    name: '旧名',
    location: { lon: 116.8, lat: 35.5 },
    amenities: ['toilet', 'wifi'],
    capacity: 4,
    phone: null,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  };
  const after = {
    id: 7,
    kind: 'rest_station',
    name: '新名',
    location: { lat: 35.5, lon: 116.8 },
    amenities: ['toilet', 'wifi', 'heating'],
    capacity: 4,
    operator: '总工会',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-02-01T00:00:00Z',
  };
  assert.deepEqual(diffEntry(before, after), [
    { field: 'name', before: '旧名', after: '新名' },
    { field: 'amenities', before: ['toilet', 'wifi'], after: ['toilet', 'wifi', 'heating'] },
    { field: 'operator', before: null, after: '总工会' },
  ]);
  assert.deepEqual(
    diffEntry(null, { name: '甲', phone: null, capacity: 0 }),
    [
      { field: 'name', before: null, after: '甲' },
      { field: 'capacity', before: null, after: 0 },
    ],
    'a create lists every field it has (0 is a value)',
  );
  assert.deepEqual(diffEntry({ name: '甲', amenities: [] }, null), [
    { field: 'name', before: '甲', after: null },
    { field: 'amenities', before: [], after: null },
  ]);
  assert.deepEqual(diffEntry(null, null), []);
  assert.equal(canonical({ b: 1, a: [1, { d: 2, c: 3 }] }), '{"a":[1,{"c":3,"d":2}],"b":1}');
  assert.equal(changeKind({ operation: 'station.update', before: {}, after: {} }), 'update');
  assert.equal(changeKind({ operation: 'station.create', before: null, after: {} }), 'create');
  assert.equal(changeKind({ operation: 'station.delete', before: {}, after: null }), 'delete');
  assert.equal(changeKind({ operation: 'station.import', before: null, after: { rows: 3 } }), 'summary');
  assert.equal(valueText('location', { lon: 116.8, lat: 35.5 }), '116.800000, 35.500000');
  assert.equal(valueText('amenities', ['toilet', 'hot_water']), '卫生间、热水');
  assert.equal(valueText('kind', 'caring_merchant'), '爱心商户');
  assert.equal(valueText('status', 'closed'), '已关闭');
  assert.equal(valueText('phone', null), '—');
  assert.equal(operationLabel('station.update'), '修改站点');
  assert.equal(operationLabel('something.new'), 'something.new');
});

/** A dry run's answer in the contract's shape: two rows, one unplaced row, one ignored column. */
const DRY_RUN = {
  dry_run: true,
  ok: false,
  format: 'csv',
  sheet: null,
  created: 2,
  updated: 1,
  rows: [
    {
      line: 2,
      feature_index: null,
      action: 'create',
      station_id: null,
      hours_written: '全天',
      feature: { type: 'Feature', geometry: { type: 'Point', coordinates: [116.79, 35.55] }, properties: { kind: 'rest_station', name: '甲', opening_hours: '24/7', source: 's' } },
    },
    {
      line: 5,
      feature_index: null,
      action: 'update',
      station_id: 17,
      hours_written: null,
      feature: { type: 'Feature', geometry: { type: 'Point', coordinates: [116.8, 35.56] }, properties: { kind: 'caring_merchant', name: '乙', opening_hours: 'Mo-Fr 08:00-18:00' } },
    },
  ],
  unplaced: [{ line: 3, hours_written: null, feature: { type: 'Feature', geometry: null, properties: { kind: 'rest_station', name: '丙', address: '测试路3号' } } }],
  errors: [],
  omitted_errors: 0,
  ignored_columns: [{ name: '备注', column_number: 9 }],
};

test('the import preview, what blocks the commit, and the collection the commit sends', () => {
  const m = previewModel(DRY_RUN);
  assert.equal(m.created, 2);
  assert.equal(m.updated, 1);
  assert.deepEqual(m.rows.map((r) => [r.key, r.line, r.action, r.stationId, r.name, r.hoursWritten, r.hours, r.lon, r.lat]), [
    ['r0', 2, 'create', null, '甲', '全天', '24/7', 116.79, 35.55],
    ['r1', 5, 'update', 17, '乙', null, 'Mo-Fr 08:00-18:00', 116.8, 35.56],
  ]);
  assert.deepEqual(m.unplaced.map((u) => [u.key, u.line, u.name, u.address]), [['u0', 3, '丙', '测试路3号']]);
  assert.deepEqual(m.ignored, [{ name: '备注', columnNumber: 9 }]);
  assert.equal(hoursShown('全天', '24/7'), '全天 → 24/7');
  assert.equal(hoursShown(null, 'Mo-Fr 08:00-18:00'), 'Mo-Fr 08:00-18:00');
  assert.equal(hoursShown('Mo-Fr 08:00-18:00', 'Mo-Fr 08:00-18:00'), 'Mo-Fr 08:00-18:00');
  assert.equal(hoursShown(null, null), '');

  const placements = new Map();
  assert.deepEqual(blockers(m, placements), { errors: 0, unplaced: 1 });
  assert.equal(canCommit(m, placements), false, 'an unplaced row blocks the commit');
  placements.set('u0', { lon: 116.81, lat: 35.57 });
  assert.equal(canCommit(m, placements), true);
  assert.deepEqual(commitCollection(m, placements), {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', geometry: { type: 'Point', coordinates: [116.79, 35.55] }, properties: { kind: 'rest_station', name: '甲', opening_hours: '24/7', source: 's' } },
      { type: 'Feature', geometry: { type: 'Point', coordinates: [116.81, 35.57] }, properties: { kind: 'rest_station', name: '丙', address: '测试路3号' } },
      { type: 'Feature', geometry: { type: 'Point', coordinates: [116.8, 35.56] }, properties: { kind: 'caring_merchant', name: '乙', opening_hours: 'Mo-Fr 08:00-18:00' } },
    ],
  }, 'in the file\'s order, the placed row with its point');
  assert.equal(DRY_RUN.unplaced[0].feature.geometry, null, 'the answer itself is left as it was');
  assert.deepEqual(
    previewPoints(m, placements).features.map((f) => [f.properties.action, f.properties.line, ...f.geometry.coordinates]),
    [
      ['create', 2, 116.79, 35.55],
      ['update', 5, 116.8, 35.56],
      ['placed', 3, 116.81, 35.57],
    ],
  );

  const bad = previewModel({ ...DRY_RUN, unplaced: [], errors: [{ line: 7, column: '开放时间', column_number: 7, field: 'opening_hours', message: '"看情况" …' }], omitted_errors: 2 });
  assert.deepEqual(bad.errors, [{ line: 7, featureIndex: null, column: '开放时间', columnNumber: 7, field: 'opening_hours', message: '"看情况" …' }]);
  assert.deepEqual(blockers(bad, new Map()), { errors: 3, unplaced: 0 }, 'errors left out of the list still count');
  assert.equal(canCommit(bad, new Map()), false);
  assert.equal(canCommit(previewModel({ rows: [], unplaced: [], errors: [] }), new Map()), false, 'nothing to import');
  assert.deepEqual(refusedRows([{ line: 4, field: 'name', message: 'must not be empty' }]), [
    { line: 4, featureIndex: null, column: null, columnNumber: null, field: 'name', message: 'must not be empty' },
  ]);

  assert.equal(fileFormat('站点.CSV'), 'csv');
  assert.equal(fileFormat('a.geojson'), 'geojson');
  assert.equal(fileFormat('a.json'), 'geojson');
  assert.equal(fileFormat('台账.xlsx'), 'xlsx');
  assert.equal(fileFormat('台账.xls'), 'xls');
  assert.equal(fileFormat('a.pdf'), null);
  assert.equal(ACCEPT, '.csv,.geojson,.json,.xlsx,.xls');
});

test('query strings of the stations list, the audit log and the importer', () => {
  assert.equal(stationsQuery({ q: '', status: '', page: 0 }), 'status=all&limit=50');
  assert.equal(
    stationsQuery({ q: ' 鼓楼 ', kind: 'rest_station', status: 'closed', district: '兖州区', street: '鼓楼街道', amenity: 'wifi', verification: 'due', sort: '-updated_at', page: 2 }),
    'q=%E9%BC%93%E6%A5%BC&kind=rest_station&district=%E5%85%96%E5%B7%9E%E5%8C%BA&street=%E9%BC%93%E6%A5%BC%E8%A1%97%E9%81%93&amenity=wifi&verification=due&status=closed&sort=-updated_at&limit=50&offset=100',
  );
  assert.equal(auditQuery({}), 'order=desc&limit=50');
  assert.equal(
    auditQuery({ station: '12', actor: 'abc', operation: 'station.update', since: '2026-01-01T00:00:00.000Z', until: '', before: 40 }),
    'station=12&actor=abc&operation=station.update&since=2026-01-01T00%3A00%3A00.000Z&before=40&order=desc&limit=50',
  );
  assert.equal(importQuery({ dryRun: true, format: 'csv', crs: 'gcj02', encoding: 'gbk', kind: '', source: ' 街道办 ', sheet: 'x' }), 'dry_run=true&format=csv&crs=gcj02&encoding=gbk&source=%E8%A1%97%E9%81%93%E5%8A%9E');
  assert.equal(importQuery({ dryRun: true, format: 'xlsx', crs: 'wgs84', encoding: 'gbk', kind: 'rest_station', sheet: '第一页' }), 'dry_run=true&format=xlsx&crs=wgs84&kind=rest_station&sheet=%E7%AC%AC%E4%B8%80%E9%A1%B5');
  assert.equal(importQuery({ format: 'geojson', crs: 'wgs84' }), 'format=geojson&crs=wgs84');
});

test('station bodies: every field, empty ones left out, capacity as typed', () => {
  const v = {
    kind: 'rest_station',
    name: ' 甲站 ',
    status: 'active',
    amenities: ['toilet'],
    opening_hours: 'Mo-Fr 08:00-18:00',
    capacity: '-1',
    offer: '',
    verified_on: '2026-01-15',
    location: { lon: 116.8, lat: 35.5 },
    address: '测试路',
    district: '',
    street: '  ',
    operator: '工会',
    phone: '0537-1234567',
    source: '',
    external_id: '',
  };
  assert.deepEqual(stationBody(v), {
    kind: 'rest_station',
    name: '甲站',
    location: { lon: 116.8, lat: 35.5 },
    amenities: ['toilet'],
    status: 'active',
    address: '测试路',
    opening_hours: 'Mo-Fr 08:00-18:00',
    operator: '工会',
    phone: '0537-1234567',
    verified_on: '2026-01-15',
    capacity: -1,
  });
  assert.deepEqual(stationBody({ ...v, capacity: '' }).capacity, undefined);
  const feature = {
    type: 'Feature',
    id: 3,
    geometry: { type: 'Point', coordinates: [116.7, 35.6] },
    properties: { id: 3, kind: 'caring_merchant', name: '乙', amenities: [], status: 'active', capacity: 0, created_at: 'x', updated_at: 'y' },
  };
  assert.deepEqual(featureBody(feature), { kind: 'caring_merchant', name: '乙', location: { lon: 116.7, lat: 35.6 }, amenities: [], status: 'active', capacity: 0 });
});

test('a refusal\'s messages go to the fields it names, the rest to the banner', () => {
  assert.equal(formField('properties.capacity'), 'capacity');
  assert.equal(formField('location.lat'), 'location');
  assert.equal(formField('geometry.coordinates'), 'location');
  assert.equal(formField('amenities[2]'), 'amenities');
  assert.equal(formField(null), null);
  const v = errorsByField({
    field: 'name',
    message: 'invalid station: …',
    details: [
      { field: 'name', message: 'must not be empty' },
      { field: 'phone', message: '"abc" is not a telephone number' },
      { field: null, message: 'something general' },
    ],
  });
  assert.deepEqual([...v.fields], [
    ['name', ['must not be empty']],
    ['phone', ['"abc" is not a telephone number']],
  ]);
  assert.deepEqual(v.general, ['something general']);
  const one = errorsByField({ field: 'capacity', message: 'capacity: invalid value', details: [] });
  assert.deepEqual([...one.fields], [['capacity', ['capacity: invalid value']]]);
  assert.deepEqual(errorsByField({ field: null, message: 'conflict', details: [] }).general, ['conflict']);
});

test('pager lines and the street table\'s order', () => {
  assert.equal(rangeText(0, 50, 12345, 'zh'), '第 1–50 条，共 12,345 条');
  assert.equal(rangeText(50, 50, 12345, 'en'), '51–100 of 12,345');
  assert.equal(rangeText(0, 0, 0, 'zh'), '没有符合条件的站点');
  const streets = [
    { district: '兖州区', street: '鼓楼街道', stations: 10, share: 0.5 },
    { district: '兖州区', street: '大安镇', stations: 4, share: 0.25 },
    { district: '兖州区', street: '新兖镇', stations: 8, share: 0.5 },
  ];
  assert.deepEqual(sortStreets(streets, 'share', 1).map((s) => s.street), ['大安镇', '鼓楼街道', '新兖镇']);
  assert.deepEqual(sortStreets(streets, 'stations', -1).map((s) => s.street), ['鼓楼街道', '新兖镇', '大安镇']);
});

test('the console\'s texts: both languages, every key the console uses', () => {
  const zh = keys('zh');
  const en = new Set(keys('en'));
  for (const k of zh) assert.ok(en.has(k), `en has ${k}`);
  const used = new Set();
  const dir = path.join(ROOT, 'web', 'js');
  for (const f of readdirSync(dir).filter((x) => /^(console|session|planner-scenarios)/.test(x))) {
    const src = readFileSync(path.join(dir, f), 'utf8');
    for (const m of src.matchAll(/'((?:console|scenario|tab)\.[a-z0-9_.]+)'/g)) used.add(m[1]);
  }
  // Keys built at run time.
  for (const k of ['update', 'create', 'delete', 'summary']) used.add(`console.audit.kind.${k}`);
  for (const k of ['create', 'update', 'placed']) used.add(`console.import.legend.${k}`);
  for (const k of ['line', 'action', 'name', 'kind', 'hours', 'station']) used.add(`console.import.col.${k}`);
  for (const k of ['name', 'role', 'id', 'created', 'last_used', 'state']) used.add(`console.tokens.col.${k}`);
  for (const k of ['name', 'kind', 'status', 'amenities', 'opening_hours', 'capacity', 'phone', 'operator', 'offer', 'address', 'district', 'street', 'source', 'external_id', 'verified_on']) {
    used.add(`console.field.${k}`);
  }
  used.delete('scenario.create'); // an audit operation code, not a text
  const missing = [...used].filter((k) => !zh.includes(k));
  assert.deepEqual(missing, [], 'keys used but not defined');
  assert.equal(t('tab.manage', {}, 'zh'), '管理');
  assert.equal(t('tab.manage', {}, 'en'), 'Manage');
});
