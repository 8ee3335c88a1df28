#![allow(clippy::unwrap_used)]

use super::*;
use axum::http::StatusCode;

fn refused(configured: Option<&str>, header: Option<&str>) -> (StatusCode, String, Option<&'static str>) {
    let e = check(configured, header.map(str::as_bytes)).unwrap_err();
    (e.status, e.error.code, e.www_authenticate.map(|c| *c))
}

#[test]
fn no_token_configured_disables_writes() {
    for header in [None, Some("Bearer anything"), Some("Bearer ")] {
        let (status, code, challenge) = refused(None, header);
        assert_eq!((status, code.as_str(), challenge), (StatusCode::FORBIDDEN, "writes_disabled", None));
    }
    assert_eq!(refused(Some(""), Some("Bearer ")).0, StatusCode::FORBIDDEN);
    let e = check(None, None).unwrap_err();
    assert!(e.error.message.contains("YIZHAN_API_TOKEN"), "says how to set one: {}", e.error.message);
}

#[test]
fn right_token_passes() {
    let token = Some("s3cret-令牌");
    assert!(check(token, Some("Bearer s3cret-令牌".as_bytes())).is_ok());
    assert!(check(token, Some("bearer s3cret-令牌".as_bytes())).is_ok());
    assert!(check(token, Some("BEARER   s3cret-令牌  ".as_bytes())).is_ok());
}

#[test]
fn missing_or_wrong_token_is_401_with_challenge() {
    let token = Some("s3cret");
    assert_eq!(refused(token, None), (StatusCode::UNAUTHORIZED, "unauthorized".into(), Some(CHALLENGE)));
    for wrong in ["Bearer s3cre", "Bearer s3cret2", "Bearer S3CRET", "Bearer x"] {
        assert_eq!(
            refused(token, Some(wrong)),
            (StatusCode::UNAUTHORIZED, "unauthorized".into(), Some(CHALLENGE_INVALID))
        );
    }
    for malformed in ["Basic czNjcmV0", "Bearers3cret", "Bearer", "Bearer    ", "s3cret", ""] {
        assert_eq!(
            refused(token, Some(malformed)),
            (StatusCode::UNAUTHORIZED, "unauthorized".into(), Some(CHALLENGE)),
            "{malformed:?}"
        );
    }
    assert!(CHALLENGE.starts_with("Bearer") && CHALLENGE_INVALID.starts_with("Bearer"));
}

#[test]
fn bearer_parsing() {
    assert_eq!(bearer_token(b"Bearer abc"), Some(&b"abc"[..]));
    assert_eq!(bearer_token(b"Bearer\tabc"), Some(&b"abc"[..]));
    assert_eq!(bearer_token(b"Bearerabc"), None);
    assert_eq!(bearer_token(b"Bear"), None);
}
