//! HubSpot's search lags its store: a write shows in search results after
//! `Config::search_lag` (5 s by default), while reads by id see it at once.

use crate::common;

use std::time::{Duration, Instant};

use common::{binary, listening, send};
use hubspot_communications_mock::{Config, DEFAULT_SEARCH_LAG, MockServer, RateLimit};
use reqwest::Method;
use serde_json::{Value, json};

const CONTACTS: &str = "/crm/v3/objects/contacts";
/// Long enough that a loaded machine still searches within it.
const LAG: Duration = Duration::from_secs(1);

/// The ids a search for contacts whose `email` is `email` finds.
async fn search_email(server: &MockServer, email: &str) -> Vec<String> {
    let search = json!({"filterGroups": [{"filters": [
        {"propertyName": "email", "operator": "EQ", "value": email}]}]});
    let (status, found) = send(
        server,
        Method::POST,
        &format!("{CONTACTS}/search"),
        Some(search),
    )
    .await;
    assert_eq!(status, 200, "{found}");
    let results = found["results"].as_array().unwrap();
    assert_eq!(found["total"], results.len(), "{found}");
    results
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A fake lagging `LAG`, with room for a test's searches (HubSpot allows 5 a second).
fn lagging() -> Config {
    Config::default()
        .search_lag(LAG)
        .search_rate_limit(RateLimit::new(100, Duration::from_secs(1)))
}

/// Waits until `lag` has passed since `written_by`, a time the write had been made by.
async fn until_past(written_by: Instant, lag: Duration) {
    tokio::time::sleep((written_by + lag).saturating_duration_since(Instant::now())).await;
}

#[tokio::test]
async fn a_created_contact_is_read_at_once_and_found_by_search_after_the_lag() {
    let server = MockServer::start_with(lagging()).await.unwrap();
    let created_at = Instant::now();
    let (status, created) = send(
        &server,
        Method::POST,
        CONTACTS,
        Some(json!({"properties": {"email": "linda@example.com"}})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let answered_at = Instant::now();
    let id = created["id"].as_str().unwrap().to_owned();

    // A read by id sees it at once; search does not yet.
    let (status, read) = send(&server, Method::GET, &format!("{CONTACTS}/{id}"), None).await;
    assert_eq!((status, read["id"].as_str()), (200, Some(id.as_str())));
    assert!(search_email(&server, "linda@example.com").await.is_empty());
    assert!(
        created_at.elapsed() < LAG,
        "the search ran within the lag (a slow machine makes this test meaningless)"
    );

    until_past(answered_at, LAG).await;
    assert_eq!(search_email(&server, "linda@example.com").await, [id]);
}

#[tokio::test]
async fn an_update_and_an_archive_show_in_search_after_the_lag_too() {
    let server = MockServer::start_with(lagging()).await.unwrap();
    // Seeded: what the account held before the test, found at once.
    let id = server.seed_contact("old@example.com");
    assert_eq!(
        search_email(&server, "old@example.com").await,
        std::slice::from_ref(&id)
    );

    let updating = Instant::now();
    let change = json!({"properties": {"email": "new@example.com"}});
    let (status, _) = send(
        &server,
        Method::PATCH,
        &format!("{CONTACTS}/{id}"),
        Some(change),
    )
    .await;
    assert_eq!(status, 200);
    let updated_by = Instant::now();
    // Search still finds the contact by what it held; a read by id shows what it holds.
    assert_eq!(
        search_email(&server, "old@example.com").await,
        std::slice::from_ref(&id)
    );
    assert!(search_email(&server, "new@example.com").await.is_empty());
    let (_, read) = send(
        &server,
        Method::GET,
        &format!("{CONTACTS}/{id}?properties=email"),
        None,
    )
    .await;
    assert_eq!(read["properties"]["email"], "new@example.com");
    assert!(updating.elapsed() < LAG, "searched within the lag");
    until_past(updated_by, LAG).await;
    assert!(search_email(&server, "old@example.com").await.is_empty());
    assert_eq!(
        search_email(&server, "new@example.com").await,
        std::slice::from_ref(&id)
    );

    let archiving = Instant::now();
    let (status, _) = send(&server, Method::DELETE, &format!("{CONTACTS}/{id}"), None).await;
    assert_eq!(status, 204);
    let archived_by = Instant::now();
    assert_eq!(
        search_email(&server, "new@example.com").await,
        std::slice::from_ref(&id),
        "still indexed"
    );
    assert!(archiving.elapsed() < LAG, "searched within the lag");
    until_past(archived_by, LAG).await;
    assert!(search_email(&server, "new@example.com").await.is_empty());
}

#[tokio::test]
async fn search_lags_by_default_and_zero_says_instant() {
    assert_eq!(DEFAULT_SEARCH_LAG, Duration::from_secs(5));
    for (config, found_at_once) in [
        (Config::default(), false),
        (Config::default().search_lag(Duration::ZERO), true),
    ] {
        let server = MockServer::start_with(config).await.unwrap();
        let (status, _) = send(
            &server,
            Method::POST,
            CONTACTS,
            Some(json!({"properties": {"email": "carla@example.com"}})),
        )
        .await;
        assert_eq!(status, 201);
        let found = search_email(&server, "carla@example.com").await;
        assert_eq!(found.len() == 1, found_at_once, "{found:?}");
    }
}

/// The binary lags as the library does, and `--search-lag-ms` sets it.
#[tokio::test]
async fn the_binary_takes_its_search_lag_from_a_flag() {
    for (args, found_at_once) in [(&[][..], false), (&["--search-lag-ms", "0"][..], true)] {
        let (mut child, base_url) = listening(binary().args(args));
        let http = reqwest::Client::new();
        let created = http
            .post(format!("{base_url}{CONTACTS}"))
            .bearer_auth("t")
            .json(&json!({"properties": {"email": "linda@example.com"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        let found: Value = http
            .post(format!("{base_url}{CONTACTS}/search"))
            .bearer_auth("t")
            .json(&json!({"filterGroups": [{"filters": [
                {"propertyName": "email", "operator": "EQ", "value": "linda@example.com"}]}]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(found["total"] == 1, found_at_once, "{args:?}: {found}");
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
