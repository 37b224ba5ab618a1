//! Batches of any size: split by 100, every input accounted for, 207s keep both sides.

use hubspot_communications::{ApiVersion, BatchError, Channel, NewMessage};
use hubspot_communications_tests::scripted::{message, setup, setup_with};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, Request, ResponseTemplate};

/// Answers a batch create like HubSpot: each input becomes a result carrying its trace id,
/// except inputs whose body is "bad", which become per-item errors (a 207).
fn batch_create(request: &Request) -> ResponseTemplate {
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    let (mut results, mut errors) = (Vec::new(), Vec::new());
    for input in body["inputs"].as_array().unwrap() {
        let trace = input["objectWriteTraceId"].as_str().unwrap();
        if input["properties"]["hs_communication_body"] == "bad" {
            errors.push(json!({"status": "error", "category": "VALIDATION_ERROR", "message": "bad", "context": {"objectWriteTraceId": [trace]}}));
        } else {
            let mut result = message(&format!("9{trace}"));
            result["objectWriteTraceId"] = json!(trace);
            results.push(result);
        }
    }
    let status = if errors.is_empty() { 201 } else { 207 };
    ResponseTemplate::new(status).set_body_json(json!({
        "status": "COMPLETE", "results": results, "errors": errors, "numErrors": errors.len(),
        "startedAt": "2022-11-29T18:35:00Z", "completedAt": "2022-11-29T18:35:00Z"
    }))
}

/// On every version: HubSpot's 2026-09 spec lists no 207, and the client keeps both sides of
/// one all the same.
#[tokio::test]
async fn two_hundred_fifty_inputs_make_three_calls_and_lose_nothing_on_every_version() {
    for version in ApiVersion::ALL {
        two_hundred_fifty_inputs_make_three_calls_and_lose_nothing(version).await;
    }
}

async fn two_hundred_fifty_inputs_make_three_calls_and_lose_nothing(version: ApiVersion) {
    let (server, client) = setup_with(version).await;
    let objects = match version {
        ApiVersion::V3 => "/crm/v3/objects".to_owned(),
        date => format!("/crm/objects/{date}"),
    };
    Mock::given(method("POST"))
        .and(path(format!("{objects}/communications/batch/create")))
        .respond_with(batch_create)
        .expect(3)
        .mount(&server)
        .await;
    let messages: Vec<NewMessage> = (0..250)
        .map(|i| {
            NewMessage::new(
                Channel::WhatsApp,
                if i == 123 || i == 249 {
                    "bad".to_owned()
                } else {
                    format!("m{i}")
                },
            )
        })
        .collect();

    let outcome = client.create_batch(&messages).await;

    assert_eq!(outcome.succeeded.len(), 248);
    assert_eq!(outcome.failed_inputs(), [123, 249]);
    assert!(outcome.unknown_inputs().is_empty());
    for success in &outcome.succeeded {
        let index = success.input.expect("every result maps to its input");
        assert_eq!(success.value.id, format!("9{index}"));
    }
    assert!(
        matches!(&outcome.failed[0].error, BatchError::Item { category: Some(c), .. } if c.as_str() == "VALIDATION_ERROR")
    );
    let sizes: Vec<usize> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            serde_json::from_slice::<Value>(&r.body).unwrap()["inputs"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    let mut sizes = sizes;
    sizes.sort_unstable();
    assert_eq!(sizes, [50, 100, 100]);
}

#[tokio::test]
async fn a_chunk_that_fails_whole_reports_each_of_its_inputs() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(502)
                .set_body_json(json!({"status": "error", "message": "bad gateway"})),
        )
        .mount(&server)
        .await;
    let messages: Vec<NewMessage> = (0..120)
        .map(|i| NewMessage::new(Channel::Sms, format!("m{i}")))
        .collect();
    let outcome = client.create_batch(&messages).await;
    assert!(outcome.succeeded.is_empty());
    assert_eq!(outcome.failed_inputs(), (0..120).collect::<Vec<_>>());
    assert_eq!(
        outcome.unknown_inputs().len(),
        120,
        "a 502 on a create leaves the fate unknown"
    );
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        2,
        "creates are not retried blindly"
    );
}

#[tokio::test]
async fn read_maps_missing_ids_back_to_their_inputs() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/communications/batch/read"))
        .respond_with(ResponseTemplate::new(207).set_body_json(json!({
            "status": "COMPLETE", "results": [message("2")], "numErrors": 1,
            "errors": [{"status": "error", "category": "OBJECT_NOT_FOUND", "message": "gone", "context": {"ids": ["1", "3"]}}],
            "startedAt": "2022-11-29T18:35:00Z", "completedAt": "2022-11-29T18:35:00Z"
        })))
        .mount(&server)
        .await;
    let ids: Vec<String> = ["1", "2", "3"].map(String::from).to_vec();
    let outcome = client.read_batch(&ids, &Default::default()).await;
    assert_eq!(outcome.succeeded[0].input, Some(1));
    assert_eq!(outcome.failed_inputs(), [0, 2]);
}

#[tokio::test]
async fn archive_of_many_ids_splits_and_reports_each() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/communications/batch/archive"))
        .respond_with(ResponseTemplate::new(204))
        .expect(2)
        .mount(&server)
        .await;
    let ids: Vec<String> = (0..101).map(|i| i.to_string()).collect();
    let outcome = client.archive_batch(&ids).await;
    assert!(outcome.is_success());
    assert_eq!(outcome.succeeded.len(), 101);
}

#[tokio::test]
async fn an_input_refused_before_sending_fails_alone() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/communications/batch/create"))
        .respond_with(batch_create)
        .expect(1)
        .mount(&server)
        .await;
    let messages = [
        NewMessage::new(Channel::Sms, "first"),
        NewMessage::new(Channel::Sms, "   "),
        NewMessage::new(Channel::Sms, "third"),
    ];
    let outcome = client.create_batch(&messages).await;
    assert_eq!(outcome.failed_inputs(), [1]);
    assert!(
        matches!(&outcome.failed[0].error, BatchError::Request(e) if matches!(**e, hubspot_communications::Error::InvalidInput(_)))
    );
    let sent: Vec<Option<usize>> = outcome.succeeded.iter().map(|s| s.input).collect();
    assert_eq!(sent.len(), 2);
    assert!(sent.contains(&Some(0)) && sent.contains(&Some(2)));
    assert_eq!(
        hubspot_communications_tests::scripted::body(&server, 0).await["inputs"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "only valid inputs are sent"
    );
}
