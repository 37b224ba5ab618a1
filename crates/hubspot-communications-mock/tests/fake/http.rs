//! The fake at the HTTP level: what HubSpot checks, its error shapes, limits and faults.

use crate::common;

use common::call;

use std::time::Duration;

use hubspot_communications_mock::{Config, FaultKind, Faults, MockServer, RateLimit};
use serde_json::{Value, json};

fn assert_hubspot_error(body: &Value, category: &str) {
    assert_eq!(body["status"], "error", "{body}");
    assert_eq!(body["category"], category, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(uuid_like(&body["correlationId"]), "{body}");
}

fn uuid_like(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| s.len() == 36 && s.matches('-').count() == 4)
}

fn sms(body: &str) -> Value {
    json!({"properties": {"hs_communication_channel_type": "SMS", "hs_communication_logged_from": "CRM", "hs_communication_body": body}})
}

#[tokio::test]
async fn a_missing_or_wrong_token_gets_hubspots_401() {
    let server = MockServer::start_with(Config::default().token("right"))
        .await
        .unwrap();
    for token in [None, Some("wrong")] {
        let mut request = reqwest::Client::new().get(format!(
            "{}/crm/v3/objects/communications",
            server.base_url()
        ));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        assert_hubspot_error(&response.json().await.unwrap(), "INVALID_AUTHENTICATION");
    }
}

#[tokio::test]
async fn bad_input_is_answered_in_hubspots_shape() {
    let server = MockServer::start().await.unwrap();
    let path = "/crm/v3/objects/communications";
    let post = reqwest::Method::POST;

    let response = reqwest::Client::new()
        .post(format!("{}{path}", server.base_url()))
        .bearer_auth("token")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_hubspot_error(&response.json().await.unwrap(), "VALIDATION_ERROR");

    let mut unknown_channel = sms("x");
    unknown_channel["properties"]["hs_communication_channel_type"] = json!("PAGER");
    let (status, _, body) = call(&server, post.clone(), path, Some(unknown_channel)).await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["in"], "hs_communication_channel_type");

    let mut not_crm = sms("x");
    not_crm["properties"]["hs_communication_logged_from"] = json!("EMAIL");
    assert_eq!(
        call(&server, post.clone(), path, Some(not_crm)).await.0,
        400
    );
    assert_eq!(
        call(&server, post.clone(), path, Some(json!({}))).await.0,
        400
    );

    let inputs: Vec<Value> = (0..101).map(|i| sms(&i.to_string())).collect();
    let (status, _, body) = call(
        &server,
        post.clone(),
        "/crm/v3/objects/communications/batch/create",
        Some(json!({"inputs": inputs})),
    )
    .await;
    assert_eq!(status, 400);
    assert_hubspot_error(&body, "VALIDATION_ERROR");
    assert_eq!(server.message_count(), 0);
}

#[tokio::test]
async fn unknown_paths_and_methods_get_404_and_405_bodies() {
    let server = MockServer::start().await.unwrap();
    let (status, _, body) = call(
        &server,
        reqwest::Method::GET,
        "/crm/v3/objects/nothing/here/at/all",
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_hubspot_error(&body, "OBJECT_NOT_FOUND");
    let (status, _, body) = call(
        &server,
        reqwest::Method::PUT,
        "/crm/v3/objects/communications",
        None,
    )
    .await;
    assert_eq!(status, 405);
    assert_eq!(body["status"], "error");
}

#[tokio::test]
async fn properties_are_the_defaults_or_exactly_the_asked_ones() {
    let server = MockServer::start().await.unwrap();
    let (_, _, created) = call(
        &server,
        reqwest::Method::POST,
        "/crm/v3/objects/communications",
        Some(sms("hello")),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    assert!(id.parse::<u64>().is_ok(), "numeric string ids");
    for key in [
        "hs_createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
        "hs_communication_body",
    ] {
        assert!(
            created["properties"].get(key).is_some(),
            "{key} in {created}"
        );
    }
    let path = format!(
        "/crm/v3/objects/communications/{id}?properties=hs_communication_body,hubspot_owner_id"
    );
    let (_, _, read) = call(&server, reqwest::Method::GET, &path, None).await;
    assert_eq!(read["properties"]["hubspot_owner_id"], Value::Null);
    assert!(
        read["properties"]
            .get("hs_communication_channel_type")
            .is_none()
    );

    let update =
        json!({"properties": {"hs_communication_body": "", "hs_object_id": "1", "made_up": "x"}});
    let (status, _, updated) = call(
        &server,
        reqwest::Method::PATCH,
        &format!("/crm/v3/objects/communications/{id}"),
        Some(update),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        updated["properties"].get("hs_communication_body").is_none(),
        "cleared: {updated}"
    );
    assert_eq!(
        updated["properties"]["hs_object_id"], id,
        "read-only ignored"
    );
}

#[tokio::test]
async fn the_rate_limit_rolls_and_says_so_in_headers() {
    let config = Config::default().rate_limit(RateLimit::new(3, Duration::from_millis(400)));
    let server = MockServer::start_with(config).await.unwrap();
    let path = "/crm/v3/objects/communications";
    for remaining in ["2", "1", "0"] {
        let (status, headers, _) = call(&server, reqwest::Method::GET, path, None).await;
        assert_eq!(status, 200);
        assert_eq!(headers["x-hubspot-ratelimit-remaining"], remaining);
        assert_eq!(headers["x-hubspot-ratelimit-max"], "3");
        assert_eq!(headers["x-hubspot-ratelimit-interval-milliseconds"], "400");
    }
    let (status, headers, body) = call(&server, reqwest::Method::GET, path, None).await;
    assert_eq!(status, 429);
    assert_eq!(body["policyName"], "TEN_SECONDLY_ROLLING");
    assert_eq!(body["errorType"], "RATE_LIMIT");
    assert!(headers.contains_key("retry-after"));
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(call(&server, reqwest::Method::GET, path, None).await.0, 200);
    assert_eq!(server.stats().rate_limited, 1);
}

#[tokio::test]
async fn search_has_its_own_limit_and_the_10000_cap() {
    let server = MockServer::start_with(
        Config::default().search_rate_limit(RateLimit::new(2, Duration::from_secs(5))),
    )
    .await
    .unwrap();
    let path = "/crm/v3/objects/communications/search";
    let (status, _, body) = call(
        &server,
        reqwest::Method::POST,
        path,
        Some(json!({"after": "9950", "limit": 100})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        call(&server, reqwest::Method::POST, path, Some(json!({})))
            .await
            .0,
        200
    );
    let (status, _, body) = call(&server, reqwest::Method::POST, path, Some(json!({}))).await;
    assert_eq!(
        (status, body["policyName"].as_str()),
        (429, Some("SECONDLY"))
    );
    assert_eq!(
        call(
            &server,
            reqwest::Method::GET,
            "/crm/v3/objects/communications",
            None
        )
        .await
        .0,
        200
    );
}

async fn fault_sequence(seed: u64) -> Vec<u16> {
    let faults = Faults::seeded(seed)
        .with(FaultKind::Unavailable, 0.3)
        .with(FaultKind::InternalError, 0.2);
    let server = MockServer::start_with(Config::default().faults(faults))
        .await
        .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..30 {
        statuses.push(
            call(
                &server,
                reqwest::Method::GET,
                "/crm/v3/objects/communications",
                None,
            )
            .await
            .0,
        );
    }
    statuses
}

#[tokio::test]
async fn faults_are_reproducible_from_their_seed() {
    let first = fault_sequence(42).await;
    assert_eq!(first, fault_sequence(42).await);
    assert_ne!(first, fault_sequence(43).await);
    assert!(
        first.contains(&503) && first.contains(&500) && first.contains(&200),
        "{first:?}"
    );
}

#[tokio::test]
async fn a_dropped_connection_gets_no_answer_at_all() {
    let faults = Faults::seeded(0)
        .with(FaultKind::DropBeforeStore, 1.0)
        .on("batch/create");
    let server = MockServer::start_with(Config::default().faults(faults))
        .await
        .unwrap();
    let error = reqwest::Client::new()
        .post(format!(
            "{}/crm/v3/objects/communications/batch/create",
            server.base_url()
        ))
        .bearer_auth("t")
        .json(&json!({"inputs": [sms("x")]}))
        .send()
        .await
        .unwrap_err();
    assert!(
        error.is_request() || error.is_connect(),
        "no HTTP answer: {error:?}"
    );
    assert_eq!(server.message_count(), 0);
    // Other endpoints are untouched.
    assert_eq!(
        call(
            &server,
            reqwest::Method::GET,
            "/crm/v3/objects/communications",
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(server.stats().faults[&FaultKind::DropBeforeStore], 1);
}
