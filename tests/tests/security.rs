//! End-to-end tests of access control and protective middleware: tokens with roles (editor,
//! admin), revocation, the audit log with before/after, the configured bootstrap token, the
//! per-client rate limit, CORS and the security headers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TOKEN, TestServer, assert_error, dataset};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::num::NonZeroU32;
use yizhan_core::access::audit::AuditContext;
use yizhan_core::access::{self, Role};
use yizhan_core::config::{Config, RateLimit};

/// Creates a stored token on the server's store; its full text.
async fn token(server: &TestServer, name: &str, role: Role) -> String {
    let issued = access::issue(name, role).unwrap();
    server.state.store.add_token(&issued.stored, &AuditContext::cli()).await.unwrap();
    issued.token
}

fn station(name: &str) -> Value {
    json!({"kind": "rest_station", "name": name, "location": {"lon": 116.79, "lat": 35.55}})
}

async fn post_station(
    server: &TestServer,
    auth: Option<&str>,
    name: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let body = station(name).to_string().into_bytes();
    server.send(Method::POST, "/api/v1/stations", Some(("application/json", body)), auth, &[]).await
}

#[tokio::test]
async fn editors_write_admins_read_the_audit_log_and_revocation_is_immediate() {
    let server = TestServer::start(Config::default(), Vec::new()).await;
    // No configured token and no stored token: writes are off.
    assert_error(&post_station(&server, None, "甲").await, 403, "writes_disabled", None);

    let editor = token(&server, "骑手站编辑", Role::Editor).await;
    let admin = token(&server, "区规划管理员", Role::Admin).await;

    // Stored tokens exist: a missing or wrong token is 401.
    assert_error(&post_station(&server, None, "甲").await, 401, "unauthorized", None);
    let wrong = format!("{}0", &editor[..editor.len() - 1]);
    let wrong = if wrong == editor { format!("{}1", &editor[..editor.len() - 1]) } else { wrong };
    assert_error(&post_station(&server, Some(&wrong), "甲").await, 401, "unauthorized", None);
    assert_error(&post_station(&server, Some("not-a-token"), "甲").await, 401, "unauthorized", None);

    // The editor writes: create, replace, delete.
    let (status, _, created) = post_station(&server, Some(&editor), "驿站一号").await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    let path = format!("/api/v1/stations/{id}");
    let body = station("驿站一号（改）").to_string().into_bytes();
    let (status, _, updated) =
        server.send(Method::PUT, &path, Some(("application/json", body)), Some(&editor), &[]).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    // The cached verification is used the second time: still the same principal.
    let (status, _, _) = server.send(Method::DELETE, &path, None, Some(&editor), &[]).await;
    assert_eq!(status, StatusCode::OK);

    // The editor cannot read the audit log; the admin can.
    assert_error(&server.send(Method::GET, "/api/v1/audit", None, Some(&editor), &[]).await, 403, "forbidden", None);
    assert_error(&server.send(Method::GET, "/api/v1/audit", None, None, &[]).await, 401, "unauthorized", None);
    let (status, _, log) = server.send(Method::GET, "/api/v1/audit", None, Some(&admin), &[]).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let entries = log["entries"].as_array().unwrap();
    let ops: Vec<&str> = entries.iter().map(|e| e["operation"].as_str().unwrap()).collect();
    assert_eq!(ops, ["token.create", "token.create", "station.create", "station.update", "station.delete"]);
    let editor_id = access::parse_token(&editor).unwrap().0;
    for e in &entries[2..] {
        assert_eq!(e["actor_id"], editor_id);
        assert_eq!(e["actor_name"], "骑手站编辑");
        assert_eq!(e["role"], "editor");
        assert_eq!(e["target"], id.to_string());
    }
    assert_eq!(entries[2]["route"], "POST /api/v1/stations");
    assert_eq!(entries[2]["before"], Value::Null);
    assert_eq!(entries[2]["after"]["name"], "驿站一号");
    assert_eq!(entries[3]["route"], format!("PUT {path}"));
    assert_eq!(entries[3]["before"]["name"], "驿站一号");
    assert_eq!(entries[3]["after"]["name"], "驿站一号（改）");
    assert_eq!(entries[3]["before"]["created_at"], entries[3]["after"]["created_at"]);
    assert_eq!(entries[4]["before"]["name"], "驿站一号（改）");
    assert_eq!(entries[4]["after"], Value::Null);
    // The tokens' secrets never appear in the log.
    assert!(!log.to_string().contains(access::parse_token(&editor).unwrap().1));

    // since / limit.
    let since = entries[3]["at"].as_str().unwrap();
    let (_, _, page) =
        server.send(Method::GET, &format!("/api/v1/audit?since={since}&limit=1"), None, Some(&admin), &[]).await;
    let page = page["entries"].as_array().unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0]["operation"], "station.update");
    let bad = server.send(Method::GET, "/api/v1/audit?since=yesterday", None, Some(&admin), &[]).await;
    assert_error(&bad, 400, "invalid_parameter", Some("since"));
    let bad = server.send(Method::GET, "/api/v1/audit?limit=0", None, Some(&admin), &[]).await;
    assert_error(&bad, 400, "invalid_parameter", Some("limit"));

    // last_used_at is recorded.
    let tokens = server.state.store.tokens().await.unwrap();
    assert!(tokens.iter().find(|t| t.id == editor_id).unwrap().last_used_at.is_some());

    // Revoked: refused at once, although its verification is still cached.
    assert!(
        access::revoke(&server.state.store, server.state.token_cache(), editor_id, &AuditContext::cli()).await.unwrap()
    );
    assert_error(&post_station(&server, Some(&editor), "乙").await, 401, "unauthorized", None);
    // Revoked in the store behind the server's back (another process): also refused at once.
    let admin_id = access::parse_token(&admin).unwrap().0;
    assert!(server.state.store.revoke_token(admin_id, &AuditContext::cli()).await.unwrap());
    assert_error(&server.send(Method::GET, "/api/v1/audit", None, Some(&admin), &[]).await, 401, "unauthorized", None);
    // Every token revoked and none configured: writes are off again (a revoked token stays 401).
    assert_error(&post_station(&server, None, "乙").await, 403, "writes_disabled", None);
    assert_error(&post_station(&server, Some(&editor), "乙").await, 401, "unauthorized", None);
}

#[tokio::test]
async fn the_configured_token_is_an_admin_and_imports_are_audited() {
    let server = TestServer::with_token(Vec::new()).await;
    let editor = token(&server, "editor", Role::Editor).await;
    let csv = "name,kind,lon,lat,source,external_id\n甲站,rest_station,116.79,35.55,osm,1\n乙站,rest_station,116.80,35.56,osm,2\n";
    let answer = server
        .send(Method::POST, "/api/v1/import", Some(("text/csv", csv.as_bytes().to_vec())), Some(&editor), &[])
        .await;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.2);
    let csv2 = "name,kind,lon,lat,source,external_id\n甲站（新）,rest_station,116.79,35.55,osm,1\n";
    let answer = server
        .send(Method::POST, "/api/v1/import", Some(("text/csv", csv2.as_bytes().to_vec())), Some(TOKEN), &[])
        .await;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.2);
    let (status, _, log) = server.send(Method::GET, "/api/v1/audit", None, Some(TOKEN), &[]).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let imports: Vec<&Value> =
        log["entries"].as_array().unwrap().iter().filter(|e| e["operation"] == "station.import").collect();
    assert_eq!(imports.len(), 2);
    assert_eq!(imports[0]["actor_name"], "editor");
    assert_eq!(imports[0]["route"], "POST /api/v1/import");
    assert_eq!(imports[0]["after"]["created"], 2);
    assert_eq!(imports[0]["after"]["updated"], 0);
    assert_eq!(imports[0]["after"]["created_ids"].as_array().unwrap().len(), 2);
    assert_eq!(imports[1]["actor_id"], "config");
    assert_eq!(imports[1]["role"], "admin");
    assert_eq!(imports[1]["after"]["updated"], 1);
    assert_eq!(imports[1]["after"]["updated_ids"], json!([imports[0]["after"]["created_ids"][0]]));
}

#[tokio::test]
async fn a_configured_token_shaped_like_a_stored_one_still_works() {
    let configured = format!("yz_{}_{}", "a".repeat(12), "b".repeat(40));
    let config = Config { api_token: Some(configured.clone()), ..Config::default() };
    let server = TestServer::start(config, Vec::new()).await;
    let (status, _, body) = post_station(&server, Some(&configured), "甲").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let other = format!("yz_{}_{}", "a".repeat(12), "c".repeat(40));
    assert_error(&post_station(&server, Some(&other), "乙").await, 401, "unauthorized", None);
}

#[tokio::test]
async fn a_client_over_its_rate_gets_429_with_retry_after() {
    let limit = RateLimit { per_second: NonZeroU32::new(1).unwrap(), burst: NonZeroU32::new(5).unwrap() };
    let server = TestServer::start(Config { rate_limit: Some(limit), ..Config::default() }, dataset(10, 1)).await;
    for i in 0..5 {
        let (status, _, _) = server.get("/healthz").await;
        assert_eq!(status, StatusCode::OK, "request {i} is within the burst");
    }
    let answer = server.get("/api/v1/nearest?lon=116.79&lat=35.55").await;
    let message = assert_error(&answer, 429, "rate_limited", None);
    assert!(message.contains("127.0.0.1"), "{message}");
    let retry: u64 = answer.1["retry-after"].to_str().unwrap().parse().unwrap();
    assert_eq!(retry, 1);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(server.get("/healthz").await.0, StatusCode::OK, "refilled after Retry-After");
}

#[tokio::test]
async fn cors_allows_only_listed_origins() {
    let allowed = "https://map.example.org";
    let config = Config { cors_origins: vec![allowed.to_owned()], ..Config::default() };
    let server = TestServer::start(config, dataset(10, 1)).await;
    let preflight = |origin: &'static str| {
        server
            .client
            .request(Method::OPTIONS, server.url("/api/v1/stations"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization, content-type")
            .send()
    };
    let ok = preflight(allowed).await.unwrap();
    assert!(ok.status().is_success(), "{}", ok.status());
    assert_eq!(ok.headers()["access-control-allow-origin"], allowed);
    let methods = ok.headers()["access-control-allow-methods"].to_str().unwrap().to_owned();
    assert!(methods.contains("POST") && methods.contains("DELETE"), "{methods}");
    let refused = preflight("https://evil.example.com").await.unwrap();
    assert!(refused.headers().get("access-control-allow-origin").is_none(), "{:?}", refused.headers());
    // A simple GET from the allowed origin carries the header; from another origin it does not.
    let (_, headers, _) = server.send(Method::GET, "/healthz", None, None, &[("origin", allowed)]).await;
    assert_eq!(headers["access-control-allow-origin"], allowed);
    let (_, headers, _) =
        server.send(Method::GET, "/healthz", None, None, &[("origin", "https://evil.example.com")]).await;
    assert!(headers.get("access-control-allow-origin").is_none());

    // Default configuration: same origin only.
    let server = TestServer::start(Config::default(), Vec::new()).await;
    let (_, headers, _) = server.send(Method::GET, "/healthz", None, None, &[("origin", allowed)]).await;
    assert!(headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn an_online_map_style_opens_the_policy_to_its_origin_only() {
    let style = "https://tiles.example.org/styles/liberty.json";
    let server =
        TestServer::start(Config { map_style_url: Some(style.to_owned()), ..Config::default() }, Vec::new()).await;
    for path in ["/", "/config.json"] {
        let resp = server.client.get(server.url(path)).send().await.unwrap();
        let csp = resp.headers()["content-security-policy"].to_str().unwrap().to_owned();
        for directive in ["connect-src", "img-src"] {
            let d = csp.split(';').map(str::trim).find(|d| d.starts_with(directive)).unwrap();
            assert!(d.split_whitespace().any(|s| s == "https://tiles.example.org"), "{path}: {csp}");
        }
        assert!(!csp.split([';', ' ']).any(|s| s == "https:" || s == "http:" || s == "*"), "{path}: {csp}");
        assert_eq!(csp.matches("tiles.example.org").count(), 2, "{path}: {csp}");
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let server = TestServer::start(Config::default(), Vec::new()).await;
    for path in ["/", "/js/app.js", "/api/v1/nearest?lon=1", "/healthz", "/no/such/file"] {
        let resp = server.client.get(server.url(path)).send().await.unwrap();
        let h = resp.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self';") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            !csp.contains("script-src 'self' 'unsafe-inline'") && csp.contains("style-src 'self';"),
            "{path}: {csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
    }
    // The UI has no inline script the policy would block.
    let html = server.client.get(server.url("/")).send().await.unwrap().text().await.unwrap();
    let mut rest = html.as_str();
    while let Some(at) = rest.find("<script") {
        let tag_end = rest[at..].find('>').unwrap() + at;
        let tag = &rest[at..=tag_end];
        assert!(tag.contains(" src="), "inline script: {tag}");
        assert!(rest[tag_end + 1..].trim_start().starts_with("</script>"), "script with a body after {tag}");
        rest = &rest[tag_end + 1..];
    }
    for handler in ["onclick=", "onload=", "onerror=", "javascript:"] {
        assert!(!html.contains(handler), "inline handler {handler}");
    }
}

async fn audit_entries(server: &TestServer, admin: &str) -> Vec<Value> {
    let (status, _, log) = server.send(Method::GET, "/api/v1/audit?limit=1000", None, Some(admin), &[]).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    log["entries"].as_array().unwrap().clone()
}

async fn post_json(
    server: &TestServer,
    path: &str,
    body: &str,
    auth: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    server.send(Method::POST, path, Some(("application/json", body.as_bytes().to_vec())), auth, &[]).await
}

#[tokio::test]
async fn admins_list_create_and_revoke_tokens_over_http_and_every_change_is_audited() {
    let server = TestServer::start(Config::default(), Vec::new()).await;
    let admin = token(&server, "区规划管理员", Role::Admin).await;
    let editor = token(&server, "骑手站编辑", Role::Editor).await;
    let tokens = "/api/v1/admin/tokens";

    // Editors and anonymous callers are refused, before the body is read.
    assert_error(&server.send(Method::GET, tokens, None, Some(&editor), &[]).await, 403, "forbidden", None);
    assert_error(&server.send(Method::GET, tokens, None, None, &[]).await, 401, "unauthorized", None);
    let body = r#"{"name": "夜班编辑", "role": "admin"}"#;
    assert_error(&post_json(&server, tokens, body, Some(&editor)).await, 403, "forbidden", None);
    assert_error(&post_json(&server, tokens, body, None).await, 401, "unauthorized", None);

    // The list: both tokens, oldest first, never a secret or a hash.
    let (status, _, list) = server.send(Method::GET, tokens, None, Some(&admin), &[]).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let listed = list["tokens"].as_array().unwrap();
    let names: Vec<&str> = listed.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["区规划管理员", "骑手站编辑"]);
    assert_eq!(listed[1]["role"], "editor");
    assert_eq!(listed[1]["id"], access::parse_token(&editor).unwrap().0);
    let text = list.to_string();
    assert!(!text.contains("argon2") && !text.contains(access::parse_token(&editor).unwrap().1), "{text}");
    assert_error(
        &server.send(Method::GET, &format!("{tokens}?all=1"), None, Some(&admin), &[]).await,
        400,
        "unknown_parameter",
        Some("all"),
    );

    // Bad requests name the field; none of them stores or audits anything.
    for (body, field) in [
        (r#"{"role": "editor"}"#, "name"),
        (r#"{"name": "   "}"#, "name"),
        (r#"{"name": 7}"#, "name"),
        (r#"{"name": "x", "role": "root"}"#, "role"),
        (r#"{"name": "x", "role": 1}"#, "role"),
        (r#"{"name": "x", "expires": "never"}"#, "expires"),
    ] {
        assert_error(&post_json(&server, tokens, body, Some(&admin)).await, 422, "invalid_body", Some(field));
    }
    let long = json!({"name": "名".repeat(101)}).to_string();
    assert_error(&post_json(&server, tokens, &long, Some(&admin)).await, 422, "invalid_body", Some("name"));
    assert_error(&post_json(&server, tokens, "{name", Some(&admin)).await, 400, "malformed_json", None);
    let as_text =
        server.send(Method::POST, tokens, Some(("text/plain", body.as_bytes().to_vec())), Some(&admin), &[]).await;
    assert_error(&as_text, 415, "unsupported_media_type", None);

    // Created: the whole token answered once; it works at once with its role.
    let (status, _, created) = post_json(&server, tokens, body, Some(&admin)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let new = created["token"].as_str().unwrap().to_owned();
    let (new_id, new_secret) = access::parse_token(&new).unwrap();
    assert_eq!(created["record"]["id"], new_id);
    assert_eq!(
        (created["record"]["name"].as_str(), created["record"]["role"].as_str()),
        (Some("夜班编辑"), Some("admin"))
    );
    assert_eq!(created["record"]["revoked_at"], Value::Null);
    assert_eq!(server.send(Method::GET, tokens, None, Some(&new), &[]).await.0, StatusCode::OK, "an admin token");
    let (status, _, plain) = post_json(&server, tokens, r#"{"name": "默认角色"}"#, Some(&new)).await;
    assert_eq!((status, plain["record"]["role"].as_str()), (StatusCode::CREATED, Some("editor")), "{plain}");
    let (_, _, list) = server.send(Method::GET, tokens, None, Some(&admin), &[]).await;
    assert_eq!(list["tokens"].as_array().unwrap().len(), 4);
    assert!(!list.to_string().contains(new_secret));

    // Revoked: refused at once; a second revoke, an unknown and a malformed id are errors.
    let path = format!("{tokens}/{new_id}");
    assert_error(&server.send(Method::DELETE, &path, None, Some(&editor), &[]).await, 403, "forbidden", None);
    let (status, _, revoked) = server.send(Method::DELETE, &path, None, Some(&admin), &[]).await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert_eq!(revoked["id"], new_id);
    assert!(revoked["revoked_at"].is_string(), "{revoked}");
    assert_error(&server.send(Method::GET, tokens, None, Some(&new), &[]).await, 401, "unauthorized", None);
    assert_error(&server.send(Method::DELETE, &path, None, Some(&admin), &[]).await, 409, "conflict", Some("id"));
    let unknown = format!("{tokens}/ffffffffffff");
    assert_error(&server.send(Method::DELETE, &unknown, None, Some(&admin), &[]).await, 404, "not_found", Some("id"));
    let malformed = format!("{tokens}/{}", "令牌");
    assert_error(
        &server.send(Method::DELETE, &malformed, None, Some(&admin), &[]).await,
        400,
        "invalid_parameter",
        Some("id"),
    );

    // The audit log: the two store-made tokens, then exactly the HTTP changes, by their admins.
    let entries = audit_entries(&server, &admin).await;
    let ops: Vec<&str> = entries.iter().map(|e| e["operation"].as_str().unwrap()).collect();
    assert_eq!(ops, ["token.create", "token.create", "token.create", "token.create", "token.revoke"]);
    let admin_id = access::parse_token(&admin).unwrap().0;
    assert_eq!(entries[2]["actor_id"], admin_id);
    assert_eq!(entries[2]["route"], "POST /api/v1/admin/tokens");
    assert_eq!(entries[2]["target"], new_id);
    assert_eq!(entries[2]["after"]["name"], "夜班编辑");
    assert_eq!(entries[3]["actor_id"], new_id, "made with the new admin token");
    assert_eq!(entries[4]["route"], format!("DELETE {path}"));
    assert_eq!(entries[4]["before"]["revoked_at"], Value::Null);
    assert_eq!(entries[4]["after"]["revoked_at"], revoked["revoked_at"]);
    assert!(!serde_json::to_string(&entries).unwrap().contains(new_secret));
}

async fn post_demand(server: &TestServer, csv: &str, auth: &str) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let path = "/api/v1/demand?name=午高峰订单&district=兖州区";
    server.send(Method::POST, path, Some(("text/csv", csv.as_bytes().to_vec())), Some(auth), &[]).await
}

#[tokio::test]
async fn demand_imports_are_audited_with_the_previous_version_and_refused_ones_are_not() {
    let server = TestServer::with_token(Vec::new()).await;
    let editor = token(&server, "需求数据编辑", Role::Editor).await;
    let csv = "lon,lat,weight\n116.79,35.55,2\n116.80,35.56,3.5\n116.81,35.57,0.5\n";
    let (status, _, first) = post_demand(&server, csv, &editor).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, _, second) = post_demand(&server, "lon,lat,weight\n116.7,35.5,1\n116.71,35.51,1\n", TOKEN).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    // A file with a bad row: 422, nothing stored, nothing recorded.
    let bad = post_demand(&server, "lon,lat,weight\n116.7,35.5,1\n116.7,abc,1\n", &editor).await;
    assert_error(&bad, 422, "invalid_file", None);

    let entries = audit_entries(&server, TOKEN).await;
    let demand: Vec<&Value> = entries.iter().filter(|e| e["operation"] == "demand.import").collect();
    assert_eq!(demand.len(), 2, "{entries:?}");
    let (a, b) = (demand[0], demand[1]);
    assert_eq!(a["actor_id"], access::parse_token(&editor).unwrap().0);
    assert_eq!((a["actor_name"].as_str(), a["role"].as_str()), (Some("需求数据编辑"), Some("editor")));
    assert_eq!(a["route"], "POST /api/v1/demand");
    assert_eq!(a["target"], "午高峰订单");
    assert_eq!(a["before"], Value::Null);
    assert_eq!(
        (a["after"]["count"].as_u64(), a["after"]["total"].as_f64(), a["after"]["replaced"].as_bool()),
        (Some(3), Some(6.0), Some(false))
    );
    assert_eq!(a["after"]["district"], "兖州区");
    assert_eq!(a["after"]["created_at"], first["created_at"]);
    assert_eq!((b["actor_id"].as_str(), b["role"].as_str()), (Some("config"), Some("admin")));
    assert_eq!(
        b["before"],
        a["after"]
            .as_object()
            .map(|o| {
                let mut o = o.clone();
                o.remove("replaced");
                Value::Object(o)
            })
            .unwrap()
    );
    assert_eq!((b["after"]["count"].as_u64(), b["after"]["replaced"].as_bool()), (Some(2), Some(true)));
}
