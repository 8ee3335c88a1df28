// The web UI's DOM-free modules under node: formatting (exact expected strings in both languages),
// navigation links, query URLs, and the catalogue of kinds and amenities checked against the
// server's own definitions (the Rust source) so labels cannot drift apart.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { nearestUrl } from '../../web/js/api.js';
import { AMENITIES, FILTER_AMENITIES, KINDS, MODES } from '../../web/js/catalog.js';
import { fmtDistance, fmtDuration, fmtOpening, fmtWhen } from '../../web/js/i18n.js';
import { navLinks, platform } from '../../web/js/nav.js';
import { ROOT } from './harness.mjs';

test('distances', () => {
  const cases = [
    [0, '0 米', '0 m'],
    [54.4, '54 米', '54 m'],
    [99.6, '100 米', '100 m'],
    [850.4, '850 米', '850 m'],
    [994, '990 米', '990 m'],
    [996, '1 公里', '1 km'],
    [1234, '1.2 公里', '1.2 km'],
    [9960, '10 公里', '10 km'],
    [12345, '12 公里', '12 km'],
    [1234567, '1,235 公里', '1,235 km'],
  ];
  for (const [m, zh, en] of cases) {
    assert.equal(fmtDistance(m, 'zh'), zh, `${m} m`);
    assert.equal(fmtDistance(m, 'en'), en, `${m} m`);
  }
});

test('travel times', () => {
  const cases = [
    [0, '不到 1 分钟', 'under 1 min'],
    [29.9, '不到 1 分钟', 'under 1 min'],
    [30, '约 1 分钟', 'about 1 min'],
    [149, '约 2 分钟', 'about 2 min'],
    [240, '约 4 分钟', 'about 4 min'],
    [3569, '约 59 分钟', 'about 59 min'],
    [3600, '约 1 小时', 'about 1 h'],
    [3900, '约 1 小时 5 分钟', 'about 1 h 5 min'],
  ];
  for (const [s, zh, en] of cases) {
    assert.equal(fmtDuration(s, 'zh'), zh, `${s} s`);
    assert.equal(fmtDuration(s, 'en'), en, `${s} s`);
  }
});

test('when the next opening or closing falls, on the station clock', () => {
  // 2026-01-05 is a Monday; noon in Shanghai.
  const noon = new Date('2026-01-05T12:00:00+08:00');
  assert.equal(fmtWhen('2026-01-05T22:00:00+08:00', noon, 'zh'), '22:00');
  assert.equal(fmtWhen('2026-01-06T07:00:00+08:00', noon, 'zh'), '明天 07:00');
  assert.equal(fmtWhen('2026-01-06T07:00:00+08:00', noon, 'en'), 'tomorrow 07:00');
  assert.equal(fmtWhen('2026-01-08T08:00:00+08:00', noon, 'zh'), '周四 08:00');
  assert.equal(fmtWhen('2026-01-08T08:00:00+08:00', noon, 'en'), 'Thu 08:00');
  assert.equal(fmtWhen('2026-02-01T08:00:00+08:00', noon, 'zh'), '2月1日 08:00');
  assert.equal(fmtWhen('2026-02-01T08:00:00+08:00', noon, 'en'), '2026-02-01 08:00');
  // Half past midnight in Shanghai is still the 5th in UTC: "today" is read on the station's clock.
  const afterMidnight = new Date('2026-01-05T16:30:00Z');
  assert.equal(fmtWhen('2026-01-06T07:00:00+08:00', afterMidnight, 'zh'), '07:00');
  // A zone west of UTC.
  assert.equal(fmtWhen('2026-01-05T07:00:00-05:00', new Date('2026-01-05T04:00:00Z'), 'en'), 'tomorrow 07:00');
});

test('opening states', () => {
  const now = new Date('2026-01-05T12:00:00+08:00');
  const r = (open_now, next_change, opening_hours) => ({ open_now, next_change, station: { opening_hours } });
  assert.deepEqual(fmtOpening(r(true, '2026-01-05T22:00:00+08:00', 'Mo-Su 07:00-22:00'), now, 'zh'), {
    state: 'open',
    text: '营业中 · 22:00 关门',
  });
  assert.deepEqual(fmtOpening(r(true, '2026-01-05T22:00:00+08:00', 'Mo-Su 07:00-22:00'), now, 'en'), {
    state: 'open',
    text: 'Open · closes 22:00',
  });
  assert.deepEqual(fmtOpening(r(false, '2026-01-06T07:00:00+08:00', 'Mo-Su 07:00-22:00'), now, 'zh'), {
    state: 'closed',
    text: '已打烊 · 明天 07:00 开门',
  });
  assert.deepEqual(fmtOpening(r(true, null, '24/7'), now, 'zh'), { state: 'open', text: '24 小时营业' });
  assert.deepEqual(fmtOpening(r(true, null, '24/7'), now, 'en'), { state: 'open', text: 'Open 24 hours' });
  assert.deepEqual(fmtOpening(r(null, null, undefined), now, 'zh'), { state: 'unknown', text: '营业时间未公布' });
  assert.deepEqual(fmtOpening(r(false, null, 'off'), now, 'en'), { state: 'closed', text: 'Closed' });
});

test('navigation links: GCJ-02 for Amap, BD-09 for Baidu, mode names of each app', () => {
  const result = {
    station: { name: '鼓楼 驿站|1', location: { lon: 116.786, lat: 35.553 } },
    navigation: {
      gcj02: { lon: 116.7919123456, lat: 35.5516987654 },
      bd09: { lon: 116.7984, lat: 35.5577 },
      amap_url: 'https://uri.amap.com/navigation?to=…',
      baidu_url: 'https://api.map.baidu.com/direction?…',
    },
  };
  const name = '%E9%BC%93%E6%A5%BC%20%E9%A9%BF%E7%AB%99%7C1';
  const ride = navLinks(result, 'ebike');
  assert.equal(
    ride.amap.android,
    `amapuri://route/plan/?sourceApplication=yizhan&dlat=35.551699&dlon=116.791912&dname=${name}&dev=0&t=3`,
  );
  assert.equal(ride.amap.ios, `iosamap://path?sourceApplication=yizhan&dlat=35.551699&dlon=116.791912&dname=${name}&dev=0&t=3`);
  assert.equal(ride.amap.web, result.navigation.amap_url);
  assert.equal(
    ride.baidu.ios,
    `baidumap://map/direction?destination=name:${name}|latlng:35.557700,116.798400&coord_type=bd09ll&mode=riding&src=ios.yizhan.rider`,
  );
  assert.equal(
    ride.baidu.android,
    `bdapp://map/direction?destination=name:${name}|latlng:35.557700,116.798400&coord_type=bd09ll&mode=riding&src=andr.yizhan.rider`,
  );
  assert.equal(ride.baidu.web, result.navigation.baidu_url);
  const walk = navLinks(result, 'walk');
  assert.match(walk.amap.android, /&t=2$/);
  assert.match(walk.baidu.ios, /&mode=walking&/);
  const car = navLinks(result, 'car');
  assert.match(car.amap.ios, /&t=0$/);
  assert.match(car.baidu.android, /&mode=driving&/);
});

test('platforms', () => {
  assert.equal(platform('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Mobile Safari/537.36'), 'android');
  assert.equal(platform('Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148'), 'ios');
  assert.equal(platform('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/18.0 Mobile/15E148 Safari/604.1'), 'ios');
  assert.equal(platform('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0.0.0 Safari/537.36'), 'desktop');
});

test('nearest query URLs', () => {
  assert.equal(nearestUrl({ lon: 116.786, lat: 35.553, k: 10, mode: 'ebike' }), '/api/v1/nearest?lon=116.786&lat=35.553&k=10&mode=ebike');
  assert.equal(
    nearestUrl({ lon: 116.786, lat: 35.553, k: 10, mode: 'walk', kinds: ['rest_station', 'caring_merchant'], amenities: ['microwave'], openNow: true }),
    '/api/v1/nearest?lon=116.786&lat=35.553&k=10&mode=walk&kind=rest_station%2Ccaring_merchant&amenity=microwave&open_now=true',
  );
});

test('kinds, amenities and modes are the server\'s, with the same labels', () => {
  const planner = (f) => readFileSync(path.join(ROOT, 'planner', 'src', f), 'utf8');
  const amenities = [...planner('amenity.rs').matchAll(/^\s*\w+ = (\d+), "(\w+)", "([^"]+)", "([^"]+)", \[/gm)].map((m) => ({
    bit: Number(m[1]),
    code: m[2],
    zh: m[3],
    en: m[4],
  }));
  assert.equal(amenities.length, 18);
  assert.deepEqual(
    AMENITIES,
    amenities.sort((a, b) => a.bit - b.bit).map(({ code, zh, en }) => ({ code, zh, en })),
  );
  assert.deepEqual([...FILTER_AMENITIES].sort(), AMENITIES.map((a) => a.code).sort(), 'every amenity can be filtered on');

  const station = planner('station.rs');
  const kindBlock = station.slice(station.indexOf('StationKind, UnknownKind'), station.indexOf('StationStatus, UnknownStatus'));
  const kinds = [...kindBlock.matchAll(/^\s*\w+ = "(\w+)", "([^"]+)", "([^"]+)", \[/gm)].map((m) => ({ code: m[1], zh: m[2], en: m[3] }));
  assert.equal(kinds.length, 4);
  assert.deepEqual(KINDS.map(({ code, zh, en }) => ({ code, zh, en })), kinds);

  const eta = planner('eta.rs');
  const modes = [...eta.matchAll(/TravelMode::\w+ => "(\w+)",/g)].map((m) => m[1]);
  assert.deepEqual(new Set(MODES.map((m) => m.code)), new Set(modes));
});
