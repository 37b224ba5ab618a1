//! Property tests: whatever query string, path segments or body a client sends, on any route,
//! the fake answers a well-formed HTTP response with a JSON body (none for 204) and never a
//! 5xx, since no fault is configured.

use std::collections::BTreeMap;
use std::time::Duration;

use hubspot_communications_mock::{Config, MockServer, RateLimit};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::test_runner::{Config as Cases, TestCaseError, TestRunner};
use serde_json::{Value, json};

/// Every route, with placeholders the tests fill in.
const ROUTES: [(&str, &str); 31] = [
    ("GET", "/crm/v3/objects/communications"),
    ("POST", "/crm/v3/objects/communications"),
    ("GET", "/crm/v3/objects/communications/{message}"),
    ("PATCH", "/crm/v3/objects/communications/{message}"),
    ("DELETE", "/crm/v3/objects/communications/{spare}"),
    ("POST", "/crm/v3/objects/communications/batch/read"),
    ("POST", "/crm/v3/objects/communications/batch/create"),
    ("POST", "/crm/v3/objects/communications/batch/update"),
    ("POST", "/crm/v3/objects/communications/batch/upsert"),
    ("POST", "/crm/v3/objects/communications/batch/archive"),
    ("POST", "/crm/v3/objects/communications/search"),
    (
        "PUT",
        "/crm/v3/objects/communications/{message}/associations/{to_type}/{record}/{type_id}",
    ),
    (
        "DELETE",
        "/crm/v3/objects/communications/{spare}/associations/{to_type}/{record}/{type_id}",
    ),
    (
        "PUT",
        "/crm/v4/objects/{from_type}/{message}/associations/default/{to_type}/{record}",
    ),
    (
        "GET",
        "/crm/v4/objects/{from_type}/{message}/associations/{to_type}",
    ),
    (
        "PUT",
        "/crm/v4/objects/{from_type}/{message}/associations/{to_type}/{record}",
    ),
    (
        "DELETE",
        "/crm/v4/objects/{from_type}/{spare}/associations/{to_type}/{record}",
    ),
    ("POST", "/crm/v3/objects/{to_type}"),
    ("GET", "/crm/v3/objects/{to_type}/{record}"),
    ("PATCH", "/crm/v3/objects/{to_type}/{record}"),
    ("DELETE", "/crm/v3/objects/{to_type}/{spare}"),
    ("GET", "/crm/v3/properties/{from_type}"),
    ("POST", "/crm/v3/properties/{to_type}"),
    ("GET", "/crm/v3/properties/{to_type}/{property}"),
    ("PATCH", "/crm/v3/properties/{from_type}/{property}"),
    ("DELETE", "/crm/v3/properties/{to_type}/{property}"),
    ("POST", "/crm/v3/properties/{to_type}/batch/read"),
    ("GET", "/crm/v3/properties/{from_type}/groups"),
    ("GET", "/crm/v3/properties/{to_type}/groups/{group}"),
    ("GET", "/crm/v3/objects/nothing/here"),
    ("PUT", "/crm/v3/objects/communications"),
];

/// A fake with seeded records, no rate limits and no faults, and a runtime to call it from
/// proptest's synchronous runner.
struct Fixture {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
    http: reqwest::Client,
    /// Placeholder name -> a value that exists in the fake.
    valid: BTreeMap<&'static str, String>,
}

impl Fixture {
    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let config = Config::default()
            .rate_limit(RateLimit::new(u32::MAX, Duration::from_secs(1)))
            .search_rate_limit(RateLimit::new(u32::MAX, Duration::from_secs(1)));
        let server = runtime.block_on(MockServer::start_with(config)).unwrap();
        let record = server.seed_contact("linda@example.com");
        let mut messages = server.seed_messages(2);
        let valid = BTreeMap::from([
            ("message", messages.remove(0)),
            ("spare", messages.remove(0)),
            ("record", record),
            ("to_type", "contacts".to_owned()),
            ("from_type", "communications".to_owned()),
            ("type_id", "81".to_owned()),
            ("property", "email".to_owned()),
            ("group", "contactinformation".to_owned()),
        ]);
        Self {
            runtime,
            server,
            http: reqwest::Client::new(),
            valid,
        }
    }

    fn run<S: Strategy>(&self, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
    where
        S::Value: std::fmt::Debug,
    {
        let cases = Cases {
            cases: 96,
            failure_persistence: None,
            ..Cases::default()
        };
        if let Err(failure) = TestRunner::new(cases).run(&strategy, test) {
            panic!("{failure}");
        }
    }

    /// A route's path with its placeholders filled from `segments`, or valid values if none.
    fn path(&self, template: &str, segments: Option<&[String]>) -> String {
        let mut parts = Vec::new();
        for (i, part) in template.split('/').enumerate() {
            let placeholder = part.strip_prefix('{').and_then(|p| p.strip_suffix('}'));
            parts.push(match (placeholder, segments) {
                (Some(_), Some(segments)) => segments[i % segments.len()].clone(),
                (Some(name), None) => self.valid[name].clone(),
                (None, _) => part.to_owned(),
            });
        }
        parts.join("/")
    }

    /// Sends one request and checks the answer's shape.
    fn check(
        &self,
        method: &str,
        path: &str,
        query: &str,
        body: Vec<u8>,
    ) -> Result<(), TestCaseError> {
        let url = format!("{}{path}?{query}", self.server.base_url());
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let request = self
            .http
            .request(method, &url)
            .bearer_auth("token")
            .header("content-type", "application/json")
            .body(body);
        let (status, content_type, bytes) = self
            .runtime
            .block_on(async {
                let response = request.send().await?;
                let status = response.status().as_u16();
                let content_type = response.headers().get("content-type").cloned();
                Ok::<_, reqwest::Error>((status, content_type, response.bytes().await?))
            })
            .map_err(|e| TestCaseError::fail(format!("{url}: no whole answer: {e}")))?;
        prop_assert!(status < 500, "{url}: {status} {bytes:?}");
        if status == 204 {
            prop_assert!(bytes.is_empty(), "{url}: 204 with a body");
            return Ok(());
        }
        prop_assert_eq!(
            content_type.as_ref().and_then(|v| v.to_str().ok()),
            Some("application/json"),
            "{} answered {}",
            url,
            status
        );
        let body: Value = serde_json::from_slice(&bytes)
            .map_err(|e| TestCaseError::fail(format!("{url}: not JSON ({e}): {bytes:?}")))?;
        if status >= 400 {
            prop_assert_eq!(&body["status"], "error", "{}: {}", url, body);
        }
        Ok(())
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so any bytes (invalid
/// UTF-8, `/`, `?`, `#`) reach the server as they are.
fn encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Numbers at the edges (u64 and i64), garbage, any text, any bytes.
fn hostile_text() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::sample::select(vec![
            "18446744073709551616",
            "-1",
            "0",
            "1",
            "100",
            "101",
            "500",
            "9999",
            "10001",
            "abc",
            "",
            "true",
            "false",
            "1.5",
            "1e3",
            "contacts",
            "0-18",
            "communications",
            "81",
            "4294967377",
            "communication_to_contact",
            "hs_object_id",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        big_number().prop_map(|n| n.to_string().into_bytes()),
        any::<i64>().prop_map(|n| n.to_string().into_bytes()),
        any::<String>().prop_map(String::into_bytes),
        vec(any::<u8>(), 0..16),
    ]
}

/// Unsigned numbers, often close enough to `u64::MAX` that adding a page size overflows.
fn big_number() -> impl Strategy<Value = u64> {
    prop_oneof![any::<u64>(), u64::MAX - 1_000..=u64::MAX]
}

fn route() -> impl Strategy<Value = (&'static str, &'static str)> {
    prop::sample::select(ROUTES.to_vec())
}

/// Routes that read a query string (mostly) or any route.
fn query_route() -> impl Strategy<Value = (&'static str, &'static str)> {
    let reads = ROUTES
        .iter()
        .copied()
        .filter(|(method, _)| *method == "GET")
        .collect::<Vec<_>>();
    prop_oneof![3 => prop::sample::select(reads), 1 => route()]
}

/// Routes that read a body.
fn body_route() -> impl Strategy<Value = (&'static str, &'static str)> {
    let writes = ROUTES
        .iter()
        .copied()
        .filter(|(method, _)| matches!(*method, "POST" | "PATCH" | "PUT"));
    prop::sample::select(writes.collect::<Vec<_>>())
}

const KEYS: [&str; 26] = [
    "inputs",
    "properties",
    "id",
    "idProperty",
    "associations",
    "to",
    "types",
    "associationCategory",
    "associationTypeId",
    "filterGroups",
    "filters",
    "propertyName",
    "operator",
    "value",
    "values",
    "highValue",
    "sorts",
    "direction",
    "query",
    "limit",
    "after",
    "objectWriteTraceId",
    "propertiesWithHistory",
    "hs_communication_channel_type",
    "hs_communication_logged_from",
    "hs_pinned_engagement_id",
];

const WORDS: [&str; 20] = [
    "SMS",
    "SMS ",
    "WHATS_APP",
    "CRM",
    "HUBSPOT_DEFINED",
    "USER_DEFINED",
    "INTEGRATOR_DEFINED",
    "EQ",
    "NEQ",
    "IN",
    "BETWEEN",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
    "HAS_PROPERTY",
    "DESCENDING",
    "-hs_timestamp",
    "hs_communication_body",
    "*",
    "10001",
    "18446744073709551615",
];

/// Any JSON, leaning on the words the fake looks for so that bodies reach deep.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        prop::sample::select(WORDS.to_vec()).prop_map(Value::from),
    ];
    let key = prop_oneof![
        prop::sample::select(KEYS.to_vec()).prop_map(str::to_owned),
        any::<String>()
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A search cursor: any JSON, or a big number as a number or a string.
fn cursor() -> impl Strategy<Value = Value> {
    prop_oneof![
        json(),
        big_number().prop_map(Value::from),
        big_number().prop_map(|n| Value::from(n.to_string())),
    ]
}

/// Any bytes, any JSON, and JSON in the shapes of the fake's inputs with anything inside.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let shaped = prop_oneof![
        1 => json(),
        1 => vec(json(), 0..4).prop_map(|inputs| json!({"inputs": inputs})),
        1 => vec(json(), 0..4).prop_map(|p| json!({"inputs": p.into_iter().map(|p| json!({"id": "10001", "properties": p})).collect::<Vec<_>>()})),
        1 => (json(), json()).prop_map(|(p, a)| json!({"properties": p, "associations": a})),
        1 => vec(json(), 0..3).prop_map(|types| json!({"properties": {"hs_communication_channel_type": "SMS", "hs_communication_logged_from": "CRM"}, "associations": [{"to": {"id": "10001"}, "types": types}]})),
        2 => (json(), json(), json(), cursor()).prop_map(|(f, s, l, a)| json!({"filterGroups": [{"filters": [f]}], "sorts": s, "limit": l, "after": a})),
        1 => vec(json(), 0..3).prop_map(Value::Array),
    ];
    prop_oneof![
        4 => shaped.prop_map(|v| serde_json::to_vec(&v).unwrap()),
        1 => vec(any::<u8>(), 0..64),
    ]
}

#[test]
fn any_query_string_on_any_route_is_answered_in_json() {
    let fixture = Fixture::new();
    let known = [
        "limit",
        "after",
        "archived",
        "properties",
        "associations",
        "propertiesWithHistory",
        "idProperty",
    ];
    let garbage = vec((vec(any::<u8>(), 0..8), hostile_text()), 0..3);
    let query = (vec(prop::option::of(hostile_text()), known.len()), garbage).prop_map(
        move |(values, garbage)| {
            let named = known
                .iter()
                .zip(values)
                .filter_map(|(k, v)| Some((k.as_bytes().to_vec(), v?)));
            named
                .chain(garbage)
                .map(|(k, v)| format!("{}={}", encode(&k), encode(&v)))
                .collect::<Vec<_>>()
                .join("&")
        },
    );
    fixture.run((query_route(), query), |((method, template), query)| {
        fixture.check(
            method,
            &fixture.path(template, None),
            &query,
            b"{}".to_vec(),
        )
    });
}

#[test]
fn any_path_segments_on_any_route_are_answered_in_json() {
    let fixture = Fixture::new();
    let segments = vec(hostile_text().prop_map(|s| encode(&s)), 1..5);
    fixture.run((route(), segments), |((method, template), segments)| {
        fixture.check(
            method,
            &fixture.path(template, Some(&segments)),
            "",
            b"{}".to_vec(),
        )
    });
}

#[test]
fn any_body_on_any_route_is_answered_in_json() {
    let fixture = Fixture::new();
    fixture.run((body_route(), body()), |((method, template), body)| {
        fixture.check(method, &fixture.path(template, None), "", body)
    });
}
