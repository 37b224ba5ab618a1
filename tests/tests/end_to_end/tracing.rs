//! Each request leaves a span with the operation, the account id (when known), attempt,
//! status, wait and HubSpot's correlation id, and never the token.

use std::io::Write;
use std::sync::{Arc, Mutex};

use hubspot_communications_tests::scripted::setup;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, ResponseTemplate};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn spans_carry_the_request_and_not_the_token() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    let _guard = hubspot_communications_tests::trace_into(subscriber);

    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "status": "error", "message": "gone", "category": "OBJECT_NOT_FOUND", "correlationId": "corr-123"
        })))
        .mount(&server)
        .await;
    client.get("42").await.unwrap_err();

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for expected in [
        "operation=\"get_communication\"",
        "attempt=1",
        "status=404",
        "correlation_id=\"corr-123\"",
        "waited_ms=",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert!(
        !text.contains(hubspot_communications_tests::scripted::TOKEN),
        "the token leaked:\n{text}"
    );
}

#[tokio::test]
async fn spans_carry_the_account_id_set_on_the_builder() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    let _guard = hubspot_communications_tests::trace_into(subscriber);

    let server = wiremock::MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(hubspot_communications_tests::scripted::message("42")),
        )
        .mount(&server)
        .await;
    let client =
        hubspot_communications::Client::builder(hubspot_communications_tests::scripted::TOKEN)
            .base_url(server.uri())
            .account_id(62515)
            .build()
            .unwrap();
    assert_eq!(client.account_id(), Some(62515));
    client.get("42").await.unwrap();

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.lines()
            .any(|line| line.contains("operation=\"get_communication\"")
                && line.contains("account_id=62515")),
        "no span with the account id:\n{text}"
    );
}
