//! HubSpot's webhooks, property-tested through the facade's public API: any change to a signed
//! request's body, URI or timestamp is refused; no header or body, however hostile, panics
//! the verifier or the event reader. (Here rather than in the facade's unit tests, so that
//! proptest is not a dependency of the facade's examples.)

use std::time::{Duration, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use hubspot_communications::webhooks::{
    REQUEST_TIMESTAMP_HEADER, SIGNATURE_HEADER, SIGNATURE_V3_HEADER, SIGNATURE_VERSION_HEADER,
    SignatureHeaders, SignatureVersion, Verifier, parse_events,
};
use proptest::prelude::*;
use serde_json::Value;
use sha2::Sha256;

const SECRET: &str = "demo-client-secret-0123";

fn v3_headers(signature: &str, timestamp: &str) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in [
        (SIGNATURE_V3_HEADER, signature),
        (REQUEST_TIMESTAMP_HEADER, timestamp),
    ] {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

/// v3 as HubSpot signs it, computed here with the `hmac` crate (not by the code under test).
fn sign_v3(secret: &str, method: &str, uri: &str, body: &[u8], timestamp: &str) -> String {
    let mut mac = <Hmac<Sha256>>::new_from_slice(secret.as_bytes()).unwrap();
    for part in [
        method.as_bytes(),
        uri.as_bytes(),
        body,
        timestamp.as_bytes(),
    ] {
        mac.update(part);
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

/// URIs of the form HubSpot calls, without `%` (so that any change of a character changes
/// the string HubSpot signs).
fn uris() -> impl Strategy<Value = String> {
    "https?://[a-z0-9.-]{1,20}(:[0-9]{1,5})?(/[a-zA-Z0-9._~!$&'()*+,;=:@-]{0,12}){0,4}(\\?[a-zA-Z0-9=&._~-]{0,20})?"
}

proptest! {
    #[test]
    fn any_change_to_body_uri_or_timestamp_is_refused(
        body in proptest::collection::vec(any::<u8>(), 0..300),
        uri in uris(),
        offset_ms in 0u64..300_000,
        body_change in (any::<prop::sample::Index>(), 1u8..=255),
        uri_change in (any::<prop::sample::Index>(), "[a-zA-Z0-9/:?&=._~-]"),
        other_timestamp in any::<u64>(),
        method in prop::sample::select(vec!["POST", "GET", "PUT"]),
    ) {
        let sent_at = 1_767_225_600_000u64;
        let timestamp = sent_at.to_string();
        let verifier = Verifier::new(SECRET)
            .clock(move || UNIX_EPOCH + Duration::from_millis(sent_at + offset_ms));
        let signature = sign_v3(SECRET, method, &uri, &body, &timestamp);
        let request = v3_headers(&signature, &timestamp);
        prop_assert_eq!(verifier.verify(method, &uri, &request, &body), Ok(SignatureVersion::V3));

        // One byte of the body changed (XOR with a non-zero value), a byte added, one cut.
        if !body.is_empty() {
            let mut changed = body.clone();
            let at = body_change.0.index(changed.len());
            changed[at] ^= body_change.1;
            prop_assert!(verifier.verify(method, &uri, &request, &changed).is_err());
            prop_assert!(verifier.verify(method, &uri, &request, &body[1..]).is_err());
        }
        let mut longer = body.clone();
        longer.push(body_change.1);
        prop_assert!(verifier.verify(method, &uri, &request, &longer).is_err());

        // One character of the URI replaced by another, or the URI cut short.
        let at = uri_change.0.index(uri.len());
        let replacement = &uri_change.1;
        if &uri[at..=at] != replacement.as_str() {
            let changed = format!("{}{}{}", &uri[..at], replacement, &uri[at + 1..]);
            prop_assert!(verifier.verify(method, &changed, &request, &body).is_err());
        }
        prop_assert!(verifier.verify(method, &uri[..uri.len() - 1], &request, &body).is_err());

        // Any other timestamp value.
        if other_timestamp != sent_at {
            let moved = v3_headers(&signature, &other_timestamp.to_string());
            prop_assert!(verifier.verify(method, &uri, &moved, &body).is_err());
        }
    }

    #[test]
    fn hostile_headers_never_panic(
        signature in proptest::collection::vec(any::<u8>(), 0..100),
        timestamp in proptest::collection::vec(any::<u8>(), 0..40),
        version in proptest::collection::vec(any::<u8>(), 0..5),
        legacy in proptest::collection::vec(any::<u8>(), 0..80),
        uri in ".{0,40}",
    ) {
        let verifier = Verifier::new(SECRET).accept_legacy(true);
        let lookup = SignatureHeaders::from_fn(|name| match name {
            SIGNATURE_V3_HEADER => Some(signature.as_slice()),
            REQUEST_TIMESTAMP_HEADER => Some(timestamp.as_slice()),
            _ => None,
        });
        prop_assert!(verifier.verify("POST", &uri, lookup, b"[]").is_err());
        let lookup = SignatureHeaders::from_fn(|name| match name {
            SIGNATURE_VERSION_HEADER => Some(version.as_slice()),
            SIGNATURE_HEADER => Some(legacy.as_slice()),
            _ => None,
        });
        prop_assert!(verifier.verify("POST", &uri, lookup, b"[]").is_err());
    }
}

proptest! {
    #[test]
    fn any_bytes_parse_or_fail_without_panicking(body in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_events(&body);
    }

    #[test]
    fn any_json_array_of_objects_reads_and_keeps_every_field(
        events in proptest::collection::vec(
            proptest::collection::btree_map(
                "[a-zA-Z]{1,12}",
                prop_oneof![
                    any::<u64>().prop_map(Value::from),
                    any::<i64>().prop_map(Value::from),
                    any::<bool>().prop_map(Value::from),
                    ".{0,12}".prop_map(Value::from),
                    Just(Value::Null),
                ],
                0..8,
            ),
            0..5,
        )
    ) {
        let body = serde_json::to_vec(&events).unwrap();
        let read = parse_events(&body).unwrap();
        prop_assert_eq!(read.len(), events.len());
        for (event, fields) in read.iter().zip(&events) {
            prop_assert_eq!(event.raw.len(), fields.len());
            for (name, value) in fields {
                prop_assert_eq!(&event.raw[name], value);
            }
        }
    }
}
