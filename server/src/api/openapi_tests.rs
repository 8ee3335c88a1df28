use super::*;
use serde_json::Value;
use std::collections::BTreeSet;

fn document() -> Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap()
}

/// Every `$ref` in the document.
fn refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "$ref" {
                    out.insert(x.as_str().unwrap().to_owned());
                }
                refs(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves() {
    let doc = document();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut all = BTreeSet::new();
    refs(&doc, &mut all);
    assert!(all.len() > 10, "the document uses component schemas: {all:?}");
    for r in &all {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("unexpected ref {r}"));
        assert!(schemas.contains_key(name), "{r} is not defined");
    }
}

#[test]
fn every_operation_is_described() {
    let doc = document();
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{method} {path} has a tag");
            assert!(op["operationId"].is_string(), "{method} {path} has an operation id");
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.keys().any(|s| s.starts_with('2')), "{method} {path} documents success");
            // The planner's analyses and plan jobs only read stored data: no token needed.
            let reads_only = matches!(
                (method.as_str(), path.as_str()),
                ("post", "/api/v1/coverage" | "/api/v1/plans") | ("delete", "/api/v1/plans/{id}")
            );
            let writes = (matches!(method.as_str(), "post" | "put" | "delete") && !reads_only)
                || path == "/api/v1/audit"
                || path.starts_with("/api/v1/admin/");
            assert_eq!(
                op.get("security").is_some(),
                writes,
                "{method} {path}: security iff it writes or is admin-only"
            );
            if writes {
                for status in ["401", "403"] {
                    assert!(responses.contains_key(status), "{method} {path} documents {status}");
                }
            }
        }
    }
    assert_eq!(operations, 30, "29 routes and /metrics");
    // The station body accepts both forms.
    let input = &doc["components"]["schemas"]["StationInput"];
    assert_eq!(input["oneOf"].as_array().map(Vec::len), Some(2), "{input}");
}
