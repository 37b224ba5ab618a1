//! HubSpot's error answers and transport failures become the right error, retried where safe.

use std::time::Duration;

use hubspot_communications::{
    Channel, Client, Error, NewMessage, Operation, RateLimitPolicy, RetryPolicy, TransportErrorKind,
};
use hubspot_communications_mock::MockServer;
use hubspot_communications_tests::scripted::{message, setup};
use hubspot_communications_tests::{client_of, fast_retries};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, ResponseTemplate};

fn rate_limited(policy: &str) -> ResponseTemplate {
    ResponseTemplate::new(429)
        .insert_header("Retry-After", "0")
        .set_body_json(json!({
            "status": "error", "message": "You have reached your limit.", "errorType": "RATE_LIMIT",
            "correlationId": "c0ffee", "policyName": policy, "groupName": "publicapi:app-api-calls"
        }))
}

#[tokio::test]
async fn a_validation_error_keeps_hubspots_details() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "status": "error", "message": "Property values were not valid", "correlationId": "abc",
            "category": "VALIDATION_ERROR",
            "errors": [{"message": "bad channel", "in": "hs_communication_channel_type", "code": "INVALID_OPTION"}],
            "context": {"propertyName": ["hs_communication_channel_type"]}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let error = client.get("1").await.unwrap_err();
    let api = error.api().unwrap();
    assert_eq!(
        (api.status, api.category.as_ref().map(|c| c.as_str())),
        (400, Some("VALIDATION_ERROR"))
    );
    assert_eq!(
        api.details[0].field.as_deref(),
        Some("hs_communication_channel_type")
    );
    assert_eq!(api.correlation_id.as_deref(), Some("abc"));
    assert!(!error.is_retryable());
    assert!(
        error
            .to_string()
            .contains("hs_communication_channel_type: bad channel"),
        "{error}"
    );
}

#[tokio::test]
async fn not_found_and_unauthorized_are_not_retried() {
    for (status, category) in [(404, "OBJECT_NOT_FOUND"), (401, "INVALID_AUTHENTICATION")] {
        let (server, client) = setup().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(status).set_body_json(
                    json!({"status": "error", "message": "no", "category": category}),
                ),
            )
            .expect(1)
            .mount(&server)
            .await;
        let error = client.get("1").await.unwrap_err();
        assert_eq!(error.status(), Some(status));
        assert_eq!(
            error.api().unwrap().category.as_ref().map(|c| c.as_str()),
            Some(category)
        );
    }
}

#[tokio::test]
async fn a_ten_secondly_429_is_waited_out_and_retried() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .respond_with(rate_limited("TEN_SECONDLY_ROLLING"))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(message("1")))
        .mount(&server)
        .await;
    let found = client.get("1").await.unwrap();
    assert_eq!(found.id, "1");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_daily_429_is_reported_not_looped_on() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .respond_with(rate_limited("DAILY"))
        .expect(1)
        .mount(&server)
        .await;
    let error = client.get("1").await.unwrap_err();
    assert!(error.is_rate_limited());
    assert_eq!(error.rate_limit_policy(), Some(&RateLimitPolicy::Daily));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_429_asking_longer_than_the_policys_longest_wait_is_returned_at_once() {
    let (server, client) = setup().await;
    for asked in ["3600", "1e400"] {
        server.reset().await;
        Mock::given(method("GET"))
            .respond_with(rate_limited("TEN_SECONDLY_ROLLING").insert_header("Retry-After", asked))
            .expect(1)
            .mount(&server)
            .await;
        let error = tokio::time::timeout(Duration::from_secs(5), client.get("1"))
            .await
            .expect("not held for the asked wait")
            .unwrap_err();
        assert!(error.is_rate_limited() && error.is_retryable());
        let waited = error.api().unwrap().retry_after.unwrap();
        assert!(waited >= Duration::from_secs(3600), "{asked}: {waited:?}");
        server.verify().await;
    }
}

#[tokio::test]
async fn retries_stop_after_the_policys_limit() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(503).set_body_json(json!({"status": "error", "message": "down"})),
        )
        .expect(4)
        .mount(&server)
        .await;
    let error = client.get("1").await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_create_answered_502_is_not_repeated_and_its_fate_is_unknown() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(502)
                .set_body_json(json!({"status": "error", "message": "bad gateway"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let error = client
        .create(&NewMessage::new(Channel::Sms, "hi"))
        .await
        .unwrap_err();
    assert!(error.is_fate_unknown(), "{error:?}");
}

#[tokio::test]
async fn a_read_answered_502_is_retried() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(502)
                .set_body_json(json!({"status": "error", "message": "bad gateway"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(message("1")))
        .mount(&server)
        .await;
    assert_eq!(client.get("1").await.unwrap().id, "1");
}

#[tokio::test]
async fn an_unreadable_body_is_an_invalid_response_not_a_panic() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"id\": \"1\", \"propert"))
        .mount(&server)
        .await;
    let error = client.get("1").await.unwrap_err();
    assert!(matches!(error, Error::InvalidResponse { .. }), "{error:?}");
}

#[tokio::test]
async fn a_slow_answer_times_out_as_a_timeout() {
    let (server, _) = setup().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(message("1"))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(message("1"))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let client = Client::builder("t")
        .base_url(server.uri())
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let read = client.get("1").await.unwrap_err();
    assert!(read.is_timeout(), "{read:?}");
    assert!(!read.is_fate_unknown(), "a read changes nothing");
    let create = client
        .create(&NewMessage::new(Channel::Sms, "hi"))
        .await
        .unwrap_err();
    assert!(create.is_timeout(), "{create:?}");
    assert!(create.is_fate_unknown(), "HubSpot may have stored it");
}

#[tokio::test]
async fn no_server_is_a_connect_error_whose_fate_is_known() {
    // A port of this test's own that does not listen: connections are refused, and no other
    // test's server can take it meanwhile (as it could a port bound and released).
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let address = socket.local_addr().unwrap();
    let client = Client::builder("t")
        .base_url(format!("http://{address}"))
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let error = client
        .create(&NewMessage::new(Channel::Sms, "hi"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Transport(t) if t.kind() == TransportErrorKind::Connect),
        "{error:?}"
    );
    assert!(!error.is_fate_unknown());
}

/// "HubSpot went away": the client's pool holds a kept-alive connection to the fake when it
/// stops; the next call fails with a transport error, whatever the retries, never an answer.
#[tokio::test]
async fn a_stopped_fake_is_a_transport_error_even_on_a_pooled_connection() {
    for retry in [RetryPolicy::never(), fast_retries()] {
        let server = MockServer::start().await.unwrap();
        let client = client_of(&server, retry);
        let created = client
            .create(&NewMessage::new(Channel::Sms, "hi"))
            .await
            .unwrap();
        assert_eq!(client.get(&created.id).await.unwrap().id, created.id);

        server.stop();
        let error = client.get(&created.id).await.unwrap_err();
        assert!(matches!(&error, Error::Transport(_)), "{error:?}");
        assert_eq!(error.status(), None, "{error:?}");
    }
}

#[tokio::test]
async fn debug_output_never_shows_the_token() {
    let client = Client::new("pat-na1-very-secret").unwrap();
    let builder = Client::builder("pat-na1-very-secret");
    // The raw clients `execute_raw` hands a call (the `unstable-raw` feature); nothing listens
    // on the discard port, so the call fails at once, on loopback.
    let unreachable = Client::builder("pat-na1-very-secret")
        .base_url("http://127.0.0.1:9")
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let raw_debug = std::sync::Mutex::new(String::new());
    let sent = unreachable
        .execute_raw(Operation::GetCommunication, |raw| {
            *raw_debug.lock().unwrap() = format!("{raw:?}");
            let get = raw.objects.get_object().object_type("communications");
            get.object_id("1").send()
        })
        .await;
    assert!(sent.is_err());
    let raw_debug = raw_debug.into_inner().unwrap();
    assert!(raw_debug.contains("RawClients"), "{raw_debug}");
    for text in [format!("{client:?}"), format!("{builder:?}"), raw_debug] {
        assert!(!text.contains("very-secret"), "{text}");
    }
    assert!(format!("{client:?}").contains("<redacted>"));
}

#[tokio::test]
async fn an_unusable_token_is_refused_at_build_time() {
    assert!(matches!(Client::new(""), Err(Error::InvalidSetting(_))));
    assert!(matches!(
        Client::new("pat-na1-…"),
        Err(Error::InvalidSetting(_))
    ));
    let error = Client::new("line\nbreak").unwrap_err();
    assert!(!error.to_string().contains("line"), "{error}");
}
