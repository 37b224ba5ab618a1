//! One rule decides what is retried and what a failure means for the data: what the client
//! does (how many requests it sends) and what its errors say agree, for every kind of call.

use std::time::Duration;

use futures::StreamExt;
use hubspot_communications::{Channel, Error, LogOutcome, NewMessage, RateLimit, ResponseProblem};
use hubspot_communications_tests::fast_retries;
use hubspot_communications_tests::scripted::{message, setup};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn sms() -> NewMessage {
    NewMessage::new(Channel::Sms, "Texted Linda.")
}

/// For each answer, a read, an idempotent write and a create: the number of requests sent
/// matches `is_retryable`, and `is_fate_unknown` is what HubSpot may have done.
#[tokio::test]
async fn what_the_client_retries_is_what_its_errors_call_retryable() {
    let retries = 3; // `fast_retries()`
    let answers: Vec<(&str, ResponseTemplate)> = vec![
        (
            "400",
            ResponseTemplate::new(400).set_body_json(json!({"message": "bad"})),
        ),
        (
            "404",
            ResponseTemplate::new(404).set_body_json(json!({"message": "gone"})),
        ),
        (
            "500",
            ResponseTemplate::new(500).set_body_json(json!({"message": "oops"})),
        ),
        (
            "502",
            ResponseTemplate::new(502).set_body_json(json!({"message": "gateway"})),
        ),
        (
            "503",
            ResponseTemplate::new(503).set_body_json(json!({"message": "down"})),
        ),
        (
            "504",
            ResponseTemplate::new(504).set_body_json(json!({"message": "slow"})),
        ),
        (
            "200 for a create",
            ResponseTemplate::new(200).set_body_json(message("1")),
        ),
        (
            "unreadable",
            ResponseTemplate::new(200).set_body_string("{\"id\": \"1\", \"pro"),
        ),
    ];
    for (name, answer) in answers {
        let (server, client) = setup().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(answer)
            .mount(&server)
            .await;
        let update = hubspot_communications::MessageUpdate::new().body("x");
        let calls: [(&str, &str, Option<Error>); 3] = [
            ("read", "GET", client.get("1").await.err()),
            ("update", "PATCH", client.update("1", &update).await.err()),
            ("create", "POST", client.create(&sms()).await.err()),
        ];
        let mut sent = server.received_requests().await.unwrap();
        for (call, verb, error) in calls {
            let requests = sent
                .iter()
                .take_while(|r| r.method.as_str() == verb)
                .count();
            sent.drain(..requests);
            let Some(error) = error else {
                // A documented success for this call (a 200 for a read or an update).
                assert_eq!(requests, 1, "{name}, {call}");
                continue;
            };
            let expected = if error.is_retryable() { 1 + retries } else { 1 };
            // A create is never repeated where HubSpot may have acted on it.
            let expected = if call == "create" && error.is_fate_unknown() {
                1
            } else {
                expected
            };
            assert_eq!(requests, expected, "{name}, {call}: {error:?}");
            if call == "read" {
                assert!(!error.is_fate_unknown(), "{name}: a read changes nothing");
            }
        }
        assert!(sent.is_empty(), "{name}: requests of no call");
    }
}

#[tokio::test]
async fn a_create_answered_with_an_undocumented_success_or_a_500_is_of_unknown_fate() {
    for answer in [
        ResponseTemplate::new(200).set_body_json(message("1")),
        ResponseTemplate::new(500).set_body_json(json!({"message": "oops"})),
        ResponseTemplate::new(201).set_body_string("<html>not json</html>"),
    ] {
        let (server, client) = setup().await;
        Mock::given(method("POST"))
            .respond_with(answer)
            .expect(1)
            .mount(&server)
            .await;
        let error = client.create(&sms()).await.unwrap_err();
        assert!(error.is_fate_unknown(), "{error:?}");
        assert!(
            !error.is_retryable() || error.status() == Some(500),
            "{error:?}"
        );
    }
}

#[tokio::test]
async fn a_create_refused_by_hubspot_is_of_known_fate() {
    for status in [400, 409, 429] {
        let (server, client) = setup().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("Retry-After", "0")
                    .set_body_json(json!({"message": "no", "policyName": "DAILY"})),
            )
            .mount(&server)
            .await;
        let error = client.create(&sms()).await.unwrap_err();
        assert!(!error.is_fate_unknown(), "{status}: {error:?}");
    }
}

/// A batch create answered 201 COMPLETE with half the results and no trace ids: the results
/// are stored messages, every input is of unknown fate, and none is called refused.
#[tokio::test]
async fn an_answer_that_does_not_account_for_inputs_makes_them_unknown_never_refused() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/communications/batch/create"))
        .respond_with(|request: &wiremock::Request| {
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
            let half = body["inputs"].as_array().unwrap().len() / 2;
            let results: Vec<_> = (0..half).map(|i| message(&format!("9{i}"))).collect();
            ResponseTemplate::new(201).set_body_json(json!({
                "status": "COMPLETE", "results": results,
                "startedAt": "2022-11-29T18:35:00Z", "completedAt": "2022-11-29T18:35:00Z"
            }))
        })
        .mount(&server)
        .await;
    let messages: Vec<NewMessage> = (0..100).map(|_| sms()).collect();

    let outcome = client.create_batch(&messages).await;
    assert_eq!(outcome.succeeded.len(), 50, "the stored messages are kept");
    assert!(outcome.succeeded.iter().all(|s| s.input.is_none()));
    assert_eq!(outcome.unknown_inputs(), (0..100).collect::<Vec<_>>());

    let logged: Vec<_> = client
        .log_all(futures::stream::iter(messages))
        .collect()
        .await;
    assert_eq!(logged.len(), 100);
    for item in &logged {
        match &item.outcome {
            LogOutcome::Unknown(error) => {
                assert!(
                    matches!(&**error, Error::InvalidResponse(invalid)
                        if invalid.problem == ResponseProblem::Unaccounted),
                    "{error:?}"
                );
            }
            other => panic!("input {} reported {other:?}", item.index),
        }
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_the_message_goes_nowhere_else() {
    let elsewhere = MockServer::start().await;
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("Location", format!("{}/steal", elsewhere.uri())),
        )
        .expect(1)
        .mount(&server)
        .await;
    let error = client.create(&sms()).await.unwrap_err();
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
    assert!(
        matches!(&error, Error::InvalidResponse(invalid)
            if invalid.problem == ResponseProblem::UnexpectedStatus && invalid.status == Some(307)),
        "{error:?}"
    );
    assert!(error.is_fate_unknown());
}

#[tokio::test]
async fn one_rate_limit_header_cannot_hold_later_calls_for_a_day() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(message("1"))
                .insert_header("X-HubSpot-RateLimit-Max", "1")
                .insert_header("X-HubSpot-RateLimit-Interval-Milliseconds", "86400000"),
        )
        .mount(&server)
        .await;
    client.get("1").await.unwrap();
    let error = tokio::time::timeout(Duration::from_secs(5), client.get("1"))
        .await
        .expect("returned at once, not held")
        .unwrap_err();
    assert!(
        matches!(error, Error::Throttled { wait, .. } if wait > Duration::from_secs(3600)),
        "{error:?}"
    );
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "nothing sent"
    );
}

#[tokio::test]
async fn a_deadline_bounds_the_whole_call_retries_included() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"message": "down"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(message("1"))
                .set_delay(Duration::from_secs(10)),
        )
        .mount(&server)
        .await;
    let client = hubspot_communications::Client::builder("t")
        .base_url(server.uri())
        .retry(
            fast_retries()
                .max_retries(1_000)
                .initial_backoff(Duration::from_millis(50)),
        )
        .rate_limit(RateLimit::new(10_000, Duration::from_secs(1)))
        .deadline(Duration::from_millis(500))
        .build()
        .unwrap();

    let started = std::time::Instant::now();
    let error = client.get("1").await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        error.status() == Some(503) || error.is_timeout(),
        "{error:?}"
    );

    let started = std::time::Instant::now();
    let error = client.create(&sms()).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(
            error,
            Error::DeadlineExceeded {
                in_flight: true,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error.is_fate_unknown(),
        "the create was out when time ran out"
    );
}

#[tokio::test]
async fn builder_values_that_would_do_nothing_are_errors() {
    let builder = || hubspot_communications::Client::builder("t");
    assert!(matches!(
        builder().batch_concurrency(0).build(),
        Err(Error::InvalidSetting(_))
    ));
    assert!(matches!(
        builder().deadline(Duration::ZERO).build(),
        Err(Error::InvalidSetting(_))
    ));
    for base_url in ["", "api.hubapi.com", "ftp://api.hubapi.com", "http://"] {
        assert!(
            matches!(
                builder().base_url(base_url).build(),
                Err(Error::InvalidSetting(_))
            ),
            "{base_url:?}"
        );
    }
}

#[tokio::test]
async fn an_answer_over_the_limit_is_a_typed_error_read_no_further() {
    let server = MockServer::start().await;
    let mut big = message("1");
    big["properties"]["hs_communication_body"] = json!("x".repeat(64 * 1024));
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(big))
        .mount(&server)
        .await;
    let client = hubspot_communications::Client::builder("t")
        .base_url(server.uri())
        .retry(fast_retries())
        .max_response_bytes(16 * 1024)
        .build()
        .unwrap();
    let read = client.get("1").await.unwrap_err();
    assert!(
        matches!(&read, Error::InvalidResponse(invalid)
            if invalid.problem == ResponseProblem::TooLarge { limit: 16 * 1024 }),
        "{read:?}"
    );
    assert!(!read.is_retryable() && !read.is_fate_unknown());
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "not retried"
    );
    let create = client.create(&sms()).await.unwrap_err();
    assert!(create.is_fate_unknown(), "{create:?}");
    assert!(matches!(
        hubspot_communications::Client::builder("t")
            .max_response_bytes(0)
            .build(),
        Err(Error::InvalidSetting(_))
    ));
}

#[tokio::test]
async fn an_error_answer_that_is_not_hubspots_json_keeps_its_status() {
    let (server, client) = setup().await;
    // An empty 429 is a 429: its Retry-After is honoured and the call retried.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(message("1")))
        .mount(&server)
        .await;
    assert_eq!(client.get("1").await.unwrap().id, "1");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    // A proxy's HTML 502 to a create: the status stays, and the fate is unknown.
    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(502).set_body_string("<html><body>Bad Gateway</body></html>"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let error = client.create(&sms()).await.unwrap_err();
    assert_eq!(error.status(), Some(502), "{error:?}");
    assert!(error.is_fate_unknown());
    assert!(error.to_string().contains("Bad Gateway"), "{error}");

    // An empty 429 to a create: HubSpot refused it; never unknown.
    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).set_body_string(""))
        .mount(&server)
        .await;
    let client = hubspot_communications::Client::builder("t")
        .base_url(server.uri())
        .retry(hubspot_communications::RetryPolicy::never())
        .build()
        .unwrap();
    let error = client.create(&sms()).await.unwrap_err();
    assert!(
        error.is_rate_limited() && !error.is_fate_unknown(),
        "{error:?}"
    );
}

/// From 2026-09 HubSpot enforces the account's validation rules on writes: the refusal is a
/// typed, final error with HubSpot's message, never retried, of known fate.
#[tokio::test]
async fn a_validation_rule_refusal_is_typed_with_hubspots_message() {
    let (server, client) = hubspot_communications_tests::scripted::setup_with(
        hubspot_communications::ApiVersion::V2026_09,
    )
    .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "status": "error", "category": "VALIDATION_ERROR",
            "message": "Property values were not valid: hubspot_owner_id is required when the channel is SMS",
            "errors": [{"message": "hubspot_owner_id is required", "in": "hubspot_owner_id"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let error = client.create(&sms()).await.unwrap_err();
    assert!(error.is_validation_error(), "{error:?}");
    assert!(!error.is_retryable() && !error.is_fate_unknown());
    let api = error.api().unwrap();
    assert!(api.message.contains("hubspot_owner_id is required"));
    assert_eq!(api.details[0].field.as_deref(), Some("hubspot_owner_id"));
}
