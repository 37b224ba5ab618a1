//! What a user's own end-to-end check does, as a program that knows nothing of this
//! workspace's crates: plain HTTP (reqwest, serde_json) to a fake configured as its binary
//! (`hubspot-communications-mock --token …`: no property of the account's own) to create
//! contacts, read communications' property groups and create a unique key property, on a date
//! version's path or v3's; then the `hubspot-comms` binary imports a Twilio export into it.
//! The same with `hubspot-comms setup` instead of the POST. (The fake's binary serving these
//! calls is proven in its own suite, `fake/binary.rs`.)

use crate::common;

use std::time::Duration;

use common::{TOKEN, fake, one_per_key, write};
use hubspot_communications_mock::{Config, MockServer};
use serde_json::{Value, json};

const HEADER: &str = "Sid,From,To,Body,Status,SentDate,ApiVersion,NumSegments,ErrorCode,AccountSid,NumMedia,Direction,Price,PriceUnit";
const NUMBERS: [&str; 3] = ["+14155550100", "+14155550101", "+447911123456"];

/// A Twilio message-log export: two messages with each number, one each way.
fn export() -> String {
    let mut rows = vec![HEADER.to_owned()];
    for (i, number) in NUMBERS.iter().enumerate() {
        rows.push(format!(
            "SMin{i},{number},+14155559999,\"Hello from {i}\",received,2026-11-02T09:0{i}:00Z,2010-04-01,1,,AC0,0,inbound,-0.0079,USD"
        ));
        rows.push(format!(
            "SMout{i},+14155559999,{number},\"Reply to {i}\",delivered,2026-11-02T10:0{i}:00Z,2010-04-01,1,,AC0,0,outbound-api,-0.0079,USD"
        ));
    }
    rows.join("\n") + "\n"
}

/// The fake as its binary configures it with `--token TOKEN --search-lag-ms 0`: the import
/// searches for contacts created a moment before, which HubSpot's search would not find yet.
async fn binary_like() -> MockServer {
    fake(Config::default().token(TOKEN).search_lag(Duration::ZERO)).await
}

/// One call with the token; the status and JSON answer.
async fn http(method: reqwest::Method, url: String, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(TOKEN);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the fake answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn create_contacts(fake: &MockServer) {
    for number in NUMBERS {
        let (status, body) = http(
            reqwest::Method::POST,
            format!("{}/crm/v3/objects/contacts", fake.base_url()),
            Some(json!({"properties": {"phone": number}})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
}

async fn import_export(fake: &MockServer) -> common::Run {
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "export.csv", &export());
    common::import(fake, directory.path(), "export.csv", &[]).await
}

fn assert_all_logged(fake: &MockServer, run: &common::Run) {
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.count("logged"), 6, "{run:?}");
    let stored = one_per_key(fake);
    assert_eq!(stored.len(), 6);
    assert!(stored.values().all(|m| m.contacts.len() == 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn groups_read_and_a_key_property_posted_by_hand_let_the_import_run() {
    for base in [
        "/crm/v3/properties",
        "/crm/properties/2026-09",
        "/crm/properties/2026-03",
    ] {
        let fake = binary_like().await;
        create_contacts(&fake).await;
        let url = |rest: &str| format!("{}{base}/communications{rest}", fake.base_url());

        let (status, groups) = http(reqwest::Method::GET, url("/groups"), None).await;
        assert_eq!(status, 200, "{groups}");
        let group = groups["results"][0]["name"]
            .as_str()
            .expect("a group")
            .to_owned();
        let (status, created) = http(
            reqwest::Method::POST,
            url(""),
            Some(json!({
                "name": "external_message_id",
                "label": "External message id",
                "type": "string",
                "fieldType": "text",
                "groupName": group,
                "hasUniqueValue": true,
            })),
        )
        .await;
        assert_eq!(status, 201, "{base}: {created}");

        assert_all_logged(&fake, &import_export(&fake).await);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_with_hubspot_comms_setup_instead_of_the_post() {
    let fake = binary_like().await;
    create_contacts(&fake).await;
    let directory = tempfile::tempdir().unwrap();
    let mut command = common::command(&fake, directory.path());
    command.arg("setup");
    let output = command.output().expect("the binary runs");
    assert!(output.status.success(), "{output:?}");

    assert_all_logged(&fake, &import_export(&fake).await);
}
