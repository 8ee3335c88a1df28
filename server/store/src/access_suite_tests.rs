//! The storage suite for tokens and the audit log, run on every backend (SQLite in
//! `sqlite_tests.rs`, PostGIS in `postgres_tests.rs`).
#![allow(clippy::unwrap_used)]

use crate::access::{Principal, Role, StoredToken, TokenRecord};
use crate::audit::{AuditContext, AuditEntry};
use crate::suite::{generated, minimal_station};
use crate::{Store, StoreError};
use serde_json::Value;

fn editor_ctx() -> AuditContext {
    AuditContext::new(
        Principal { id: "0123456789ab".to_owned(), name: "编辑甲".to_owned(), role: Role::Editor },
        Some("PUT /api/v1/stations/1".to_owned()),
    )
}

fn ops(entries: &[AuditEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.operation.as_str()).collect()
}

/// A token as the service would store it (the store never reads the hash: any PHC string does).
struct Issued {
    stored: StoredToken,
}

fn issued(id: &str, name: &str, role: Role) -> Issued {
    let record = TokenRecord {
        id: id.to_owned(),
        name: name.to_owned(),
        role,
        created_at: crate::now_micros(),
        last_used_at: None,
        revoked_at: None,
    };
    Issued { stored: StoredToken { record, secret_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA${id}") } }
}

/// Tokens: stored, read back exactly, listed oldest first, used, revoked once, and every
/// creation and revocation audited with before and after (never the secret hash).
pub(crate) async fn tokens_round_trip(store: &Store) {
    assert!(!store.has_active_tokens().await.unwrap());
    assert_eq!(store.token("000000000000").await.unwrap(), None);
    let a = issued("0123456789ab", "区管理员", Role::Admin);
    let e = issued("ba9876543210", "editor", Role::Editor);
    store.add_token(&a.stored, &AuditContext::cli()).await.unwrap();
    store.add_token(&e.stored, &AuditContext::cli()).await.unwrap();
    // The same id twice is refused.
    assert!(store.add_token(&a.stored, &AuditContext::cli()).await.is_err());
    assert!(store.has_active_tokens().await.unwrap());
    assert_eq!(store.token(&a.stored.record.id).await.unwrap().as_ref(), Some(&a.stored));
    let listed = store.tokens().await.unwrap();
    assert_eq!(listed, vec![a.stored.record.clone(), e.stored.record.clone()]);

    let used = crate::now_micros();
    store.touch_token(&e.stored.record.id, used).await.unwrap();
    assert_eq!(store.token(&e.stored.record.id).await.unwrap().unwrap().record.last_used_at, Some(used));

    assert!(store.revoke_token(&e.stored.record.id, &AuditContext::cli()).await.unwrap());
    assert!(!store.revoke_token(&e.stored.record.id, &AuditContext::cli()).await.unwrap(), "already revoked");
    assert!(!store.revoke_token("ffffffffffff", &AuditContext::cli()).await.unwrap(), "unknown");
    let revoked = store.token(&e.stored.record.id).await.unwrap().unwrap();
    assert!(revoked.record.revoked_at.is_some_and(|t| t >= used));
    assert_eq!(revoked.secret_hash, e.stored.secret_hash);
    assert!(store.has_active_tokens().await.unwrap(), "the admin token is left");
    assert!(store.revoke_token(&a.stored.record.id, &AuditContext::cli()).await.unwrap());
    assert!(!store.has_active_tokens().await.unwrap());

    let log = store.audit_log(None, 100).await.unwrap();
    assert_eq!(ops(&log), ["token.create", "token.create", "token.revoke", "token.revoke"]);
    assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(log[0].target.as_deref(), Some(a.stored.record.id.as_str()));
    assert_eq!(log[0].after.as_ref().unwrap()["name"], "区管理员");
    assert_eq!(log[0].actor_id, "cli");
    assert_eq!(log[2].before.as_ref().unwrap()["revoked_at"], Value::Null);
    assert!(log[2].after.as_ref().unwrap()["revoked_at"].is_string());
    let text = serde_json::to_string(&log).unwrap();
    assert!(!text.contains("argon2"), "no hash in the log");
}

/// Audited station writes: one entry per write with who, route, target, before and after; a
/// refused write leaves no entry; `since` and `limit` page the log.
pub(crate) async fn audited_writes(store: &Store) {
    let ctx = editor_ctx();
    let created = store.create_audited(minimal_station(), &ctx).await.unwrap();
    let mut changed = minimal_station();
    changed.name = "换电柜（二号）".to_owned();
    let updated = store.update_audited(created.id, changed.clone(), &ctx).await.unwrap();
    // Refused writes: nothing recorded.
    assert!(matches!(store.update_audited(created.id + 1000, changed, &ctx).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.delete_audited(created.id + 1000, &ctx).await, Err(StoreError::NotFound(_))));
    let deleted = store.delete_audited(created.id, &ctx).await.unwrap();
    assert_eq!(deleted.data.name, "换电柜（二号）");
    let rows: Vec<_> = (0..3).map(|i| generated("audit-src", i)).collect();
    let first = store.import_audited(rows.clone(), &|_| {}, &AuditContext::cli()).await.unwrap();
    let second = store.import_audited(rows[..2].to_vec(), &|_| {}, &AuditContext::cli()).await.unwrap();
    assert_eq!((first.created.len(), second.updated.len()), (3, 2));
    // Unaudited writes still work and leave no entry.
    store.create(minimal_station()).await.unwrap();

    let log = store.audit_log(None, 100).await.unwrap();
    assert_eq!(ops(&log), ["station.create", "station.update", "station.delete", "station.import", "station.import"]);
    for e in &log[..3] {
        assert_eq!((e.actor_id.as_str(), e.actor_name.as_str(), e.role), ("0123456789ab", "编辑甲", Role::Editor));
        assert_eq!(e.route.as_deref(), Some("PUT /api/v1/stations/1"));
        assert_eq!(e.target.as_deref(), Some(created.id.to_string().as_str()));
    }
    assert_eq!(log[0].before, None);
    assert_eq!(log[0].after, Some(serde_json::to_value(&created).unwrap()));
    assert_eq!(log[1].before, Some(serde_json::to_value(&created).unwrap()));
    assert_eq!(log[1].after, Some(serde_json::to_value(&updated).unwrap()));
    assert_eq!(log[2].before, Some(serde_json::to_value(&deleted).unwrap()));
    assert_eq!(log[2].after, None);
    assert_eq!(log[1].at, updated.updated_at, "the entry's time is the write's");
    let created_ids: Vec<i64> = first.created.iter().map(|s| s.id).collect();
    let summary = log[3].after.as_ref().unwrap();
    assert_eq!(
        (summary["rows"].as_u64(), summary["created"].as_u64(), summary["updated"].as_u64()),
        (Some(3), Some(3), Some(0))
    );
    assert_eq!(summary["created_ids"], serde_json::json!(created_ids));
    assert_eq!(log[4].after.as_ref().unwrap()["updated_ids"], serde_json::json!(created_ids[..2]));
    assert_eq!((log[3].actor_id.as_str(), log[3].route.as_deref()), ("cli", None));

    // since: from the update on; limit: the first n.
    let since = store.audit_log(Some(log[1].at), 100).await.unwrap();
    assert_eq!(since.first().map(|e| e.seq), Some(log[1].seq));
    assert_eq!(since.len(), log.len() - 1);
    assert_eq!(store.audit_log(None, 2).await.unwrap(), log[..2].to_vec());
    let future = log[4].at + chrono::Duration::seconds(1);
    assert!(store.audit_log(Some(future), 100).await.unwrap().is_empty());
}

fn square(name: &str, parent: Option<&str>, lon: f64, lat: f64) -> crate::Boundary {
    let ring =
        geo::LineString::from(vec![(lon, lat), (lon + 0.1, lat), (lon + 0.1, lat + 0.1), (lon, lat + 0.1), (lon, lat)]);
    crate::Boundary {
        name: name.to_owned(),
        parent: parent.map(str::to_owned),
        city: parent.is_none().then(|| "济宁市".to_owned()),
        province: parent.is_none().then(|| "山东省".to_owned()),
        polygon: geo::MultiPolygon(vec![geo::Polygon::new(ring, vec![])]),
    }
}

fn demand(name: &str, points: &[[f64; 3]]) -> crate::DemandDataset {
    crate::DemandDataset {
        name: name.to_owned(),
        district: Some("兖州区".to_owned()),
        synthetic: false,
        points: points.to_vec(),
    }
}

fn assert_bbox(v: &Value, want: [f64; 4]) {
    let got: Vec<f64> = v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    assert_eq!(got.len(), 4, "{v}");
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-9, "bbox {v} vs {want:?}");
    }
}

/// Demand, district and street imports: one audit entry each, in the write's transaction, with
/// the summary after, whether it replaced anything and the replaced items' summaries before; a
/// refused import stores nothing and leaves no entry.
pub(crate) async fn planning_writes_audited(store: &Store) {
    let ctx = editor_ctx();
    // Demand: new, then replaced by another principal.
    let first = store
        .put_demand_audited(
            &demand("午高峰订单", &[[116.79, 35.55, 2.0], [116.8, 35.56, 3.5], [116.81, 35.57, 0.5]]),
            &ctx,
        )
        .await
        .unwrap();
    let second = store
        .put_demand_audited(&demand("午高峰订单", &[[116.7, 35.5, 1.0], [116.71, 35.51, 1.0]]), &AuditContext::cli())
        .await
        .unwrap();
    assert_eq!((first.count, first.total, second.count, second.total), (3, 6.0, 2, 2.0));
    // Refused (the name must not be empty): nothing stored, nothing recorded.
    assert!(store.put_demand_audited(&demand("", &[[116.7, 35.5, 1.0]]), &ctx).await.is_err());
    assert_eq!(store.demand_list().await.unwrap(), vec![second.clone()]);

    // A name the database refuses, in the middle of a list: SQLite checks for empty names,
    // PostgreSQL text cannot hold NUL.
    let refused_name = if store.backend() == "postgres" { "坏\0区" } else { "" };

    // Districts: two new; one replaced (moved); a refused list where the first row was valid.
    let a = square("兖州区", None, 116.7, 35.5);
    let b = square("任城区", None, 116.5, 35.4);
    assert_eq!(store.put_districts_audited(&[a.clone(), b.clone()], &ctx).await.unwrap(), 2);
    let moved = square("兖州区", None, 116.75, 35.52);
    assert_eq!(store.put_districts_audited(std::slice::from_ref(&moved), &AuditContext::cli()).await.unwrap(), 1);
    let refused = [square("曲阜市", None, 116.9, 35.6), square(refused_name, None, 117.0, 35.6)];
    assert!(store.put_districts_audited(&refused, &ctx).await.is_err());
    assert!(store.district("曲阜市").await.unwrap().is_none(), "all or nothing");

    // Streets of one district: two new, one replaced; a refused list.
    let s1 = square("鼓楼街道", Some("兖州区"), 116.71, 35.51);
    let s2 = square("酒仙桥街道", Some("兖州区"), 116.72, 35.52);
    assert_eq!(store.put_streets_audited(&[s1.clone(), s2.clone()], &ctx).await.unwrap(), 2);
    let s1b = square("鼓楼街道", Some("兖州区"), 116.73, 35.53);
    assert_eq!(store.put_streets_audited(&[s1b.clone(), s1b.clone()], &ctx).await.unwrap(), 2);
    let refused =
        [square("新兖镇", Some("兖州区"), 116.74, 35.54), square(refused_name, Some("兖州区"), 116.75, 35.55)];
    assert!(store.put_streets_audited(&refused, &ctx).await.is_err());
    assert_eq!(store.streets("兖州区").await.unwrap().len(), 2, "all or nothing");

    // The plain writes act as the server.
    store.put_demand(&demand("系统", &[[116.7, 35.5, 1.0]])).await.unwrap();

    let log = store.audit_log(None, 100).await.unwrap();
    assert_eq!(
        ops(&log),
        [
            "demand.import",
            "demand.import",
            "district.import",
            "district.import",
            "street.import",
            "street.import",
            "demand.import"
        ]
    );
    // Demand: summaries, replaced or new, the previous version as before.
    assert_eq!(
        (log[0].actor_id.as_str(), log[0].role, log[0].route.as_deref()),
        ("0123456789ab", Role::Editor, Some("PUT /api/v1/stations/1"))
    );
    assert_eq!(log[0].target.as_deref(), Some("午高峰订单"));
    assert_eq!(log[0].before, None);
    let mut want = serde_json::to_value(&first).unwrap();
    want["replaced"] = Value::Bool(false);
    assert_eq!(log[0].after, Some(want));
    assert_eq!(log[0].at, first.created_at, "the entry's time is the write's");
    assert_eq!((log[1].actor_id.as_str(), log[1].route.as_deref()), ("cli", None));
    assert_eq!(log[1].before, Some(serde_json::to_value(&first).unwrap()));
    let after = log[1].after.as_ref().unwrap();
    assert_eq!(
        (after["count"].as_u64(), after["total"].as_f64(), after["replaced"].as_bool()),
        (Some(2), Some(2.0), Some(true))
    );
    assert_eq!(log[6].actor_id, "system");

    // Districts.
    assert_eq!(log[2].target, None, "two districts: no single target");
    assert_eq!(log[2].before, None);
    assert_eq!(
        log[2].after,
        Some(serde_json::json!({"level": "district", "count": 2, "created": 2, "replaced": 0,
            "created_names": ["兖州区", "任城区"], "replaced_names": []}))
    );
    assert_eq!(log[3].target.as_deref(), Some("兖州区"));
    let after = log[3].after.as_ref().unwrap();
    assert_eq!((after["created"].as_u64(), after["replaced"].as_u64()), (Some(0), Some(1)));
    assert_eq!(after["replaced_names"], serde_json::json!(["兖州区"]));
    let before = log[3].before.as_ref().unwrap();
    assert_eq!(before["count"], 1);
    let old = &before["boundaries"][0];
    assert_eq!(
        (old["name"].as_str(), old["city"].as_str(), old["province"].as_str()),
        (Some("兖州区"), Some("济宁市"), Some("山东省"))
    );
    assert_bbox(&old["bbox"], [116.7, 35.5, 116.8, 35.6]);

    // Streets: the district as target; duplicates in one file counted once as replaced.
    assert_eq!(log[4].target.as_deref(), Some("兖州区"));
    assert_eq!(log[4].after.as_ref().unwrap()["created_names"], serde_json::json!(["鼓楼街道", "酒仙桥街道"]));
    let after = log[5].after.as_ref().unwrap();
    assert_eq!(
        (after["count"].as_u64(), after["created"].as_u64(), after["replaced"].as_u64()),
        (Some(2), Some(0), Some(1))
    );
    let old = &log[5].before.as_ref().unwrap()["boundaries"][0];
    assert_eq!((old["name"].as_str(), old["parent"].as_str()), (Some("鼓楼街道"), Some("兖州区")));
    assert_bbox(&old["bbox"], [116.71, 35.51, 116.81, 35.61]);
}

/// Sessions: found only by their hash while live; a revoked token, expiry or sign-out ends them;
/// expired ones are forgotten as new ones open.
pub(crate) async fn sessions_live_and_end(store: &Store) {
    use crate::access::{BOOTSTRAP_TOKEN_ID, SessionRecord};
    use chrono::Duration;
    let tok = issued("aaaaaaaaaaaa", "核验员", Role::Editor);
    store.add_token(&tok.stored, &AuditContext::cli()).await.unwrap();
    let now = crate::now_micros();
    let rec = |hash: &str, token: &str, ttl_s: i64| SessionRecord {
        id_hash: hash.to_owned(),
        token_id: token.to_owned(),
        created_at: now,
        expires_at: now + Duration::seconds(ttl_s),
    };
    store.create_session(&rec("h1", "aaaaaaaaaaaa", 600)).await.unwrap();
    store.create_session(&rec("h2", BOOTSTRAP_TOKEN_ID, 600)).await.unwrap();
    store.create_session(&rec("h3", "ffffffffffff", 600)).await.unwrap();
    // A duplicate key is refused, never silently replaced.
    assert!(store.create_session(&rec("h1", "aaaaaaaaaaaa", 60)).await.is_err());

    let live = store.live_session("h1", now).await.unwrap().unwrap();
    assert_eq!(live.session, rec("h1", "aaaaaaaaaaaa", 600));
    assert_eq!(live.token.as_ref().map(|t| (t.name.as_str(), t.role)), Some(("核验员", Role::Editor)));
    let boot = store.live_session("h2", now).await.unwrap().unwrap();
    assert!(boot.token.is_none());
    // A token that does not exist opens nothing; nor does an unknown hash.
    assert!(store.live_session("h3", now).await.unwrap().is_none());
    assert!(store.live_session("nope", now).await.unwrap().is_none());
    // Expiry is exclusive.
    assert!(store.live_session("h1", now + Duration::seconds(600)).await.unwrap().is_none());
    assert!(store.live_session("h1", now + Duration::seconds(599)).await.unwrap().is_some());
    // Sign-out ends one session.
    assert!(store.revoke_session("h2", now).await.unwrap());
    assert!(!store.revoke_session("h2", now).await.unwrap());
    assert!(store.live_session("h2", now).await.unwrap().is_none());
    // Revoking the token ends its sessions.
    assert!(store.revoke_token("aaaaaaaaaaaa", &AuditContext::cli()).await.unwrap());
    assert!(store.live_session("h1", now).await.unwrap().is_none());

    // Long-expired sessions are deleted when a new one opens: its hash may then be used again.
    let old = SessionRecord {
        id_hash: "old".to_owned(),
        token_id: BOOTSTRAP_TOKEN_ID.to_owned(),
        created_at: now - Duration::days(3),
        expires_at: now - Duration::days(2),
    };
    store.create_session(&old).await.unwrap();
    store.create_session(&rec("h4", BOOTSTRAP_TOKEN_ID, 60)).await.unwrap();
    store.create_session(&rec("old", BOOTSTRAP_TOKEN_ID, 60)).await.unwrap();
    assert!(store.live_session("old", now).await.unwrap().is_some());
}

/// The audit log read with filters, both orders and both cursors, against a brute force over the
/// whole log.
pub(crate) async fn audit_filters(store: &Store) {
    use crate::audit::AuditQuery;
    let ctx = editor_ctx();
    let other = AuditContext::new(Principal { id: "bbbbbbbbbbbb".into(), name: "乙".into(), role: Role::Admin }, None);
    let a = store.create_audited(minimal_station(), &ctx).await.unwrap();
    let mut b_data = minimal_station();
    b_data.external_id = Some("b".into());
    let b = store.create_audited(b_data.clone(), &other).await.unwrap();
    b_data.name = "改名".into();
    store.update_audited(b.id, b_data.clone(), &ctx).await.unwrap();
    store.update_audited_as(b.id, b_data, &other, "station.verify").await.unwrap();
    store.delete_audited(a.id, &other).await.unwrap();
    let all = store.audit_log(None, 1000).await.unwrap();
    assert_eq!(ops(&all), ["station.create", "station.create", "station.update", "station.verify", "station.delete"]);

    let brute = |f: &dyn Fn(&AuditEntry) -> bool| all.iter().filter(|e| f(e)).cloned().collect::<Vec<_>>();
    let q = AuditQuery::all(1000);
    let by_actor = store.audit_entries(&AuditQuery { actor: Some("bbbbbbbbbbbb".into()), ..q.clone() }).await.unwrap();
    assert_eq!(by_actor, brute(&|e| e.actor_id == "bbbbbbbbbbbb"));
    assert_eq!(by_actor.len(), 3);
    let b_id = b.id.to_string();
    let by_target = store.audit_entries(&AuditQuery { target: Some(b_id.clone()), ..q.clone() }).await.unwrap();
    assert_eq!(by_target, brute(&|e| e.target.as_deref() == Some(b_id.as_str())));
    let by_op =
        store.audit_entries(&AuditQuery { operation: Some("station.verify".into()), ..q.clone() }).await.unwrap();
    assert_eq!(ops(&by_op), ["station.verify"]);
    assert_eq!(by_op[0].actor_name, "乙");
    let both = AuditQuery { actor: Some("0123456789ab".into()), target: Some(b_id.clone()), ..q.clone() };
    assert_eq!(ops(&store.audit_entries(&both).await.unwrap()), ["station.update"]);

    // Newest first, paged with `before_seq`.
    let desc = AuditQuery { newest_first: true, limit: 2, ..q.clone() };
    let page1 = store.audit_entries(&desc).await.unwrap();
    let mut rev = all.clone();
    rev.reverse();
    assert_eq!(page1, rev[..2].to_vec());
    let page2 = store.audit_entries(&AuditQuery { before_seq: Some(page1[1].seq), ..desc.clone() }).await.unwrap();
    assert_eq!(page2, rev[2..4].to_vec());
    let after = store.audit_entries(&AuditQuery { after_seq: Some(all[2].seq), ..q.clone() }).await.unwrap();
    assert_eq!(after, all[3..].to_vec());

    // Time window: `since` inclusive, `until` exclusive.
    let t = all[2].at;
    let window =
        store.audit_entries(&AuditQuery { since: Some(t), until: Some(all[4].at), ..q.clone() }).await.unwrap();
    assert_eq!(window, brute(&|e| e.at >= t && e.at < all[4].at));
    assert!(store.audit_entries(&AuditQuery { until: Some(all[0].at), ..q }).await.unwrap().is_empty());
}

/// Rider reports: stored and read back, listed newest first with filters, answered with the
/// station's fix in one transaction (both audited), and a refused fix changes nothing.
pub(crate) async fn reports_round_trip(store: &Store) {
    use crate::reports::{NewReport, Photo, ReportAnswer, ReportQuery};
    use yizhan_planner::amenity::Amenity;
    use yizhan_planner::geodesy::LonLat;
    use yizhan_planner::report::{ReportCategory, ReportStatus};
    use yizhan_planner::station::StationStatus;
    let station = store.create(minimal_station()).await.unwrap();
    let now = crate::now_micros();
    let new = |code: &str, station_id: Option<i64>, street: &str| NewReport {
        code: code.to_owned(),
        station_id,
        category: ReportCategory::AmenityMissing,
        amenity: Some(Amenity::HotWater),
        text: Some("没有热水了".to_owned()),
        position: Some(LonLat { lon: 116.8, lat: 35.55 }),
        district: Some("兖州区".to_owned()),
        street: Some(street.to_owned()),
        photo: None,
        created_at: now,
    };
    let a = store.create_report(&new("AAAA-0001", Some(station.id), "鼓楼街道")).await.unwrap();
    assert_eq!((a.status, a.has_photo, a.created_at, a.updated_at), (ReportStatus::New, false, now, now));
    assert_eq!(a.text.as_deref(), Some("没有热水了"));
    let mut with_photo = new("AAAA-0002", None, "龙桥街道");
    with_photo.photo =
        Some(Photo { bytes: vec![0xFF, 0xD8, 0xFF, 0xD9], media_type: "image/jpeg".into(), width: 3, height: 2 });
    let b = store.create_report(&with_photo).await.unwrap();
    assert!(b.has_photo && b.id > a.id);
    assert!(store.create_report(&new("AAAA-0001", None, "x")).await.is_err(), "codes are unique");
    assert_eq!(store.report_by_code("AAAA-0002").await.unwrap().unwrap(), b);
    assert_eq!(store.report(a.id).await.unwrap().unwrap(), a);
    assert!(store.report_by_code("ZZZZ-0000").await.unwrap().is_none());
    let photo = store.report_photo(b.id).await.unwrap().unwrap();
    assert_eq!((photo.bytes.as_slice(), photo.width, photo.height), (&[0xFF, 0xD8, 0xFF, 0xD9][..], 3, 2));
    assert!(store.report_photo(a.id).await.unwrap().is_none());

    let q = ReportQuery { limit: 10, ..ReportQuery::default() };
    let (n, all) = store.reports(&q).await.unwrap();
    assert_eq!((n, all.iter().map(|r| r.id).collect::<Vec<_>>()), (2, vec![b.id, a.id]), "newest first");
    let (n, _) = store.reports(&ReportQuery { street: Some("鼓楼街道".into()), ..q.clone() }).await.unwrap();
    assert_eq!(n, 1);
    let (n, page) = store.reports(&ReportQuery { station: Some(station.id), ..q.clone() }).await.unwrap();
    assert_eq!((n, page[0].id), (1, a.id));
    let (n, page) = store.reports(&ReportQuery { limit: 1, offset: 1, ..q.clone() }).await.unwrap();
    assert_eq!((n, page.len(), page[0].id), (2, 1, a.id));

    // Resolving with a fix to the station: both change, both audited, in one transaction.
    let ctx = editor_ctx();
    let mut fixed = station.data.clone();
    fixed.status = StationStatus::Closed;
    let answer = ReportAnswer {
        status: ReportStatus::Resolved,
        note: Some("已关闭该站点".into()),
        station: Some(fixed.clone()),
    };
    let (after, changed) = store.answer_report(a.id, &answer, &ctx).await.unwrap().unwrap();
    assert_eq!((after.status, after.note.as_deref()), (ReportStatus::Resolved, Some("已关闭该站点")));
    assert_eq!(after.handled_by.as_deref(), Some("0123456789ab"));
    assert!(after.resolved_at.is_some());
    assert_eq!(changed.unwrap().data, fixed);
    assert_eq!(store.get(station.id).await.unwrap().unwrap().data.status, StationStatus::Closed);
    let log = store.audit_log(None, 100).await.unwrap();
    assert_eq!(ops(&log[log.len() - 2..]), ["station.update", "report.resolved"]);
    let (open, _) = store
        .reports(&ReportQuery { statuses: vec![ReportStatus::New, ReportStatus::Acknowledged], ..q.clone() })
        .await
        .unwrap();
    assert_eq!(open, 1);

    // Reopened (new) clears the resolution time; an unknown id answers None.
    let reopen = ReportAnswer { status: ReportStatus::New, note: None, station: None };
    let (again, none) = store.answer_report(a.id, &reopen, &ctx).await.unwrap().unwrap();
    assert!(again.resolved_at.is_none() && none.is_none());
    assert!(store.answer_report(999_999, &reopen, &ctx).await.unwrap().is_none());

    // A fix the store refuses (its source and external id belong to another station) leaves the
    // report and the station as they were, and writes no audit entry.
    let other = store.create(generated("other", 7)).await.unwrap();
    let mut clash = station.data.clone();
    clash.source = other.data.source.clone();
    clash.external_id = other.data.external_id.clone();
    let entries = store.audit_log(None, 1000).await.unwrap().len();
    let refused = ReportAnswer { status: ReportStatus::Resolved, note: Some("x".into()), station: Some(clash) };
    assert!(store.answer_report(a.id, &refused, &ctx).await.is_err());
    assert_eq!(store.report(a.id).await.unwrap().unwrap().status, ReportStatus::New);
    assert_eq!(store.get(station.id).await.unwrap().unwrap().data.status, StationStatus::Closed);
    assert_eq!(store.audit_log(None, 1000).await.unwrap().len(), entries);
}
