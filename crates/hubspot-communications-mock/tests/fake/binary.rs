//! The fake as a program: flags for records, tokens and limits, the address it listens on;
//! it prints where it listens.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{LISTEN_VARIABLE, binary, listening, until_listening};

/// A loopback port no one listens on now (bound, then released).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Whether the fake at `base_url` answers a list of messages.
async fn answers(base_url: &str) -> bool {
    reqwest::Client::new()
        .get(format!("{base_url}/crm/v3/objects/communications"))
        .bearer_auth("t")
        .send()
        .await
        .is_ok_and(|answer| answer.status() == 200)
}

#[tokio::test]
async fn the_binary_serves_seeded_records_to_accepted_tokens() {
    let mut child = binary()
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
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (before, base_url) = until_listening(&mut lines);
    let contacts: Vec<&str> = before
        .iter()
        .filter_map(|line| line.strip_prefix("contact "))
        .collect();
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
    let (mut child, base_url) = listening(binary().arg("--log").stderr(Stdio::piped()));
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
    let (mut child, base_url) = listening(binary().args(["--token", "secret"]));
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

#[tokio::test]
async fn it_listens_where_listen_says_and_prints_that_address() {
    let port = free_port();
    let address = format!("127.0.0.1:{port}");
    let (mut child, base_url) = listening(binary().args(["--listen", &address]));
    assert_eq!(base_url, format!("http://{address}"));
    assert!(answers(&base_url).await);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn without_listen_it_reads_the_address_from_the_environment() {
    let address = format!("127.0.0.1:{}", free_port());
    let (mut child, base_url) = listening(binary().env(LISTEN_VARIABLE, &address));
    assert_eq!(base_url, format!("http://{address}"));
    assert!(answers(&base_url).await);
    child.kill().unwrap();
    child.wait().unwrap();

    // The flag wins over the variable.
    let flagged = format!("127.0.0.1:{}", free_port());
    let (mut child, base_url) = listening(
        binary()
            .env(LISTEN_VARIABLE, &address)
            .args(["--listen", &flagged]),
    );
    assert_eq!(base_url, format!("http://{flagged}"));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn an_address_that_is_none_is_refused_naming_the_flag() {
    for args in [
        &["--listen", "localhost"][..],
        &["--listen", "127.0.0.1:0", "--port", "8080"],
    ] {
        let output = binary().args(args).stderr(Stdio::piped()).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--listen"), "{stderr}");
    }
}

/// A container is stopped with SIGTERM (`docker stop`): the fake stops at once, successfully,
/// even when the signal comes as soon as it says where it listens.
#[cfg(unix)]
#[tokio::test]
async fn sigterm_stops_it_cleanly() {
    let (mut child, base_url) = listening(&mut binary());
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running after SIGTERM"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert!(status.success(), "{status:?}");
    assert!(!answers(&base_url).await, "nobody listens once stopped");
}

#[tokio::test]
async fn the_binary_journals_changes_for_an_app_of_its_flags() {
    let (mut child, base_url) = listening(binary().args([
        "--oauth-app",
        "app-1:secret-1",
        "--journal-subscribe",
        "contacts:CREATE:email",
        "--journal-entry-events",
        "5",
    ]));
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{base_url}/oauth/v1/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&client_id=app-1&client_secret=secret-1")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let created = http
        .post(format!("{base_url}/crm/v3/objects/contacts"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"properties": {"email": "ana@example.com"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let entry: serde_json::Value = http
        .get(format!(
            "{base_url}/webhooks-journal/journal/2026-03/earliest"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = entry["url"].as_str().unwrap();
    assert!(!url.starts_with(&base_url), "another host: {url}");
    let events: serde_json::Value = http.get(url).send().await.unwrap().json().await.unwrap();
    assert_eq!(events[0]["action"], "CREATE");
    assert_eq!(events[0]["properties"]["email"], "ana@example.com");
    child.kill().unwrap();
    child.wait().unwrap();
}
