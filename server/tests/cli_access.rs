//! `yizhan token` and `yizhan audit`, run as an operator would, on an embedded store.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};
use yizhan_server::access::{self, Role, TokenCache};
use yizhan_server::config::StorageConfig;
use yizhan_server::store::Store;

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
