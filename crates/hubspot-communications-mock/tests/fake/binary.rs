//! The fake as a program: flags for records, tokens and limits; it prints where it listens.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn the_binary_serves_seeded_records_to_accepted_tokens() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hubspot-communications-mock"))
        .args([
            "--contacts",
            "2",
            "--token",
            "secret",
            "--rate-limit",
            "50",
            "--window-ms",
            "1000",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut contacts = Vec::new();
    let base_url = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(id) = line.strip_prefix("contact ") {
            contacts.push(id.to_owned());
        }
        if let Some(url) = line.strip_prefix("listening on ") {
            break url.to_owned();
        }
    };
    assert_eq!(contacts.len(), 2);
    let http = reqwest::Client::new();
    let url = format!("{base_url}/crm/v3/objects/contacts/{}", contacts[0]);
    let accepted = http.get(&url).bearer_auth("secret").send().await.unwrap();
    assert_eq!(accepted.status(), 200);
    assert_eq!(accepted.headers()["x-hubspot-ratelimit-max"], "50");
    let refused = http.get(&url).bearer_auth("other").send().await.unwrap();
    assert_eq!(refused.status(), 401);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn with_log_it_writes_one_line_per_request_on_stderr() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hubspot-communications-mock"))
        .arg("--log")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base_url = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(url) = line.strip_prefix("listening on ") {
            break url.to_owned();
        }
    };
    let http = reqwest::Client::new();
    let listed = format!("{base_url}/crm/objects/2026-09/communications?limit=2&archived=false");
    assert_eq!(
        http.get(&listed)
            .bearer_auth("t")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let missing = format!("{base_url}/crm/v3/objects/communications/999");
    assert_eq!(
        http.delete(&missing)
            .bearer_auth("t")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
            / 100,
        2
    );
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    let log = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(
        lines,
        [
            "GET /crm/objects/2026-09/communications?limit=2&archived=false 200",
            "DELETE /crm/v3/objects/communications/999 204",
        ],
        "{log}"
    );
}

/// What a user's own check of the importer does first against the binary, in plain HTTP:
/// contacts, communications' property groups, a unique key property created through the
/// Properties API (the binary takes no property definitions), then messages upserted by it.
#[tokio::test]
async fn the_binary_serves_the_properties_api_and_upserts_by_a_created_key() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hubspot-communications-mock"))
        .args(["--token", "secret"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base_url = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(url) = line.strip_prefix("listening on ") {
            break url.to_owned();
        }
    };
    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, path: &str, body: Option<serde_json::Value>| {
        let mut request = http
            .request(method, format!("{base_url}{path}"))
            .bearer_auth("secret");
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (
                status,
                response
                    .json::<serde_json::Value>()
                    .await
                    .unwrap_or_default(),
            )
        }
    };
    let (status, groups) = call(
        reqwest::Method::GET,
        "/crm/properties/2026-09/communications/groups",
        None,
    )
    .await;
    assert_eq!(status, 200, "{groups}");
    let group = groups["results"][0]["name"].clone();
    let key = serde_json::json!({"name": "external_message_id", "label": "External message id",
        "type": "string", "fieldType": "text", "groupName": group, "hasUniqueValue": true});
    let (status, created) = call(
        reqwest::Method::POST,
        "/crm/v3/properties/communications",
        Some(key),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let upsert = serde_json::json!({"inputs": [{"id": "SM1", "idProperty": "external_message_id",
        "properties": {"hs_communication_channel_type": "SMS", "hs_communication_logged_from": "CRM",
            "hs_communication_body": "Hi"}}]});
    for round in 0..2 {
        let (status, answer) = call(
            reqwest::Method::POST,
            "/crm/objects/2026-09/communications/batch/upsert",
            Some(upsert.clone()),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["results"][0]["new"], round == 0, "{answer}");
    }
    child.kill().unwrap();
    child.wait().unwrap();
}
