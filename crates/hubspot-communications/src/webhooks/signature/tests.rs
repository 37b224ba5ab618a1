//! The verifier against HubSpot's documented examples, vectors computed outside this crate, and
//! every way a request can be wrong.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::*;

const SECRET: &str = "demo-client-secret-0123";
const URL: &str = "https://example.com/hubspot/webhooks";
const TIMESTAMP: &str = "1767225600000";
const BODY: &str = r#"[{"eventId":1,"subscriptionId":2,"portalId":62515,"occurredAt":1767225600000,"subscriptionType":"object.creation","attemptNumber":0,"objectId":10001,"objectTypeId":"0-18","changeSource":"CRM"}]"#;
/// `BODY` signed with `SECRET`, `POST`, `URL` and `TIMESTAMP`, computed with Python's hmac:
/// python3 -c 'import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b"demo-client-secret-0123",b"POST"+b"https://example.com/hubspot/webhooks"+b"[{\"eventId\":1,\"subscriptionId\":2,\"portalId\":62515,\"occurredAt\":1767225600000,\"subscriptionType\":\"object.creation\",\"attemptNumber\":0,\"objectId\":10001,\"objectTypeId\":\"0-18\",\"changeSource\":\"CRM\"}]"+b"1767225600000",hashlib.sha256).digest()).decode())'
const SIGNATURE: &str = "6exda8GRMEGY1rql53oTrUUHtVwrM+8CmbTsPMGrPQ0=";

/// A clock `after` past `TIMESTAMP`.
fn at(after: Duration) -> impl Fn() -> SystemTime + Send + Sync + 'static {
    move || UNIX_EPOCH + Duration::from_millis(1_767_225_600_000) + after
}

/// A clock `before` ahead of `TIMESTAMP`.
fn before(before: Duration) -> impl Fn() -> SystemTime + Send + Sync + 'static {
    move || UNIX_EPOCH + Duration::from_millis(1_767_225_600_000) - before
}

fn verifier() -> Verifier {
    Verifier::new(SECRET).clock(at(Duration::from_secs(1)))
}

fn headers(pairs: &[(&str, &[u8])]) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            http::HeaderValue::from_bytes(value).unwrap(),
        );
    }
    map
}

fn v3_headers(signature: &str, timestamp: &str) -> http::HeaderMap {
    headers(&[
        (SIGNATURE_V3_HEADER, signature.as_bytes()),
        (REQUEST_TIMESTAMP_HEADER, timestamp.as_bytes()),
    ])
}

/// v3 as the tests sign it, with the `hmac` crate directly (for inputs made in the test).
fn sign_v3(secret: &str, method: &str, signed_uri: &str, body: &[u8], timestamp: &str) -> String {
    let mut mac = <Hmac<Sha256>>::new_from_slice(secret.as_bytes()).unwrap();
    for part in [
        method.as_bytes(),
        signed_uri.as_bytes(),
        body,
        timestamp.as_bytes(),
    ] {
        mac.update(part);
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

#[test]
fn hubspots_documented_v2_example_verifies() {
    // HubSpot's "Validating requests" page (and /work/shared/HUBSPOT.md): secret
    // yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy, GET https://www.example.com/webhook_uri, no body.
    let secret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
    let signature = "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e";
    let legacy = Verifier::new(secret).accept_legacy(true);
    let request = headers(&[
        (SIGNATURE_VERSION_HEADER, b"v2"),
        (SIGNATURE_HEADER, signature.as_bytes()),
    ]);
    let uri = "https://www.example.com/webhook_uri";
    assert_eq!(
        legacy.verify("GET", uri, &request, b""),
        Ok(SignatureVersion::V2)
    );
    // Upper-case hex is the same hash.
    let upper = headers(&[
        (SIGNATURE_VERSION_HEADER, b"V2"),
        (SIGNATURE_HEADER, signature.to_uppercase().as_bytes()),
    ]);
    assert_eq!(
        legacy.verify("GET", uri, &upper, b""),
        Ok(SignatureVersion::V2)
    );
    // v2 covers method and URI.
    assert_eq!(
        legacy.verify("POST", uri, &request, b""),
        Err(SignatureError::Mismatch {
            version: SignatureVersion::V2
        })
    );
    assert_eq!(
        legacy.verify(
            "GET",
            "https://www.example.com/webhook_uri?x=1",
            &request,
            b""
        ),
        Err(SignatureError::Mismatch {
            version: SignatureVersion::V2
        })
    );
    // Legacy signatures are refused unless asked for.
    assert_eq!(
        Verifier::new(secret).verify("GET", uri, &request, b""),
        Err(SignatureError::LegacyNotAccepted {
            version: SignatureVersion::V2
        })
    );
}

#[test]
fn v2_with_a_body() {
    // python3 -c 'import hashlib;print(hashlib.sha256(b"demo-client-secret-0123"+b"POST"+b"https://example.com/hubspot/webhooks?a=1"+b"[{\"eventId\":1}]").hexdigest())'
    let signature = "24b60557aee5c9b7b9db149564b97094a5c4d59140d3e78a4f89ada0555555ef";
    let request = headers(&[
        (SIGNATURE_VERSION_HEADER, b"v2"),
        (SIGNATURE_HEADER, signature.as_bytes()),
    ]);
    let legacy = Verifier::new(SECRET).accept_legacy(true);
    let uri = "https://example.com/hubspot/webhooks?a=1";
    assert_eq!(
        legacy.verify("POST", uri, &request, br#"[{"eventId":1}]"#),
        Ok(SignatureVersion::V2)
    );
    assert!(
        legacy
            .verify("POST", uri, &request, br#"[{"eventId":2}]"#)
            .is_err()
    );
}

#[test]
fn hubspots_documented_v1_example_verifies() {
    // HubSpot's v1 example ("v1 request validation"): secret + body, nothing else.
    let secret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
    let body = r#"[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]"#;
    let signature = "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de";
    let request = headers(&[
        (SIGNATURE_VERSION_HEADER, b"v1"),
        (SIGNATURE_HEADER, signature.as_bytes()),
    ]);
    let legacy = Verifier::new(secret).accept_legacy(true);
    // v1 does not cover method or URI.
    for (method, uri) in [("POST", URL), ("GET", "http://elsewhere.example/")] {
        assert_eq!(
            legacy.verify(method, uri, &request, body.as_bytes()),
            Ok(SignatureVersion::V1)
        );
    }
    let mut tampered = body.as_bytes().to_vec();
    tampered[12] = b'2';
    assert_eq!(
        legacy.verify("POST", URL, &request, &tampered),
        Err(SignatureError::Mismatch {
            version: SignatureVersion::V1
        })
    );
}

#[test]
fn a_v3_vector_computed_elsewhere_verifies() {
    let request = v3_headers(SIGNATURE, TIMESTAMP);
    assert_eq!(
        verifier().verify("POST", URL, &request, BODY.as_bytes()),
        Ok(SignatureVersion::V3)
    );
}

#[test]
fn v3_signs_the_body_as_bytes() {
    // python3 -c 'import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b"demo-client-secret-0123",b"POST"+b"https://example.com/hubspot/webhooks"+"[{\"eventId\":7,\"propertyName\":\"hs_communication_body\",\"propertyValue\":\"Café ☕\"}]".encode()+b"1767225600000",hashlib.sha256).digest()).decode())'
    let body =
        r#"[{"eventId":7,"propertyName":"hs_communication_body","propertyValue":"Café ☕"}]"#;
    let request = v3_headers("ZNOJ2VmiCEy9E4PIiar/nrvJ6PDHsB3xluwNWGTKZL4=", TIMESTAMP);
    assert_eq!(
        verifier().verify("POST", URL, &request, body.as_bytes()),
        Ok(SignatureVersion::V3)
    );
    // Not UTF-8 at all: still just bytes, a mismatch, no panic.
    assert!(matches!(
        verifier().verify("POST", URL, &request, &[0xff, 0xfe, 0x00]),
        Err(SignatureError::Mismatch { .. })
    ));
}

#[test]
fn v3_decodes_hubspots_list_of_encodings_in_the_uri_and_nothing_else() {
    // HubSpot signs the URI with %3A %2F %3F %40 %21 %24 %27 %28 %29 %2A %2C %3B decoded;
    // %20 is not on the list and stays. Computed over the decoded form:
    // python3 -c 'import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b"demo-client-secret-0123",b"POST"+b"https://hooks.example.com/hubspot/webhooks?account=a:b&path=/x@y!$'"'"'()*,;?&name=a%20b"+b""+b"1767225600000",hashlib.sha256).digest()).decode())'
    let signature = "gZ+ccxvLReXPYp/YoExj416159I1Of6fglPzpqUGilY=";
    let request = v3_headers(signature, TIMESTAMP);
    let received = "https://hooks.example.com/hubspot/webhooks?account=a%3Ab&path=%2Fx%40y%21%24%27%28%29%2A%2C%3B%3F&name=a%20b";
    assert_eq!(
        verifier().verify("POST", received, &request, b""),
        Ok(SignatureVersion::V3)
    );
    // Lower-case hex digits encode the same characters.
    let lower = "https://hooks.example.com/hubspot/webhooks?account=a%3ab&path=%2fx%40y%21%24%27%28%29%2a%2c%3b%3f&name=a%20b";
    assert_eq!(
        verifier().verify("POST", lower, &request, b""),
        Ok(SignatureVersion::V3)
    );
    // Already decoded: the same string.
    let plain =
        "https://hooks.example.com/hubspot/webhooks?account=a:b&path=/x@y!$'()*,;?&name=a%20b";
    assert_eq!(
        verifier().verify("POST", plain, &request, b""),
        Ok(SignatureVersion::V3)
    );
    // %20 decoded is another URI.
    let space =
        "https://hooks.example.com/hubspot/webhooks?account=a:b&path=/x@y!$'()*,;?&name=a b";
    assert!(verifier().verify("POST", space, &request, b"").is_err());
}

#[test]
fn uri_decoding_is_one_pass() {
    assert_eq!(&*decode_uri("a%253Ab"), b"a%253Ab");
    assert_eq!(&*decode_uri("a%%3Ab"), b"a%:b");
    assert_eq!(&*decode_uri("%3"), b"%3");
    assert_eq!(&*decode_uri("%"), b"%");
    assert_eq!(&*decode_uri("%zz%2F"), b"%zz/");
    assert_eq!(&*decode_uri("%C3%A9"), b"%C3%A9");
    assert!(matches!(decode_uri("https://a/b"), Cow::Borrowed(_)));
}

#[test]
fn stale_and_future_timestamps_are_refused_after_the_signature() {
    let request = v3_headers(SIGNATURE, TIMESTAMP);
    let verify = |verifier: Verifier| verifier.verify("POST", URL, &request, BODY.as_bytes());
    let five_minutes = Duration::from_secs(300);
    assert_eq!(
        verify(Verifier::new(SECRET).clock(at(five_minutes))),
        Ok(SignatureVersion::V3)
    );
    assert_eq!(
        verify(Verifier::new(SECRET).clock(at(five_minutes + Duration::from_millis(1)))),
        Err(SignatureError::StaleTimestamp {
            age: Duration::from_millis(300_001),
            max_age: five_minutes
        })
    );
    // A day old (a replay).
    assert!(matches!(
        verify(Verifier::new(SECRET).clock(at(Duration::from_secs(86_400)))),
        Err(SignatureError::StaleTimestamp { .. })
    ));
    // The window is configurable.
    assert_eq!(
        verify(
            Verifier::new(SECRET)
                .max_age(Duration::from_secs(30))
                .clock(at(Duration::from_secs(31)))
        ),
        Err(SignatureError::StaleTimestamp {
            age: Duration::from_secs(31),
            max_age: Duration::from_secs(30)
        })
    );
    assert_eq!(
        verify(Verifier::new(SECRET).clock(before(Duration::from_secs(60)))),
        Ok(SignatureVersion::V3)
    );
    assert_eq!(
        verify(Verifier::new(SECRET).clock(before(Duration::from_secs(61)))),
        Err(SignatureError::FutureTimestamp {
            ahead: Duration::from_secs(61),
            max_skew: DEFAULT_MAX_CLOCK_SKEW
        })
    );
    assert_eq!(
        verify(
            Verifier::new(SECRET)
                .max_clock_skew(Duration::ZERO)
                .clock(before(Duration::from_millis(1)))
        ),
        Err(SignatureError::FutureTimestamp {
            ahead: Duration::from_millis(1),
            max_skew: Duration::ZERO
        })
    );
    // A clock before 1970 sees every timestamp in the future, without panicking.
    assert!(matches!(
        verify(Verifier::new(SECRET).clock(|| UNIX_EPOCH - Duration::from_secs(1))),
        Err(SignatureError::FutureTimestamp { .. })
    ));
    // A forgery with an old timestamp is a mismatch, not "stale".
    let forged = v3_headers(
        &sign_v3("guess", "POST", URL, BODY.as_bytes(), TIMESTAMP),
        TIMESTAMP,
    );
    assert_eq!(
        Verifier::new(SECRET)
            .clock(at(Duration::from_secs(86_400)))
            .verify("POST", URL, &forged, BODY.as_bytes()),
        Err(SignatureError::Mismatch {
            version: SignatureVersion::V3
        })
    );
}

#[test]
fn seconds_are_not_milliseconds() {
    // A sender that wrote seconds, signed correctly:
    // python3 -c 'import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b"demo-client-secret-0123",b"POST"+b"https://example.com/hubspot/webhooks"+b"[]"+b"1767225600",hashlib.sha256).digest()).decode())'
    let request = v3_headers("NiHJ5yRmxILxyvfgi/LQuvZjDIHTqfgwcM3tv1aOz/k=", "1767225600");
    assert!(matches!(
        verifier().verify("POST", URL, &request, b"[]"),
        Err(SignatureError::StaleTimestamp { .. })
    ));
}

#[test]
fn a_timestamp_at_the_end_of_u64_is_in_the_future_not_a_panic() {
    let timestamp = u64::MAX.to_string();
    let request = v3_headers(&sign_v3(SECRET, "POST", URL, b"", &timestamp), &timestamp);
    assert!(matches!(
        verifier().verify("POST", URL, &request, b""),
        Err(SignatureError::FutureTimestamp { .. })
    ));
}

#[test]
fn tampered_requests_are_mismatches() {
    let request = v3_headers(SIGNATURE, TIMESTAMP);
    let mismatch = Err(SignatureError::Mismatch {
        version: SignatureVersion::V3,
    });
    let body = BODY.as_bytes();
    let changed_body = BODY.replace("10001", "10002");
    let cases: [(&str, &str, &[u8]); 7] = [
        ("another body", URL, changed_body.as_bytes()),
        ("no body", URL, b""),
        ("body with a trailing newline", URL, &[body, b"\n"].concat()),
        (
            "http for https",
            "http://example.com/hubspot/webhooks",
            body,
        ),
        ("another host", "https://example.org/hubspot/webhooks", body),
        (
            "a query added",
            "https://example.com/hubspot/webhooks?x=1",
            body,
        ),
        (
            "a trailing slash",
            "https://example.com/hubspot/webhooks/",
            body,
        ),
    ];
    for (case, uri, body) in cases {
        assert_eq!(
            verifier().verify("POST", uri, &request, body),
            mismatch,
            "{case}"
        );
    }
    assert_eq!(verifier().verify("PUT", URL, &request, body), mismatch);
    assert_eq!(verifier().verify("post", URL, &request, body), mismatch);
    assert_eq!(
        Verifier::new("another-secret")
            .clock(at(Duration::ZERO))
            .verify("POST", URL, &request, body),
        mismatch
    );
    // Another timestamp, even an equal number written otherwise.
    for timestamp in ["1767225600001", "01767225600000"] {
        let request = v3_headers(SIGNATURE, timestamp);
        assert_eq!(verifier().verify("POST", URL, &request, body), mismatch);
    }
    // The signature of another request.
    let other = sign_v3(SECRET, "POST", URL, b"[]", TIMESTAMP);
    assert_eq!(
        verifier().verify("POST", URL, &v3_headers(&other, TIMESTAMP), body),
        mismatch
    );
}

#[test]
fn missing_headers_are_named() {
    let missing = |header| Err(SignatureError::MissingHeader { header });
    let body = BODY.as_bytes();
    assert_eq!(
        verifier().verify("POST", URL, &http::HeaderMap::new(), body),
        missing(SIGNATURE_V3_HEADER)
    );
    let no_timestamp = headers(&[(SIGNATURE_V3_HEADER, SIGNATURE.as_bytes())]);
    assert_eq!(
        verifier().verify("POST", URL, &no_timestamp, body),
        missing(REQUEST_TIMESTAMP_HEADER)
    );
    // A timestamp alone is no signature.
    let timestamp_only = headers(&[(REQUEST_TIMESTAMP_HEADER, TIMESTAMP.as_bytes())]);
    assert_eq!(
        verifier().verify("POST", URL, &timestamp_only, body),
        missing(SIGNATURE_V3_HEADER)
    );
    let version_only = headers(&[(SIGNATURE_VERSION_HEADER, b"v1")]);
    assert_eq!(
        verifier()
            .accept_legacy(true)
            .verify("POST", URL, &version_only, body),
        missing(SIGNATURE_HEADER)
    );
    // A legacy signature without its version header is not read.
    let unversioned = headers(&[(SIGNATURE_HEADER, [b'0'; 64].as_slice())]);
    assert_eq!(
        verifier()
            .accept_legacy(true)
            .verify("POST", URL, &unversioned, body),
        missing(SIGNATURE_V3_HEADER)
    );
}

#[test]
fn unreadable_headers_are_refused_with_their_problem() {
    let unreadable = |header, problem| Err(SignatureError::UnreadableHeader { header, problem });
    let body = BODY.as_bytes();
    let timestamp = |value: &[u8]| {
        verifier().verify(
            "POST",
            URL,
            &headers(&[
                (SIGNATURE_V3_HEADER, SIGNATURE.as_bytes()),
                (REQUEST_TIMESTAMP_HEADER, value),
            ]),
            body,
        )
    };
    for value in [
        b"1.7e12".as_slice(),
        b"1767225600000.0",
        b"-1767225600000",
        b"+1767225600000",
        b"",
        b"0x1A",
        b"1767225600000ms",
        b"\xff\xfe",
        "１７６７".as_bytes(),
    ] {
        assert_eq!(
            timestamp(value),
            unreadable(REQUEST_TIMESTAMP_HEADER, HeaderProblem::NotANumber),
            "{value:?}"
        );
    }
    for value in [
        "18446744073709551616",
        "99999999999999999999999999999999999999",
    ] {
        assert_eq!(
            timestamp(value.as_bytes()),
            unreadable(REQUEST_TIMESTAMP_HEADER, HeaderProblem::TooLarge)
        );
    }

    let signature = |value: &[u8]| {
        verifier().verify(
            "POST",
            URL,
            &headers(&[
                (SIGNATURE_V3_HEADER, value),
                (REQUEST_TIMESTAMP_HEADER, TIMESTAMP.as_bytes()),
            ]),
            body,
        )
    };
    for value in [b"***".as_slice(), b"", b"\xff", &SIGNATURE.as_bytes()[..43]] {
        assert!(
            matches!(
                signature(value),
                Err(SignatureError::UnreadableHeader {
                    header: SIGNATURE_V3_HEADER,
                    ..
                })
            ),
            "{value:?}"
        );
    }
    assert_eq!(
        signature(b"***"),
        unreadable(SIGNATURE_V3_HEADER, HeaderProblem::NotBase64)
    );
    assert_eq!(
        signature(STANDARD.encode([7u8; 16]).as_bytes()),
        unreadable(SIGNATURE_V3_HEADER, HeaderProblem::WrongLength)
    );
    // A hex SHA-256 is not the v3 form.
    assert!(signature([b'a'; 64].as_slice()).is_err());

    let legacy = |version: &[u8], value: &[u8]| {
        verifier().accept_legacy(true).verify(
            "POST",
            URL,
            &headers(&[
                (SIGNATURE_VERSION_HEADER, version),
                (SIGNATURE_HEADER, value),
            ]),
            body,
        )
    };
    let zeros = [b'0'; 64];
    for version in [b"v9".as_slice(), b"v3", b"", b"1", b"\xff"] {
        assert_eq!(
            legacy(version, &zeros),
            unreadable(SIGNATURE_VERSION_HEADER, HeaderProblem::UnknownVersion)
        );
    }
    assert_eq!(
        legacy(b"v1", &[b'z'; 64]),
        unreadable(SIGNATURE_HEADER, HeaderProblem::NotHex)
    );
    assert_eq!(
        legacy(b"v1", &zeros[..62]),
        unreadable(SIGNATURE_HEADER, HeaderProblem::WrongLength)
    );
    assert_eq!(
        legacy(b"v1", &zeros),
        Err(SignatureError::Mismatch {
            version: SignatureVersion::V1
        })
    );
}

#[test]
fn a_v3_signature_is_judged_alone_no_downgrade_to_legacy() {
    // A valid v1 signature beside a wrong v3 one: refused on v3.
    let secret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
    let body = r#"[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]"#;
    let request = headers(&[
        (SIGNATURE_V3_HEADER, SIGNATURE.as_bytes()),
        (REQUEST_TIMESTAMP_HEADER, TIMESTAMP.as_bytes()),
        (SIGNATURE_VERSION_HEADER, b"v1"),
        (
            SIGNATURE_HEADER,
            b"232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de",
        ),
    ]);
    assert_eq!(
        Verifier::new(secret)
            .accept_legacy(true)
            .clock(at(Duration::ZERO))
            .verify("POST", URL, &request, body.as_bytes()),
        Err(SignatureError::Mismatch {
            version: SignatureVersion::V3
        })
    );
}

#[test]
fn an_empty_secret_refuses_everything() {
    let request = v3_headers(&sign_v3("", "POST", URL, b"", TIMESTAMP), TIMESTAMP);
    assert_eq!(
        Verifier::new("")
            .clock(at(Duration::ZERO))
            .verify("POST", URL, &request, b""),
        Err(SignatureError::MissingSecret)
    );
}

#[test]
fn headers_from_a_lookup_function() {
    let received = [
        ("X-HUBSPOT-SIGNATURE-V3", SIGNATURE),
        ("x-hubspot-request-timestamp", TIMESTAMP),
    ];
    let lookup = SignatureHeaders::from_fn(|name| {
        received
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_bytes())
    });
    assert_eq!(
        verifier().verify("POST", URL, lookup, BODY.as_bytes()),
        Ok(SignatureVersion::V3)
    );
}

#[test]
fn the_secret_never_shows() {
    let secret = "s3cr3t-client-secret-value";
    let verifier = Verifier::new(secret).clock(at(Duration::ZERO));
    let mut shown = vec![format!("{verifier:?}")];
    let requests = [
        http::HeaderMap::new(),
        v3_headers(SIGNATURE, TIMESTAMP),
        v3_headers("***", TIMESTAMP),
        v3_headers(SIGNATURE, "1.7e12"),
        v3_headers(&sign_v3(secret, "POST", URL, b"", "1"), "1"),
        headers(&[(SIGNATURE_VERSION_HEADER, b"v1")]),
    ];
    for request in &requests {
        shown.push(format!("{:?}", SignatureHeaders::from(request)));
        if let Err(error) = verifier.verify("POST", URL, request, b"") {
            shown.push(format!("{error} {error:?}"));
        }
    }
    assert!(shown.len() > 5);
    for text in shown {
        assert!(!text.contains(secret), "{text}");
        assert!(!text.contains("s3cr3t"), "{text}");
    }
}
