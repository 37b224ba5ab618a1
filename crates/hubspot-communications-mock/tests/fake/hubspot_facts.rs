//! HubSpot's facts the fake once had wrong or left out (issue 29), each with its source: the
//! path an error names, association batches (their limits, 204 on v4 and 200 on the date
//! versions), reading a record's associations 500 at a time, daily limits by tier, and bodies
//! HubSpot cannot read refused as it refuses them.

use crate::common;

use common::call;
use hubspot_communications_mock::{Config, DailyLimit, MockServer, ObjectType, RateLimit};
use reqwest::Method;
use serde_json::{Value, json};

const MESSAGES: &str = "/crm/v3/objects/communications";

async fn send(
    server: &MockServer,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (status, _, body) = call(server, method, path, body).await;
    (status, body)
}

/// HubSpot's messages name the path the client called: a date-versioned request's refusal
/// names `/crm/objects/2026-09/…`, not the v3 form the fake routes it by.
#[tokio::test]
async fn an_error_names_the_path_the_client_called() {
    let server = MockServer::start().await.unwrap();
    for version in ["2026-03", "2026-09"] {
        let path = format!("/crm/objects/{version}/communications/search");
        let (status, body) = send(&server, Method::GET, &path, None).await;
        assert_eq!(status, 405, "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(&path), "{message}");
        assert!(!message.contains("/crm/v3/"), "{message}");
    }
    let (status, body) = send(&server, Method::PUT, MESSAGES, None).await;
    assert_eq!(status, 405);
    assert!(body["message"].as_str().unwrap().contains(MESSAGES));
    let (status, body) = send(
        &server,
        Method::GET,
        "/crm/objects/2026-09/nowhere/1/2/3",
        None,
    )
    .await;
    assert_eq!(status, 404, "{body}");
}

/// HubSpot's associations guide: a batch read takes up to 1,000 inputs, a batch create up to
/// 2,000; the archive's limit is not published (the fake takes 1,000). A batch archive answers
/// 204 on v4 and 200 on the date versions (their specs).
#[tokio::test]
async fn association_batches_keep_hubspots_limits_and_statuses() {
    let server = MockServer::start().await.unwrap();
    let contact = server.seed_contact("linda@example.com");
    let message = server.seed_message(&[], &[(ObjectType::Contact, &contact)]);
    let batch = |version: &str, op: &str| match version {
        "v4" => format!("/crm/v4/associations/communications/contacts/batch/{op}"),
        date => format!("/crm/associations/{date}/communications/contacts/batch/{op}"),
    };
    let reads = |n: usize| json!({"inputs": vec![json!({"id": message}); n]});
    assert_eq!(
        send(
            &server,
            Method::POST,
            &batch("v4", "read"),
            Some(reads(1_000))
        )
        .await
        .0,
        200
    );
    assert_eq!(
        send(
            &server,
            Method::POST,
            &batch("v4", "read"),
            Some(reads(1_001))
        )
        .await
        .0,
        400
    );
    let pair = json!({"from": {"id": message}, "to": {"id": contact}, "types": [
        {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 81}]});
    let creates = |n: usize| json!({"inputs": vec![pair.clone(); n]});
    assert_eq!(
        send(
            &server,
            Method::POST,
            &batch("v4", "create"),
            Some(creates(2_000))
        )
        .await
        .0,
        201
    );
    assert_eq!(
        send(
            &server,
            Method::POST,
            &batch("v4", "create"),
            Some(creates(2_001))
        )
        .await
        .0,
        400
    );
    let archive = json!({"inputs": [{"from": {"id": message}, "to": [{"id": contact}]}]});
    let archives = |n: usize| json!({"inputs": vec![archive["inputs"][0].clone(); n]});
    assert_eq!(
        send(
            &server,
            Method::POST,
            &batch("v4", "archive"),
            Some(archives(1_001))
        )
        .await
        .0,
        400
    );
    for (version, status) in [("v4", 204), ("2026-03", 200), ("2026-09", 200)] {
        let (got, _) = send(
            &server,
            Method::POST,
            &batch(version, "archive"),
            Some(archive.clone()),
        )
        .await;
        assert_eq!(got, status, "{version}");
    }
}

/// HubSpot's v4 spec: reading a record's associations is "Limit 500 per call": 500 by
/// default, a larger `limit` refused, the rest a page further.
#[tokio::test]
async fn a_records_associations_are_read_500_a_call() {
    let server = MockServer::start().await.unwrap();
    let contacts: Vec<String> = (0..501)
        .map(|i| server.seed_contact(&format!("c{i}@example.com")))
        .collect();
    let records: Vec<(ObjectType, &str)> = contacts
        .iter()
        .map(|id| (ObjectType::Contact, id.as_str()))
        .collect();
    let message = server.seed_message(&[], &records);
    let path = format!("/crm/v4/objects/communications/{message}/associations/contacts");
    let (status, page) = send(&server, Method::GET, &path, None).await;
    assert_eq!(status, 200);
    assert_eq!(page["results"].as_array().unwrap().len(), 500);
    let after = page["paging"]["next"]["after"].as_str().unwrap().to_owned();
    let (_, rest) = send(&server, Method::GET, &format!("{path}?after={after}"), None).await;
    assert_eq!(rest["results"].as_array().unwrap().len(), 1);
    assert!(rest.get("paging").is_none());
    assert_eq!(
        send(&server, Method::GET, &format!("{path}?limit=500"), None)
            .await
            .0,
        200
    );
    assert_eq!(
        send(&server, Method::GET, &format!("{path}?limit=501"), None)
            .await
            .0,
        400
    );
}

/// HubSpot's daily limits by tier (its usage guidelines and the changelog that raised them):
/// the headers state the tier's, and past it every request is a 429 of the `DAILY` policy.
#[tokio::test]
async fn daily_limits_are_hubspots_tiers() {
    assert_eq!(DailyLimit::STARTER.requests, 250_000);
    assert_eq!(DailyLimit::PROFESSIONAL.requests, 650_000);
    assert_eq!(DailyLimit::ENTERPRISE.requests, 1_000_000);
    assert_eq!(
        DailyLimit::PROFESSIONAL.with_capacity_packs(1).requests,
        1_650_000
    );
    assert_eq!(RateLimit::API_LIMIT_INCREASE.max, 250);
    let server = MockServer::start_with(Config::default().daily_limit(DailyLimit::PROFESSIONAL))
        .await
        .unwrap();
    let (_, headers, _) = call(&server, Method::GET, MESSAGES, None).await;
    assert_eq!(headers["x-hubspot-ratelimit-daily"], "650000");
    assert_eq!(headers["x-hubspot-ratelimit-daily-remaining"], "649999");
    let server = MockServer::start_with(Config::default().daily_limit(1))
        .await
        .unwrap();
    assert_eq!(call(&server, Method::GET, MESSAGES, None).await.0, 200);
    let (status, _, body) = call(&server, Method::GET, MESSAGES, None).await;
    assert_eq!((status, body["policyName"].as_str()), (429, Some("DAILY")));
}

/// HubSpot reads a body into its request type, and refuses what does not fit with a 400: a
/// JSON array where an object goes (a search body), an object where an id goes (a batch
/// archive's `{"id": {}}`); nothing is done.
#[tokio::test]
async fn bodies_hubspot_cannot_read_are_refused() {
    let server = MockServer::start().await.unwrap();
    let ids = server.seed_messages(2);
    let search = format!("{MESSAGES}/search");
    for body in [json!([]), json!([{"query": "x"}]), json!("x"), json!(null)] {
        let (status, answer) = send(&server, Method::POST, &search, Some(body.clone())).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["category"], "VALIDATION_ERROR");
    }
    let archive = format!("{MESSAGES}/batch/archive");
    for inputs in [
        json!([{"id": {}}]),
        json!([{"id": ids[0]}, {"id": []}]),
        json!([{"id": ids[0]}, {}]),
        json!([ids[0]]),
    ] {
        let (status, answer) = send(
            &server,
            Method::POST,
            &archive,
            Some(json!({ "inputs": inputs })),
        )
        .await;
        assert_eq!(status, 400, "{inputs}: {answer}");
    }
    assert_eq!(server.messages().len(), 2, "nothing archived");
    // Ids as numbers are read as HubSpot reads them.
    let numbers: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id.parse::<u64>().unwrap()}))
        .collect();
    let (status, _) = send(
        &server,
        Method::POST,
        &archive,
        Some(json!({ "inputs": numbers })),
    )
    .await;
    assert_eq!(status, 204);
}
