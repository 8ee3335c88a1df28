//! `yizhan token` and `yizhan audit`, run as an operator would, on an embedded store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};
use yizhan_core::access::{self, Role, TokenCache};
use yizhan_core::config::StorageConfig;
use yizhan_store::Store;

fn yizhan(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yizhan"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("DATABASE_URL")
        .env("YIZHAN_LOG", "warn")
        .env("USER", "运维")
        .output()
        .expect("the yizhan binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test]
async fn tokens_are_created_once_listed_revoked_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = yizhan(&data, &["token", "create", "--name", "兖州区编辑", "--role", "editor"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_owned();
    let (id, secret) = access::parse_token(&token).unwrap_or_else(|| panic!("printed {token:?}"));
    assert!(text(&out.stderr).contains(id) && !text(&out.stderr).contains(secret), "{}", text(&out.stderr));
    let out = yizhan(&data, &["token", "create", "--name", "x", "--role", "root"]);
    assert!(!out.status.success());
    let out = yizhan(&data, &["token", "create", "--name", "   "]);
    assert!(!out.status.success(), "an empty name is refused");

    // The printed token authenticates against the store; a changed one does not.
    let store = Store::open(&StorageConfig::Embedded { data_dir: data.clone() }).await.unwrap();
    let cache = TokenCache::default();
    let who = access::authenticate(&store, &cache, &token).await.unwrap().unwrap();
    assert_eq!((who.id.as_str(), who.name.as_str(), who.role), (id, "兖州区编辑", Role::Editor));
    let wrong = format!("{}{}", &token[..token.len() - 1], if token.ends_with('0') { '1' } else { '0' });
    assert_eq!(access::authenticate(&store, &cache, &wrong).await.unwrap(), None);

    let out = yizhan(&data, &["token", "list"]);
    let list = text(&out.stdout);
    assert!(
        out.status.success() && list.contains(id) && list.contains("兖州区编辑") && list.contains("editor"),
        "{list}"
    );
    assert!(!list.contains(secret), "list never shows secrets");

    // Revoking takes the whole pasted token too; a second revoke and an unknown id fail.
    let out = yizhan(&data, &["token", "revoke", &token]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(access::authenticate(&store, &cache, &token).await.unwrap(), None, "revoked at once");
    let out = yizhan(&data, &["token", "revoke", id]);
    assert!(!out.status.success() && text(&out.stderr).contains("already revoked"), "{}", text(&out.stderr));
    let out = yizhan(&data, &["token", "revoke", "ffffffffffff"]);
    assert!(!out.status.success() && text(&out.stderr).contains("no token"), "{}", text(&out.stderr));

    // The audit log: one JSON line per write, the command line as the actor.
    let out = yizhan(&data, &["audit"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let ops: Vec<&str> = lines.iter().map(|l| l["operation"].as_str().unwrap()).collect();
    assert_eq!(ops, ["token.create", "token.revoke"]);
    assert_eq!(lines[0]["actor_id"], "cli");
    assert_eq!(lines[0]["actor_name"], "command line (运维)");
    assert_eq!(lines[1]["target"], id);
    let out = yizhan(&data, &["audit", "--since", "2999-01-01T00:00:00Z"]);
    assert!(out.status.success() && out.stdout.is_empty());
}

fn data(path: &str) -> String {
    format!("{}/../../data/{path}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn boundary_and_demand_imports_are_audited_as_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let ok = |out: Output| {
        assert!(out.status.success(), "{}", text(&out.stderr));
    };
    ok(yizhan(&d, &["import-districts", &data("districts/jining.geojson")]));
    let streets = data("demo/yanzhou-streets.geojson");
    ok(yizhan(&d, &["import-districts", &streets, "--level", "street", "--parent", "兖州区"]));
    let demand = dir.path().join("订单.csv");
    std::fs::write(&demand, "lon,lat,weight\n116.79,35.55,2\n116.8,35.56,1\n").unwrap();
    ok(yizhan(&d, &["import-demand", demand.to_str().unwrap(), "--name", "订单"]));
    std::fs::write(&demand, "lon,lat,weight\n116.79,35.55,2\n116.8,35.56,1\n116.81,35.57,4\n").unwrap();
    ok(yizhan(&d, &["import-demand", demand.to_str().unwrap(), "--name", "订单"]));
    // Refused imports record nothing.
    std::fs::write(&demand, "lon,lat,weight\n116.79,35.55,2\n116.8,abc,1\n").unwrap();
    assert!(!yizhan(&d, &["import-demand", demand.to_str().unwrap(), "--name", "订单"]).status.success());
    let empty = dir.path().join("empty.geojson");
    std::fs::write(&empty, r#"{"type":"FeatureCollection","features":[]}"#).unwrap();
    assert!(!yizhan(&d, &["import-districts", empty.to_str().unwrap()]).status.success());

    let out = yizhan(&d, &["audit"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let ops: Vec<&str> = lines.iter().map(|l| l["operation"].as_str().unwrap()).collect();
    assert_eq!(ops, ["district.import", "street.import", "demand.import", "demand.import"]);
    for l in &lines {
        assert_eq!((l["actor_id"].as_str(), l["actor_name"].as_str()), (Some("cli"), Some("command line (运维)")));
        assert_eq!(l["route"], serde_json::Value::Null);
    }
    let districts = &lines[0]["after"];
    assert_eq!((districts["count"].as_u64(), districts["created"].as_u64()), (Some(11), Some(11)), "{districts}");
    assert!(districts["created_names"].as_array().unwrap().iter().any(|n| n == "兖州区"));
    assert_eq!(lines[1]["target"], "兖州区");
    assert_eq!(lines[1]["after"]["level"], "street");
    assert_eq!(lines[1]["after"]["count"], 10);
    assert_eq!(lines[2]["target"], "订单");
    assert_eq!((lines[2]["after"]["count"].as_u64(), lines[2]["after"]["replaced"].as_bool()), (Some(2), Some(false)));
    assert_eq!(lines[3]["before"]["count"], 2);
    assert_eq!(lines[3]["before"]["total"], 3.0);
    assert_eq!((lines[3]["after"]["count"].as_u64(), lines[3]["after"]["replaced"].as_bool()), (Some(3), Some(true)));
}
