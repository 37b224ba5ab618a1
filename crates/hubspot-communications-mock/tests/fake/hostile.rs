//! Hostile input: cursors past any page, garbage, oversized bodies, paths that are not UTF-8,
//! connections that never finish their headers. The fake answers HubSpot's JSON or hangs up;
//! it never panics and never holds a connection forever.

use crate::common;

use common::send;

use std::time::Duration;

use hubspot_communications_mock::{Config, MockServer, RateLimit};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn assert_validation_error(status: u16, body: &Value) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["status"], "error", "{body}");
    assert_eq!(body["category"], "VALIDATION_ERROR", "{body}");
}

/// A fake whose search limit leaves room for a test's requests.
async fn roomy() -> MockServer {
    MockServer::start_with(
        Config::default().search_rate_limit(RateLimit::new(100, Duration::from_secs(1))),
    )
    .await
    .unwrap()
}

/// A message associated with a contact; returns the message id.
async fn associated_message(server: &MockServer) -> String {
    let contact = server.seed_contact("linda@example.com");
    let message = server.seed_messages(1).remove(0);
    let path =
        format!("/crm/v4/objects/communications/{message}/associations/default/contacts/{contact}");
    assert_eq!(send(server, reqwest::Method::PUT, &path, None).await.0, 200);
    message
}

#[tokio::test]
async fn after_near_u64_max_is_answered_not_overflowed() {
    let server = roomy().await;
    let message = associated_message(&server).await;
    for after in [u64::MAX, u64::MAX - 100] {
        let path = format!(
            "/crm/v4/objects/communications/{message}/associations/contacts?after={after}&limit=500"
        );
        let (status, body) = send(&server, reqwest::Method::GET, &path, None).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"results": []}));

        let path = format!("/crm/v3/objects/communications?after={after}");
        let (status, body) = send(&server, reqwest::Method::GET, &path, None).await;
        assert_eq!((status, &body), (200, &json!({"results": []})));

        let search = "/crm/v3/objects/communications/search";
        for cursor in [json!(after.to_string()), json!(after)] {
            let request = json!({"after": cursor, "limit": 200});
            let (status, body) = send(&server, reqwest::Method::POST, search, Some(request)).await;
            assert_validation_error(status, &body);
        }
    }
}

#[tokio::test]
async fn every_route_refuses_a_garbage_after_with_hubspots_400() {
    let server = roomy().await;
    let message = associated_message(&server).await;
    for after in ["abc", "-1", "1.5", "1e3", ""] {
        for path in [
            format!("/crm/v3/objects/communications?after={after}"),
            format!("/crm/v4/objects/communications/{message}/associations/contacts?after={after}"),
        ] {
            let (status, body) = send(&server, reqwest::Method::GET, &path, None).await;
            assert_validation_error(status, &body);
        }
    }
    let search = "/crm/v3/objects/communications/search";
    for after in [
        json!("abc"),
        json!("-1"),
        json!(-1),
        json!(1.5),
        json!(true),
        json!({}),
    ] {
        let (status, body) = send(
            &server,
            reqwest::Method::POST,
            search,
            Some(json!({"after": after})),
        )
        .await;
        assert_validation_error(status, &body);
    }
    // Still fine: no cursor, a null one, a number or a numeric string.
    for after in [json!(null), json!(0), json!("0")] {
        let request = json!({"after": after});
        assert_eq!(
            send(&server, reqwest::Method::POST, search, Some(request))
                .await
                .0,
            200
        );
    }
    assert_eq!(
        send(&server, reqwest::Method::POST, search, Some(json!({})))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn a_body_over_the_limit_gets_hubspots_json_413() {
    let server = MockServer::start().await.unwrap();
    // One byte past the 2 MiB limit: the server reads the whole body before refusing it, so
    // the answer cannot race a reset.
    let limit = 2 * 1024 * 1024;
    let mut body = br#"{"inputs":[],"pad":""#.to_vec();
    body.resize(limit - 1, b'x');
    body.extend_from_slice(br#""}"#);
    assert_eq!(body.len(), limit + 1);
    let response = reqwest::Client::new()
        .post(format!(
            "{}/crm/v3/objects/communications/batch/create",
            server.base_url()
        ))
        .bearer_auth("token")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "error", "{body}");
    assert!(body["category"].is_string(), "{body}");
    assert!(body["correlationId"].is_string(), "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert_eq!(server.message_count(), 0);
}

#[tokio::test]
async fn a_path_segment_that_is_not_utf8_gets_a_json_error() {
    let server = MockServer::start().await.unwrap();
    for (method, path) in [
        (reqwest::Method::GET, "/crm/v3/objects/communications/%FF"),
        (reqwest::Method::GET, "/crm/v3/objects/contacts/%C3%28"),
        (
            reqwest::Method::DELETE,
            "/crm/v4/objects/communications/1/associations/%FE/2",
        ),
    ] {
        let response = reqwest::Client::new()
            .request(method, format!("{}{path}", server.base_url()))
            .bearer_auth("token")
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        assert!((400..500).contains(&status), "{path}: {status}");
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{path}"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "error", "{path}: {body}");
    }
}

#[tokio::test]
async fn an_association_type_id_past_i32_is_refused_not_wrapped() {
    let server = MockServer::start().await.unwrap();
    let contact = server.seed_contact("linda@example.com");
    let message = server.seed_messages(1).remove(0);
    // 2^32 + 81 wraps to 81 when cut to 32 bits.
    let spec =
        json!([{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 4_294_967_377_u64}]);
    let path = format!("/crm/v4/objects/communications/{message}/associations/contacts/{contact}");
    let (status, body) = send(&server, reqwest::Method::PUT, &path, Some(spec)).await;
    assert_validation_error(status, &body);
}

async fn closed_within(stream: &mut TcpStream, bound: Duration) -> bool {
    let mut answer = Vec::new();
    // Hyper may write a 408 before closing; what matters is that the socket ends.
    tokio::time::timeout(bound, stream.read_to_end(&mut answer))
        .await
        .is_ok()
}

#[tokio::test]
async fn a_connection_that_never_finishes_its_headers_is_closed() {
    let config = Config::default().header_read_timeout(Duration::from_millis(300));
    let server = MockServer::start_with(config).await.unwrap();
    let address = server.base_url().trim_start_matches("http://").to_owned();

    let mut half = TcpStream::connect(&address).await.unwrap();
    half.write_all(b"GET /crm/v3/objects/commun").await.unwrap();
    assert!(
        closed_within(&mut half, Duration::from_secs(5)).await,
        "half a request line"
    );

    let mut headers = TcpStream::connect(&address).await.unwrap();
    headers
        .write_all(b"GET /crm/v3/objects/communications HTTP/1.1\r\nHost: x\r\nAuthorization: Bea")
        .await
        .unwrap();
    assert!(
        closed_within(&mut headers, Duration::from_secs(5)).await,
        "half the headers"
    );

    let mut silent = TcpStream::connect(&address).await.unwrap();
    assert!(
        closed_within(&mut silent, Duration::from_secs(5)).await,
        "nothing sent"
    );

    // A whole request is still answered.
    let (status, _) = send(
        &server,
        reqwest::Method::GET,
        "/crm/v3/objects/communications",
        None,
    )
    .await;
    assert_eq!(status, 200);
}
