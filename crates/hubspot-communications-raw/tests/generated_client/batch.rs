//! The batch endpoints: request bodies, and answers that keep both results and errors.

use crate::common;

use common::{batch, message, setup};
use hubspot_communications_raw::{BatchStatus, types};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

async fn expect_post(
    server: &wiremock::MockServer,
    endpoint: &str,
    body: &Value,
    status: u16,
    answer: Value,
) {
    Mock::given(method("POST"))
        .and(path(format!(
            "/crm/v3/objects/communications/batch/{endpoint}"
        )))
        .and(body_json(body))
        .respond_with(ResponseTemplate::new(status).set_body_json(answer))
        .expect(1)
        .mount(server)
        .await;
}

fn not_found(id: &str) -> Value {
    json!({
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "message": format!("Could not get some COMMUNICATION objects, they may be deleted or not exist. Check that ids are valid."),
        "context": {"ids": [id]},
        "subCategory": {"kind": "not-a-string"}
    })
}

#[tokio::test]
async fn batch_read_207_keeps_results_and_errors() {
    let (server, client) = setup().await;
    let request =
        json!({"inputs": [{"id": "1"}, {"id": "404"}], "properties": ["hs_communication_body"]});
    expect_post(
        &server,
        "read",
        &request,
        207,
        batch(vec![message("1")], Some(vec![not_found("404")])),
    )
    .await;

    let body: types::BatchReadInputSimplePublicObjectId = serde_json::from_value(request).unwrap();
    let answer = client
        .objects
        .batch_read_objects()
        .object_type("communications")
        .body(body)
        .archived(false)
        .send()
        .await
        .unwrap();

    assert_eq!(answer.status(), 207);
    assert_eq!(answer.results[0].id, "1");
    assert_eq!(answer.num_errors, Some(1));
    assert_eq!(
        answer.errors[0].category.as_deref(),
        Some("OBJECT_NOT_FOUND")
    );
    assert_eq!(answer.errors[0].context["ids"], ["404"]);
    assert_eq!(
        answer.errors[0].sub_category,
        Some(json!({"kind": "not-a-string"}))
    );
    assert_eq!(answer.status, BatchStatus::Complete);
}

#[tokio::test]
async fn batch_read_sends_archived_as_a_query_parameter() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/communications/batch/read"))
        .and(query_param("archived", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(batch(vec![], None)))
        .expect(1)
        .mount(&server)
        .await;
    let body: types::BatchReadInputSimplePublicObjectId =
        serde_json::from_value(json!({"inputs": [{"id": "1"}]})).unwrap();
    let answer = client
        .objects
        .batch_read_objects()
        .object_type("communications")
        .archived(true)
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(answer.errors.is_empty() && answer.num_errors.is_none());
}

#[tokio::test]
async fn batch_create_201_and_207_decode_into_one_type() {
    let (server, client) = setup().await;
    let request = json!({"inputs": [
        {"properties": {"hs_communication_body": "a"}, "objectWriteTraceId": "0"},
        {"properties": {"hs_communication_body": "b"}, "associations": [
            {"to": {"id": "1234"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 81}]}
        ]}
    ]});
    expect_post(
        &server,
        "create",
        &request,
        201,
        batch(vec![message("1"), message("2")], None),
    )
    .await;
    let body: types::BatchInputSimplePublicObjectBatchInputForCreate =
        serde_json::from_value(request.clone()).unwrap();
    let created = client
        .objects
        .batch_create_objects()
        .object_type("communications")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(created.results.len(), 2);

    server.reset().await;
    let error = json!({"status": "error", "category": "VALIDATION_ERROR", "message": "Property values were not valid",
                       "context": {"objectWriteTraceId": ["1"]}});
    expect_post(
        &server,
        "create",
        &request,
        207,
        batch(vec![message("1")], Some(vec![error])),
    )
    .await;
    let body: types::BatchInputSimplePublicObjectBatchInputForCreate =
        serde_json::from_value(request).unwrap();
    let partial = client
        .objects
        .batch_create_objects()
        .object_type("communications")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(partial.status(), 207);
    assert_eq!(partial.results.len(), 1);
    assert_eq!(partial.errors[0].context["objectWriteTraceId"], ["1"]);
}

#[tokio::test]
async fn batch_update_sends_ids_and_properties() {
    let (server, client) = setup().await;
    let request = json!({"inputs": [{"id": "1", "properties": {"hs_communication_body": ""}}]});
    expect_post(
        &server,
        "update",
        &request,
        200,
        batch(vec![message("1")], None),
    )
    .await;
    let body: types::BatchInputSimplePublicObjectBatchInput =
        serde_json::from_value(request).unwrap();
    let updated = client
        .objects
        .batch_update_objects()
        .object_type("communications")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.results[0].id, "1");
}

#[tokio::test]
async fn batch_upsert_by_unique_property_reports_new_records() {
    let (server, client) = setup().await;
    let request = json!({"inputs": [{"id": "ext-1", "idProperty": "external_id", "properties": {"hs_communication_body": "a"}}]});
    let mut upserted = message("9");
    upserted["new"] = json!(true);
    expect_post(
        &server,
        "upsert",
        &request,
        200,
        batch(vec![upserted], None),
    )
    .await;
    let body: types::BatchInputSimplePublicObjectBatchInputUpsert =
        serde_json::from_value(request).unwrap();
    let answer = client
        .objects
        .batch_upsert_objects()
        .object_type("communications")
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(answer.results[0].new);
}

#[tokio::test]
async fn batch_archive_answers_204() {
    let (server, client) = setup().await;
    let request = json!({"inputs": [{"id": "1"}, {"id": "2"}]});
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/communications/batch/archive"))
        .and(body_json(&request))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let body: types::BatchInputSimplePublicObjectId = serde_json::from_value(request).unwrap();
    let answer = client
        .objects
        .batch_archive_objects()
        .object_type("communications")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 204);
}

#[tokio::test]
async fn an_unknown_batch_status_decodes_and_encodes_unchanged() {
    let (server, client) = setup().await;
    let mut answer = batch(vec![], None);
    answer["status"] = json!("THROTTLED");
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .mount(&server)
        .await;
    let body: types::BatchInputSimplePublicObjectBatchInput =
        serde_json::from_value(json!({"inputs": []})).unwrap();
    let decoded = client
        .objects
        .batch_update_objects()
        .object_type("communications")
        .body(body)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(decoded.status, BatchStatus::from("THROTTLED"));
    assert!(matches!(&decoded.status, BatchStatus::Other(v) if v.as_str() == "THROTTLED"));
    assert_eq!(
        serde_json::to_value(&decoded).unwrap()["status"],
        "THROTTLED"
    );
}
