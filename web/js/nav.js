// Hand-off to navigation in Amap (高德) or Baidu Maps (百度). The API's `navigation` object gives
// the station's GCJ-02 and BD-09 coordinates and web links; from those this module builds the apps'
// own URI schemes, documented by the vendors:
//
// * Amap "路径规划" (lbs.amap.com/api/amap-mobile/guide/android/route and …/ios/route):
//   Android `amapuri://route/plan/?dlat=…&dlon=…&dname=…&dev=0&t=3`, iOS `iosamap://path?…` with the
//   same parameters. `dev=0` says the coordinates are already GCJ-02 ("已经加密后的，不需要国测加密");
//   `t` is the travel type: 0 car, 2 walk, 3 ride (骑行). No start point: the app starts from the
//   rider's current position.
// * Baidu "URI API" (lbsyun.baidu.com/docs/webapi?title=mapadjustment/uri/…):
//   `map/direction?destination=name:…|latlng:LAT,LNG&coord_type=bd09ll&mode=riding&src=…`; on iOS
//   the scheme is `baidumap://`, from a web page on Android `bdapp://` (Baidu's "web" scheme);
//   `coord_type=bd09ll` names BD-09 degrees, latitude first. No origin: the app uses its own fix.
//
// A tap tries the app first; if the page is still visible after a short wait (no app took over),
// it opens the vendor's web page (`amap_url` / `baidu_url` from the API) instead. On a desktop,
// where no app can be installed, the web page opens directly.

import { mode as modeInfo } from './catalog.js';

/** How long to wait for a map app to take over before opening its web page, milliseconds. */
export const FALLBACK_MS = 1600;

/** `android`, `ios` or `desktop`, from a user-agent string. */
export function platform(ua = navigator.userAgent) {
  if (/Android/i.test(ua)) return 'android';
  if (/iPhone|iPad|iPod/i.test(ua) || (/Macintosh/.test(ua) && /Mobile/.test(ua))) return 'ios';
  return 'desktop';
}

const six = (x) => Number(x).toFixed(6);

/**
 * The app and web links of one nearest result for travel `mode`:
 * `{ amap: { android, ios, web }, baidu: { android, ios, web } }`.
 */
export function navLinks(result, mode) {
  const nav = result.navigation;
  const name = encodeURIComponent(result.station.name);
  const m = modeInfo(mode);
  const g = nav.gcj02;
  const b = nav.bd09;
  const amapQuery = `sourceApplication=yizhan&dlat=${six(g.lat)}&dlon=${six(g.lon)}&dname=${name}&dev=0&t=${m.amapT}`;
  const baiduQuery = (src) =>
    `destination=name:${name}|latlng:${six(b.lat)},${six(b.lon)}&coord_type=bd09ll&mode=${m.baiduMode}&src=${src}`;
  return {
    amap: {
      android: `amapuri://route/plan/?${amapQuery}`,
      ios: `iosamap://path?${amapQuery}`,
      web: nav.amap_url,
    },
    baidu: {
      android: `bdapp://map/direction?${baiduQuery('andr.yizhan.rider')}`,
      ios: `baidumap://map/direction?${baiduQuery('ios.yizhan.rider')}`,
      web: nav.baidu_url,
    },
  };
}

/**
 * Opens `links` (one app's `{ android, ios, web }`): the app on a phone, falling back to the web
 * page after FALLBACK_MS if the page is still visible; the web page in a new tab on a desktop.
 */
export function handOff(links, ua = navigator.userAgent) {
  const where = platform(ua);
  if (where === 'desktop') {
    window.open(links.web, '_blank', 'noopener');
    return;
  }
  let left = false;
  const onHide = () => {
    if (document.visibilityState === 'hidden') left = true;
  };
  document.addEventListener('visibilitychange', onHide);
  window.addEventListener('pagehide', onHide);
  window.setTimeout(() => {
    document.removeEventListener('visibilitychange', onHide);
    window.removeEventListener('pagehide', onHide);
    if (!left && document.visibilityState === 'visible') window.location.href = links.web;
  }, FALLBACK_MS);
  const app = where === 'ios' ? links.ios : links.android;
  // Kept on the page: what was tried, for support and for the browser tests.
  document.body.dataset.handoff = app;
  window.location.href = app;
}
