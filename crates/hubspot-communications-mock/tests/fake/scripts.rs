//! Scripted one-off answers: what the state cannot produce (an HTML 502, a 429 with its
//! `Retry-After`, a 207 of a chosen shape), for the next N calls of an operation, then the
//! fake's own answers again; the store untouched.

use crate::common;

use std::sync::{Arc, Mutex};

use common::call;
use hubspot_communications_mock::{Config, MockServer, Script};
use reqwest::Method;
use serde_json::{Value, json};

const BATCH_CREATE: &str = "/crm/v3/objects/communications/batch/create";

fn one_message() -> Value {
    json!({"inputs": [{"properties": {"hs_communication_channel_type": "SMS",
        "hs_communication_logged_from": "CRM", "hs_communication_body": "Hi",
        "hs_timestamp": "2024-01-01T00:00:00Z"}}]})
}

/// Sends `method path` and returns the status, headers and body as text.
async fn raw(
    server: &MockServer,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", server.base_url()))
        .bearer_auth("token");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (status, headers, response.text().await.unwrap())
}

#[tokio::test]
async fn a_script_answers_its_n_calls_then_the_route_answers_again() {
    let server = MockServer::start().await.unwrap();
    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    server.script(
        Script::on("communications/batch/create")
            .status(502)
            .header("content-type", "text/html")
            .body(page)
            .times(2),
    );
    for _ in 0..2 {
        let (status, headers, body) =
            raw(&server, Method::POST, BATCH_CREATE, Some(one_message())).await;
        assert_eq!((status, body.as_str()), (502, page));
        assert_eq!(headers["content-type"], "text/html");
        // The gate's rate-limit headers come with it, as with any answer.
        assert_eq!(headers["x-hubspot-ratelimit-max"], "100");
    }
    assert_eq!(
        server.message_count(),
        0,
        "a scripted answer stores nothing"
    );
    assert_eq!(server.stats().scripted, 2);

    let (status, _, body) = raw(&server, Method::POST, BATCH_CREATE, Some(one_message())).await;
    assert_eq!(status, 201, "used up: the fake's own answer ({body})");
    assert_eq!(server.message_count(), 1);
    assert_eq!(server.stats().scripted, 2);
}

#[tokio::test]
async fn scripts_of_one_selector_answer_first_in_first_out() {
    let server = MockServer::start().await.unwrap();
    server.script(Script::on("batch/create").status(503));
    server.script(
        Script::on("batch/create")
            .status(429)
            .header("retry-after", "7")
            .header("x-hubspot-ratelimit-remaining", "0")
            .json(&json!({"status": "error", "errorType": "RATE_LIMIT", "policyName": "DAILY"})),
    );
    let (status, _, _) = call(&server, Method::POST, BATCH_CREATE, Some(one_message())).await;
    assert_eq!(status, 503);
    let (status, headers, body) =
        call(&server, Method::POST, BATCH_CREATE, Some(one_message())).await;
    assert_eq!(status, 429);
    assert_eq!(body["policyName"], "DAILY");
    assert_eq!(headers["retry-after"], "7");
    assert_eq!(headers["content-type"], "application/json");
    // The script's own rate-limit header stands; the ones it does not set are the gate's.
    assert_eq!(headers["x-hubspot-ratelimit-remaining"], "0");
    assert_eq!(headers["x-hubspot-ratelimit-max"], "100");
    let (status, _, _) = call(&server, Method::POST, BATCH_CREATE, Some(one_message())).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn a_scripted_answer_leaves_the_state_untouched() {
    let server = MockServer::start().await.unwrap();
    let id = server.seed_messages(1).remove(0);
    let path = format!("/crm/v3/objects/communications/{id}");
    server.script(Script::on(id.as_str()).method(Method::DELETE).status(204));

    let (status, _, _) = call(&server, Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    assert_eq!(server.message(&id).unwrap()["archived"], false);
    // The method narrows the selector: a read is the route's.
    let (status, _, body) = call(&server, Method::GET, &path, None).await;
    assert_eq!((status, body["id"].as_str()), (200, Some(id.as_str())));

    let (status, _, _) = call(&server, Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    assert_eq!(
        server.message(&id).unwrap()["archived"],
        true,
        "the route's own delete archives"
    );
}

#[tokio::test]
async fn observers_see_a_scripted_answer_and_date_versions_match_their_v3_form() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let config = Config::default().observe({
        let seen = seen.clone();
        move |exchange| {
            let body = String::from_utf8_lossy(&exchange.response_body).into_owned();
            seen.lock()
                .unwrap()
                .push((exchange.path.clone(), exchange.status.as_u16(), body));
        }
    });
    let server = MockServer::start_with(config).await.unwrap();
    let partial = json!({"status": "COMPLETE", "results": [],
        "errors": [{"status": "error", "category": "OBJECT_NOT_FOUND", "message": "gone"}]});
    server.script(
        Script::on("communications/batch/read")
            .status(207)
            .json(&partial),
    );
    let read = json!({"inputs": [{"id": "1"}], "properties": []});
    let (status, _, body) = call(
        &server,
        Method::POST,
        "/crm/objects/2026-09/communications/batch/read",
        Some(read),
    )
    .await;
    assert_eq!((status, &body), (207, &partial));
    assert_eq!(
        *seen.lock().unwrap(),
        [(
            "/crm/v3/objects/communications/batch/read".to_owned(),
            207,
            partial.to_string()
        )]
    );
}

#[tokio::test]
async fn the_gate_refuses_first_and_the_script_waits() {
    let server = MockServer::start_with(Config::default().token("token"))
        .await
        .unwrap();
    server.script(Script::on("/crm/v3/objects/communications").status(500));
    let refused = reqwest::Client::new()
        .get(format!(
            "{}/crm/v3/objects/communications",
            server.base_url()
        ))
        .bearer_auth("another")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let (status, _, _) = call(&server, Method::GET, "/crm/v3/objects/communications", None).await;
    assert_eq!(status, 500, "still queued after the refusal");
    let (status, _, _) = call(&server, Method::GET, "/crm/v3/objects/communications", None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_script_of_no_times_answers_nothing() {
    let server = MockServer::start().await.unwrap();
    server.script(Script::on("communications").status(500).times(0));
    let (status, _, _) = call(&server, Method::GET, "/crm/v3/objects/communications", None).await;
    assert_eq!(status, 200);
    assert_eq!(server.stats().scripted, 0);
}

#[tokio::test]
async fn an_outage_answers_503_to_everything_stores_nothing_and_ends() {
    let server = MockServer::start_with(Config::default()).await.unwrap();
    server.outage(std::time::Duration::from_secs(60));
    let (status, headers, body) =
        raw(&server, Method::POST, BATCH_CREATE, Some(one_message())).await;
    assert_eq!(status, 503);
    assert_eq!(headers["content-type"], "text/html");
    assert!(body.contains("Service Unavailable"), "{body}");
    let (status, ..) = raw(&server, Method::GET, "/crm/v3/objects/communications", None).await;
    assert_eq!(status, 503);
    assert_eq!(server.message_count(), 0);

    server.outage(std::time::Duration::ZERO);
    let (status, ..) = raw(&server, Method::POST, BATCH_CREATE, Some(one_message())).await;
    assert_eq!(status, 201);
    assert_eq!(server.message_count(), 1);
}
