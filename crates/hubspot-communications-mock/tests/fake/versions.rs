//! One store, three path families: what is written through one version reads back through the
//! others, and each version lacks what HubSpot's lacks.

use hubspot_communications_mock::{DATE_VERSIONS, MockServer};
use serde_json::{Value, json};

async fn send(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = http.request(method, url).bearer_auth("t");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_message_created_through_v3_reads_back_through_every_date_version() {
    let server = MockServer::start().await.unwrap();
    let contact = server.seed_contact("linda@example.com");
    let http = reqwest::Client::new();
    let base = server.base_url();
    let (status, created) = send(
        &http,
        reqwest::Method::POST,
        format!("{base}/crm/v3/objects/communications"),
        Some(json!({"properties": {
            "hs_communication_channel_type": "SMS", "hs_communication_logged_from": "CRM",
            "hs_communication_body": "Texted Linda.", "hs_timestamp": "2024-05-01T10:00:00Z"
        }})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    for version in DATE_VERSIONS {
        let objects = format!("{base}/crm/objects/{version}");
        for object_type in ["communications", "0-18"] {
            let (status, read) = send(
                &http,
                reqwest::Method::GET,
                format!("{objects}/{object_type}/{id}?properties=hs_communication_body"),
                None,
            )
            .await;
            assert_eq!(status, 200, "{version} {object_type}: {read}");
            assert_eq!(read["properties"]["hs_communication_body"], "Texted Linda.");
        }
        let (status, _) = send(
            &http,
            reqwest::Method::PUT,
            format!("{objects}/communications/{id}/associations/default/contacts/{contact}"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{version}: default association");
        // The guide's typed association path is v3's alone.
        let (status, _) = send(
            &http,
            reqwest::Method::PUT,
            format!("{objects}/communications/{id}/associations/contacts/{contact}/81"),
            None,
        )
        .await;
        assert_eq!(status, 404, "{version}: typed association path");
    }
    let list = |version: &str| {
        format!("{base}/crm/objects/{version}/communications/{id}/associations/contacts")
    };
    let (status, listed) = send(&http, reqwest::Method::GET, list("2026-03"), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        listed["results"][0]["toObjectId"]
            .to_string()
            .trim_matches('"'),
        contact
    );
    // 2026-09 publishes no list of a record's associations (its batch read does that).
    let (status, _) = send(&http, reqwest::Method::GET, list("2026-09"), None).await;
    assert_eq!(status, 404);
    // A version HubSpot never published.
    let (status, error) = send(
        &http,
        reqwest::Method::GET,
        format!("{base}/crm/objects/2025-01/communications"),
        None,
    )
    .await;
    assert_eq!(
        (status, error["category"].as_str()),
        (404, Some("OBJECT_NOT_FOUND"))
    );
}
