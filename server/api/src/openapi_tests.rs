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
            // Signing in takes its token in the body; signing out ends whatever session is sent.
            let reads_only = matches!(
                (method.as_str(), path.as_str()),
                ("post", "/api/v1/coverage" | "/api/v1/plans" | "/api/v1/reports")
                    | ("delete", "/api/v1/plans/{id}")
                    | ("post" | "delete", "/api/v1/session")
            );
            let writes = (matches!(method.as_str(), "post" | "put" | "delete") && !reads_only)
                || path == "/api/v1/audit"
                || path.starts_with("/api/v1/admin/")
                // The editors' report queue and photos (riders' texts, positions and pictures).
                || (method == "get" && matches!(path.as_str(), "/api/v1/reports" | "/api/v1/reports/{id}/photo"));
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
    assert_eq!(operations, 43, "42 routes and /metrics (the district report is in the publishing document)");
    // The station body accepts both forms.
    let input = &doc["components"]["schemas"]["StationInput"];
    assert_eq!(input["oneOf"].as_array().map(Vec::len), Some(2), "{input}");
}

#[test]
fn the_served_document_describes_the_publishing_routes_with_their_errors() {
    let doc = serde_json::to_value(ApiDoc::openapi().merge_from(yizhan_publish::PublishDoc::openapi())).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for (path, errors) in [
        ("/tiles/{layer}/{z}/{x}/{y}.mvt", &["304", "400", "404"][..]),
        ("/tiles/{layer}.json", &["404"][..]),
        ("/ogc", &["400"][..]),
        ("/ogc/collections/{collectionId}/items", &["400", "404"][..]),
        ("/ogc/collections/{collectionId}/items/{featureId}", &["404"][..]),
    ] {
        let op = &paths[path]["get"];
        assert_eq!(op["tags"][0], "publishing", "{path}");
        for status in errors {
            assert!(op["responses"][*status].is_object(), "{path} documents {status}");
        }
    }
    // Every error body refers to the shared ErrorBody schema, which the merged document defines.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let body = &paths["/ogc/collections/{collectionId}/items"]["get"]["responses"]["400"]["content"]["application/json"]
        ["schema"];
    let r = body["$ref"].as_str().unwrap();
    assert!(schemas.contains_key(r.trim_start_matches("#/components/schemas/")), "{r}");
    assert!(paths.contains_key("/api/v1/stations"), "the API's own paths are kept");
    assert!(paths.contains_key("/api/v1/districts/{name}/report.pdf"), "the district report is described");
}
