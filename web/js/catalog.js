// The closed sets the API speaks in — station kinds, amenities, travel modes — with their labels
// (the same 中文 and English labels as the server's `StationKind` and `Amenity`), the colour and
// icon of each kind, and the Amap/Baidu mode names. No DOM here: the browser tests import it.

/** Station kinds: API code, labels, map colour, and an SVG path (24×24 view box) for the icon. */
export const KINDS = [
  {
    code: 'rest_station', zh: '驿站', en: 'Rest station', color: '#13795b',
    icon: 'M12 3.2 2.8 10.6l1.3 1.6L5 11.5V20h5.2v-5.4h3.6V20H19v-8.5l.9.7 1.3-1.6z',
  },
  {
    code: 'caring_merchant', zh: '爱心商户', en: 'Caring merchant', color: '#d0452b',
    icon: 'M12 20.3s-7.6-4.7-9.2-9.3C1.6 7.6 3.7 4.5 7 4.5c2.1 0 3.6 1.1 5 2.9 1.4-1.8 2.9-2.9 5-2.9 3.3 0 5.4 3.1 4.2 6.5-1.6 4.6-9.2 9.3-9.2 9.3z',
  },
  {
    code: 'charging_cabinet', zh: '充电换电柜', en: 'Charging / battery-swap cabinet', color: '#1f6fd1',
    icon: 'M13.5 2 4.8 13.4h6l-1.3 8.6 8.7-11.5h-6z',
  },
  {
    code: 'ride_hailing_bay', zh: '网约车临时停靠点', en: 'Ride-hailing bay', color: '#7a4bd6',
    icon: 'M5.2 10.2 6.9 5.6A2 2 0 0 1 8.8 4.3h6.4a2 2 0 0 1 1.9 1.3l1.7 4.6A2.4 2.4 0 0 1 20.5 12.5V18h-2.2v2h-2.6v-2H8.3v2H5.7v-2H3.5v-5.5a2.4 2.4 0 0 1 1.7-2.3zm2.3-.2h9l-1.3-3.6H8.8zM7 15.6a1.4 1.4 0 1 0 0-2.8 1.4 1.4 0 0 0 0 2.8zm10 0a1.4 1.4 0 1 0 0-2.8 1.4 1.4 0 0 0 0 2.8z',
  },
];

/** Amenities, in the server's order (their bit positions). */
export const AMENITIES = [
  { code: 'rest_seating', zh: '休息座椅', en: 'Rest seating' },
  { code: 'heating', zh: '取暖', en: 'Heating' },
  { code: 'cooling', zh: '空调纳凉', en: 'Cooling' },
  { code: 'drinking_water', zh: '饮用水', en: 'Drinking water' },
  { code: 'hot_water', zh: '热水', en: 'Hot water' },
  { code: 'microwave', zh: '微波炉热饭', en: 'Microwave / meals' },
  { code: 'phone_charging', zh: '手机充电', en: 'Phone charging' },
  { code: 'wifi', zh: '无线网络', en: 'Wi-Fi' },
  { code: 'reading', zh: '图书阅读', en: 'Reading' },
  { code: 'first_aid', zh: '急救药箱', en: 'First-aid kit' },
  { code: 'toilet', zh: '卫生间', en: 'Toilet' },
  { code: 'ebike_charging', zh: '电动车充电', en: 'E-bike charging' },
  { code: 'battery_swap', zh: '换电', en: 'Battery swap' },
  { code: 'parking', zh: '停车', en: 'Parking' },
  { code: 'rain_gear', zh: '雨具', en: 'Rain gear' },
  { code: 'repair_tools', zh: '维修工具', en: 'Repair tools' },
  { code: 'discount', zh: '优惠折扣', en: 'Discount' },
  { code: 'accessible', zh: '无障碍', en: 'Step-free access' },
];

/** The amenities offered as quick filters, most asked for by riders first. */
export const FILTER_AMENITIES = [
  'drinking_water', 'hot_water', 'microwave', 'phone_charging', 'toilet', 'heating', 'cooling',
  'ebike_charging', 'battery_swap', 'wifi', 'rest_seating', 'first_aid', 'rain_gear', 'repair_tools',
  'parking', 'reading', 'discount', 'accessible',
];

/**
 * Travel modes: API code, and the mode names of the map apps' links.
 * Amap app `t`: 0 car, 2 walk, 3 ride (Amap "路径规划" URI: Android `amapuri://route/plan/`, iOS
 * `iosamap://path`). Baidu `mode`: driving, walking, riding (Baidu "URI API" `map/direction`).
 */
export const MODES = [
  { code: 'ebike', amapT: 3, baiduMode: 'riding' },
  { code: 'walk', amapT: 2, baiduMode: 'walking' },
  { code: 'car', amapT: 0, baiduMode: 'driving' },
];

const byCode = (list) => new Map(list.map((x) => [x.code, x]));
const KIND_BY_CODE = byCode(KINDS);
const AMENITY_BY_CODE = byCode(AMENITIES);
const MODE_BY_CODE = byCode(MODES);

/** The kind with this code, or a neutral stand-in for a code this page does not know. */
export function kind(code) {
  return KIND_BY_CODE.get(code) ?? { code, zh: code, en: code, color: '#667085', icon: KINDS[0].icon };
}

/** The amenity with this code, or a stand-in labelled with the code itself. */
export function amenity(code) {
  return AMENITY_BY_CODE.get(code) ?? { code, zh: code, en: code };
}

/** The travel mode with this code (e-bike for an unknown one). */
export function mode(code) {
  return MODE_BY_CODE.get(code) ?? MODES[0];
}
