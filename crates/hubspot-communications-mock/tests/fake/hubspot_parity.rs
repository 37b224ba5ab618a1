//! Issue 13: where the fake was more lenient than HubSpot, or different, it now answers as
//! HubSpot does. One test per divergence, at the HTTP level, as HubSpot's own clients call.

use crate::common;

use common::call as send;

use std::time::Duration;

use hubspot_communications_mock::{
    AssociationLabel, Config, MockServer, ObjectType, PropertyDefinition, PropertyOwner, RateLimit,
};
use serde_json::{Value, json};

const MESSAGES: &str = "/crm/v3/objects/communications";

async fn get(server: &MockServer, path: &str) -> (u16, Value) {
    let (status, _, body) = send(server, reqwest::Method::GET, path, None).await;
    (status, body)
}

async fn post(server: &MockServer, path: &str, body: Value) -> (u16, Value) {
    let (status, _, body) = send(server, reqwest::Method::POST, path, Some(body)).await;
    (status, body)
}

fn sms(body: &str, timestamp: Value) -> Value {
    json!({"properties": {
        "hs_communication_channel_type": "SMS", "hs_communication_logged_from": "CRM",
        "hs_communication_body": body, "hs_timestamp": timestamp
    }})
}

async fn create(server: &MockServer, input: Value) -> String {
    let (status, body) = post(server, MESSAGES, input).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

fn fast() -> Config {
    Config::default()
        .rate_limit(RateLimit::new(100_000, Duration::from_secs(1)))
        .search_rate_limit(RateLimit::new(100_000, Duration::from_secs(1)))
}

#[tokio::test]
async fn booleans_are_read_in_any_case() {
    let server = MockServer::start().await.unwrap();
    for flag in ["False", "TRUE", "false"] {
        let (status, body) = get(&server, &format!("{MESSAGES}?archived={flag}")).await;
        assert_eq!(status, 200, "archived={flag}: {body}");
    }
    assert_eq!(
        get(&server, &format!("{MESSAGES}?archived=maybe")).await.0,
        400
    );
}

#[tokio::test]
async fn datetimes_are_written_as_millis_or_iso_and_read_as_iso() {
    let server = MockServer::start().await.unwrap();
    let id = create(&server, sms("a", json!(1_668_268_102_000_i64))).await;
    let (_, read) = get(&server, &format!("{MESSAGES}/{id}?properties=hs_timestamp")).await;
    assert_eq!(
        read["properties"]["hs_timestamp"],
        "2022-11-12T15:48:22.000Z"
    );
    let (status, refused) = post(&server, MESSAGES, sms("b", json!("last tuesday"))).await;
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("hs_timestamp")
    );
    let mut wrong_channel = sms("c", json!("2022-11-12T15:48:22Z"));
    wrong_channel["properties"]["hs_communication_channel_type"] = json!("FAX");
    let (status, refused) = post(&server, MESSAGES, wrong_channel).await;
    assert_eq!(status, 400);
    assert_eq!(refused["errors"][0]["code"], "INVALID_OPTION", "{refused}");
}

#[tokio::test]
async fn search_compares_and_sorts_by_type() {
    // Instant search: it searches the messages it has just created.
    let server = MockServer::start_with(fast().search_lag(Duration::ZERO))
        .await
        .unwrap();
    let old = create(&server, sms("old", json!("1640995200000"))).await; // 2022-01-01
    let new = create(&server, sms("new", json!("2023-06-01T00:00:00Z"))).await;
    let search = |filters: Value| json!({"filterGroups": [{"filters": filters}], "sorts": [{"propertyName": "hs_timestamp", "direction": "ASCENDING"}]});
    let ids = |body: &Value| -> Vec<String> {
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let path = format!("{MESSAGES}/search");
    // 2022-12-31 in milliseconds.
    let (_, lt) = post(
        &server,
        &path,
        search(
            json!([{"propertyName": "hs_timestamp", "operator": "LT", "value": "1672444800000"}]),
        ),
    )
    .await;
    assert_eq!(ids(&lt), std::slice::from_ref(&old), "{lt}");
    let (_, between) = post(&server, &path, search(json!([{"propertyName": "hs_timestamp", "operator": "BETWEEN", "value": "1640995100000", "highValue": "1700000000000"}]))).await;
    assert_eq!(ids(&between), [old.clone(), new.clone()], "{between}");
    let (_, number) = post(&server, &path, search(json!([{"propertyName": "hs_object_id", "operator": "EQ", "value": new.parse::<u64>().unwrap()}]))).await;
    assert_eq!(ids(&number), std::slice::from_ref(&new), "{number}");
    let (_, sorted) = post(&server, &path, search(json!([]))).await;
    assert_eq!(ids(&sorted), [old, new], "2022 sorts before 2023");
}

#[tokio::test]
async fn properties_hubspot_does_not_have_are_never_stored() {
    let custom = PropertyDefinition::string("ticket_ref");
    let server =
        MockServer::start_with(Config::default().property(PropertyOwner::Communication, custom))
            .await
            .unwrap();
    let mut input = sms("a", json!("2024-01-01T00:00:00Z"));
    input["properties"]["made_up"] = json!("x");
    let (status, refused) = post(&server, MESSAGES, input).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["errors"][0]["code"], "PROPERTY_DOESNT_EXIST");
    assert!(refused["message"].as_str().unwrap().contains("made_up"));

    let mut input = sms("b", json!("2024-01-01T00:00:00Z"));
    input["properties"]["ticket_ref"] = json!("T-1");
    let id = create(&server, input).await;
    let update = json!({"properties": {"made_up": "y", "hs_communication_body": "c"}});
    let (status, _, updated) = send(
        &server,
        reqwest::Method::PATCH,
        &format!("{MESSAGES}/{id}"),
        Some(update),
    )
    .await;
    assert_eq!(
        status, 200,
        "unknown properties are ignored on update: {updated}"
    );
    assert!(updated["properties"].get("made_up").is_none());
    let stored = server.message(&id).unwrap();
    assert!(stored["properties"].get("made_up").is_none(), "{stored}");
    assert_eq!(stored["properties"]["ticket_ref"], "T-1");

    let (_, read) = get(
        &server,
        &format!("{MESSAGES}/{id}?properties=made_up,ticket_ref"),
    )
    .await;
    assert!(
        read["properties"].get("made_up").is_none(),
        "unknown names are left out: {read}"
    );
    assert_eq!(read["properties"]["ticket_ref"], "T-1");
}

#[tokio::test]
async fn search_enforces_hubspots_limits() {
    let server = MockServer::start_with(fast()).await.unwrap();
    let path = format!("{MESSAGES}/search");
    let filter = json!({"propertyName": "hs_communication_body", "operator": "HAS_PROPERTY"});
    let group = |n: usize| json!({"filters": vec![filter.clone(); n]});
    // HubSpot's search guide (Limits): 5 groups of up to 6 filters, 18 in all; a body of at
    // most 3,000 characters.
    let too_much = [
        json!({"filterGroups": vec![group(1); 6]}),
        json!({"filterGroups": [group(7)]}),
        json!({"filterGroups": [group(6), group(6), group(6), group(1)]}),
        json!({"filterGroups": [{"filters": [{"propertyName": "a", "operator": "LIKE", "value": "b"}]}]}),
        json!({"query": "x".repeat(3_001)}),
        json!({"query": "x".repeat(2_990)}),
    ];
    for body in too_much {
        let (status, answer) = post(&server, &path, body).await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["category"], "VALIDATION_ERROR");
    }
    let fine = json!({"filterGroups": vec![group(6); 3]});
    assert_eq!(post(&server, &path, fine).await.0, 200);
    // Exactly 3,000 characters, as sent: accepted; one more is not.
    let exactly = |chars: usize| {
        let empty = r#"{"query":""}"#.len();
        format!(r#"{{"query":"{}"}}"#, "é".repeat(chars - empty))
    };
    for (chars, status) in [(3_000, 200), (3_001, 400)] {
        let answer = reqwest::Client::new()
            .post(format!("{}{path}", server.base_url()))
            .bearer_auth("token")
            .header("content-type", "application/json")
            .body(exactly(chars))
            .send()
            .await
            .unwrap();
        assert_eq!(
            answer.status().as_u16(),
            status,
            "{chars} characters (not bytes)"
        );
    }
}

#[tokio::test]
async fn ids_and_batches_are_checked_as_hubspot_does() {
    let server = MockServer::start().await.unwrap();
    let id = create(&server, sms("a", json!("2024-01-01T00:00:00Z"))).await;
    let (status, body) = get(
        &server,
        &format!("{MESSAGES}/a?idProperty=hs_communication_body"),
    )
    .await;
    assert_eq!(status, 400, "idProperty must be unique: {body}");

    let twice = json!({"inputs": [{"id": id}, {"id": id}]});
    let (status, body) = post(&server, &format!("{MESSAGES}/batch/read"), twice).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains(&id), "{body}");

    let api =
        json!({"inputs": [{"id": id, "properties": {"hs_communication_logged_from": "API"}}]});
    let (status, body) = post(&server, &format!("{MESSAGES}/batch/update"), api).await;
    assert_eq!(status, 207, "{body}");
    let error = &body["errors"][0];
    assert_eq!(
        error["context"]["propertyName"],
        json!(["hs_communication_logged_from"])
    );
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("hs_communication_logged_from")
    );
    assert_eq!(
        server.message(&id).unwrap()["properties"]["hs_communication_logged_from"],
        "CRM"
    );
}

#[tokio::test]
async fn per_item_errors_name_the_property_at_fault() {
    let server = MockServer::start().await.unwrap();
    let mut bad = sms("b", json!("2024-01-01T00:00:00Z"));
    bad["properties"]["hs_communication_channel_type"] = json!("FAX");
    let mut good = sms("a", json!("2024-01-01T00:00:00Z"));
    good["objectWriteTraceId"] = json!("0");
    bad["objectWriteTraceId"] = json!("1");
    let inputs = json!({"inputs": [good, bad]});
    let (status, body) = post(&server, &format!("{MESSAGES}/batch/create"), inputs).await;
    assert_eq!(status, 207, "{body}");
    let error = &body["errors"][0];
    assert_eq!(error["context"]["objectWriteTraceId"], json!(["1"]));
    assert_eq!(
        error["context"]["propertyName"],
        json!(["hs_communication_channel_type"])
    );
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("INVALID_OPTION"),
        "{error}"
    );
}

#[tokio::test]
async fn associations_are_stored_once_and_shown_from_both_sides() {
    let label = AssociationLabel::user(ObjectType::Contact, 501, 502, "Sender");
    let server = MockServer::start_with(Config::default().association_label(label))
        .await
        .unwrap();
    let contact = server.seed_contact("linda@example.com");
    let mut input = sms("a", json!("2024-01-01T00:00:00Z"));
    input["associations"] = json!([{"to": {"id": contact}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 81}]}]);
    let id = create(&server, input).await;

    let from_contact = format!("/crm/v4/objects/contacts/{contact}/associations/communications");
    let (status, listed) = get(&server, &from_contact).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["results"][0]["toObjectId"], id.as_str());
    assert_eq!(listed["results"][0]["associationTypes"][0]["typeId"], 82);

    // Written from the contact's side with the label's inverse id, read from the message's.
    let labelled = json!([{"associationCategory": "USER_DEFINED", "associationTypeId": 502}]);
    let (status, _, body) = send(
        &server,
        reqwest::Method::PUT,
        &format!("{from_contact}/{id}"),
        Some(labelled),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["labels"], json!(["Sender"]));
    let (_, from_message) = get(
        &server,
        &format!("/crm/v4/objects/communications/{id}/associations/contacts"),
    )
    .await;
    let types = &from_message["results"][0]["associationTypes"];
    assert!(
        types
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["typeId"] == 501 && t["label"] == "Sender"),
        "{types}"
    );
    assert!(types.as_array().unwrap().iter().all(|t| t["typeId"] != 502));

    let unknown = json!([{"associationCategory": "USER_DEFINED", "associationTypeId": 999}]);
    let path = format!("/crm/v4/objects/communications/{id}/associations/contacts/{contact}");
    let (status, _, body) = send(&server, reqwest::Method::PUT, &path, Some(unknown)).await;
    assert_eq!(
        status, 400,
        "an unknown label is refused, not invented: {body}"
    );

    let (status, _, _) = send(
        &server,
        reqwest::Method::DELETE,
        &format!("{from_contact}/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (_, gone) = get(
        &server,
        &format!("/crm/v4/objects/communications/{id}/associations/contacts"),
    )
    .await;
    assert_eq!(gone["results"], json!([]));
}

#[tokio::test]
async fn v4_association_batches_work_from_either_end() {
    let server = MockServer::start().await.unwrap();
    let (a, b) = (server.seed_deal("a"), server.seed_deal("b"));
    let id = create(&server, sms("m", json!("2024-01-01T00:00:00Z"))).await;
    let create_body = json!({"inputs": [
        {"from": {"id": a}, "to": {"id": id}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 86}]},
        {"from": {"id": b}, "to": {"id": id}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 85}]}
    ]});
    let (status, created) = post(
        &server,
        "/crm/v4/associations/deals/communications/batch/create",
        create_body,
    )
    .await;
    assert_eq!(
        status, 207,
        "85 is communication to deal, not deal to communication: {created}"
    );
    assert_eq!(created["results"][0]["fromObjectId"], a.as_str());

    let read = json!({"inputs": [{"id": id}]});
    let (status, body) = post(
        &server,
        "/crm/v4/associations/communications/deals/batch/read",
        read,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["results"][0]["to"][0]["toObjectId"], a.as_str());
    assert_eq!(
        body["results"][0]["to"][0]["associationTypes"][0]["typeId"],
        85
    );

    let archive = json!({"inputs": [{"from": {"id": id}, "to": [{"id": a}]}]});
    let (status, _, _) = send(
        &server,
        reqwest::Method::POST,
        "/crm/v4/associations/communications/deals/batch/archive",
        Some(archive),
    )
    .await;
    assert_eq!(status, 204);
    let (status, body) = post(
        &server,
        "/crm/v4/associations/deals/communications/batch/read",
        json!({"inputs": [{"id": a}]}),
    )
    .await;
    assert_eq!(status, 207, "nothing is left: {body}");
}

/// A deleted (archived) contact is as absent as a deleted message: an association to it is
/// refused, 404 alone and a per-item error naming it in a batch, never stored on it.
#[tokio::test]
async fn a_deleted_contact_takes_no_association() {
    let server = MockServer::start_with(fast()).await.unwrap();
    let (kept, deleted) = (
        server.seed_contact("kept@example.com"),
        server.seed_contact("deleted@example.com"),
    );
    let id = create(&server, sms("m", json!("2024-01-01T00:00:00Z"))).await;
    let (status, _, _) = send(
        &server,
        reqwest::Method::DELETE,
        &format!("/crm/v3/objects/contacts/{deleted}"),
        None,
    )
    .await;
    assert_eq!(status, 204);

    let (status, _, body) = send(
        &server,
        reqwest::Method::PUT,
        &format!("/crm/v4/objects/communications/{id}/associations/default/contacts/{deleted}"),
        None,
    )
    .await;
    assert_eq!(status, 404, "{body}");

    let types = json!([{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 81}]);
    let (status, body) = post(
        &server,
        "/crm/v4/associations/communications/contacts/batch/create",
        json!({"inputs": [
            {"from": {"id": id}, "to": {"id": kept}, "types": types},
            {"from": {"id": id}, "to": {"id": deleted}, "types": types}
        ]}),
    )
    .await;
    assert_eq!(status, 207, "{body}");
    assert_eq!(body["results"].as_array().unwrap().len(), 1, "{body}");
    let error = &body["errors"][0];
    assert!(
        error["message"].as_str().unwrap().contains(&deleted),
        "the error names the contact: {error}"
    );
    assert_eq!(error["context"]["toObjectId"][0], deleted.as_str());
    assert_eq!(
        server.associated_records(&id, ObjectType::Contact),
        [kept],
        "on the live contact alone"
    );
}

#[tokio::test]
async fn rate_limit_headers_and_auth_are_hubspots() {
    let server = MockServer::start_with(Config::default().daily_limit(2))
        .await
        .unwrap();
    let response = reqwest::Client::new()
        .get(format!("{}{MESSAGES}", server.base_url()))
        .header("authorization", "bearer token")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the scheme is read in any case");
    for name in [
        "-secondly",
        "-secondly-remaining",
        "-daily",
        "-daily-remaining",
    ] {
        assert!(
            response
                .headers()
                .contains_key(format!("x-hubspot-ratelimit{name}")),
            "{name}"
        );
    }
    assert_eq!(
        response.headers()["x-hubspot-ratelimit-daily-remaining"],
        "1"
    );
    get(&server, MESSAGES).await;
    let (status, headers, body) = send(&server, reqwest::Method::GET, MESSAGES, None).await;
    assert_eq!((status, body["policyName"].as_str()), (429, Some("DAILY")));
    assert_eq!(headers["x-hubspot-ratelimit-daily-remaining"], "0");
    assert!(headers.contains_key("x-hubspot-ratelimit-max"));
}

#[tokio::test]
async fn search_and_v4_pages_carry_a_link() {
    let server = MockServer::start_with(fast()).await.unwrap();
    server.seed_messages(3);
    let (_, page) = post(&server, &format!("{MESSAGES}/search"), json!({"limit": 2})).await;
    assert_eq!(page["paging"]["next"]["after"], "2");
    assert!(
        page["paging"]["next"]["link"]
            .as_str()
            .is_some_and(|l| l.contains("after=2")),
        "{page}"
    );
    let contact = server.seed_contact("a@example.com");
    for id in server.seed_messages(2) {
        let path =
            format!("/crm/v4/objects/contacts/{contact}/associations/default/communications/{id}");
        assert_eq!(
            send(&server, reqwest::Method::PUT, &path, None).await.0,
            200
        );
    }
    let (_, page) = get(
        &server,
        &format!("/crm/v4/objects/contacts/{contact}/associations/communications?limit=1"),
    )
    .await;
    assert!(page["paging"]["next"]["link"].is_string(), "{page}");
}

#[tokio::test]
async fn fifty_writers_lose_and_duplicate_nothing() {
    let key = PropertyDefinition::string("external_message_id").unique();
    let server = std::sync::Arc::new(
        MockServer::start_with(fast().property(PropertyOwner::Communication, key))
            .await
            .unwrap(),
    );
    let writers: Vec<_> = (0..50)
        .map(|writer| {
            let server = server.clone();
            tokio::spawn(async move {
                for i in 0..10 {
                    create(
                        &server,
                        sms(&format!("w{writer}-{i}"), json!("2024-01-01T00:00:00Z")),
                    )
                    .await;
                }
                // Every writer upserts the same keys twice: each key must exist once.
                for _ in 0..2 {
                    let inputs: Vec<Value> = (0..5)
                        .map(|k| {
                            let mut input = sms(&format!("k{k}"), json!("2024-01-01T00:00:00Z"));
                            input["id"] = json!(format!("key-{k}"));
                            input["idProperty"] = json!("external_message_id");
                            input
                        })
                        .collect();
                    let (status, body) = post(
                        &server,
                        &format!("{MESSAGES}/batch/upsert"),
                        json!({"inputs": inputs}),
                    )
                    .await;
                    assert_eq!(status, 200, "{body}");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    let messages = server.messages();
    assert_eq!(messages.len(), 50 * 10 + 5);
    let mut bodies: Vec<&str> = messages
        .iter()
        .map(|(_, p)| p["hs_communication_body"].as_str())
        .collect();
    bodies.sort_unstable();
    bodies.dedup();
    assert_eq!(bodies.len(), 50 * 10 + 5, "no body twice");
}

/// HubSpot's error-handling guide: a batch create answers 207 (some created, some refused)
/// only when every input carries a unique `objectWriteTraceId`. Without them (or with one
/// repeated), one refused input refuses the whole batch, and nothing is created.
#[tokio::test]
async fn a_batch_create_answers_207_only_with_unique_trace_ids() {
    let server = MockServer::start().await.unwrap();
    let path = format!("{MESSAGES}/batch/create");
    let with = |traces: [Option<&str>; 2]| {
        let mut bad = sms("bad", json!("2024-01-01T00:00:00Z"));
        bad["properties"]["hs_communication_channel_type"] = json!("FAX");
        let mut inputs = [sms("good", json!("2024-01-01T00:00:00Z")), bad];
        for (input, trace) in inputs.iter_mut().zip(traces) {
            if let Some(trace) = trace {
                input["objectWriteTraceId"] = json!(trace);
            }
        }
        json!({ "inputs": inputs })
    };
    for traces in [[None, None], [Some("a"), None], [Some("a"), Some("a")]] {
        let (status, body) = post(&server, &path, with(traces)).await;
        assert_eq!(status, 400, "{traces:?}: {body}");
        assert_eq!(body["category"], "VALIDATION_ERROR");
        assert!(body["message"].as_str().unwrap().contains("FAX"), "{body}");
        assert_eq!(server.messages().len(), 0, "{traces:?}: nothing is created");
    }
    let (status, body) = post(&server, &path, with([Some("a"), Some("b")])).await;
    assert_eq!(status, 207, "{body}");
    assert_eq!(body["results"][0]["objectWriteTraceId"], "a");
    assert_eq!(
        body["errors"][0]["context"]["objectWriteTraceId"],
        json!(["b"])
    );
    assert_eq!(server.messages().len(), 1);
    // A batch that all succeeds answers 201 with or without them.
    let fine = json!({"inputs": [sms("c", json!("2024-01-01T00:00:00Z"))]});
    assert_eq!(post(&server, &path, fine).await.0, 201);
}
