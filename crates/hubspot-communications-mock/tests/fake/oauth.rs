//! The OAuth token endpoint, expiring access tokens, and accounts with separate limits.

use std::time::Duration;

use hubspot_communications_mock::{Account, Config, MockServer, RateLimit};
use serde_json::Value;

const APP: &str = "app-client-id";
const SECRET: &str = "app-client-secret";

fn config() -> Config {
    Config::default()
        .oauth_app(APP, SECRET)
        .oauth_app("other-app", "other-secret")
        .account(Account::new(101, APP, "refresh-101"))
        .account(Account::new(202, APP, "refresh-202"))
        .token("pat-private")
}

/// A refresh grant at `path`; the answer's status and body.
async fn exchange(server: &MockServer, path: &str, fields: &[(&str, &str)]) -> (u16, Value) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let response = reqwest::Client::new()
        .post(format!("{}{path}", server.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn grant<'a>(client_id: &'a str, secret: &'a str, refresh: &'a str) -> [(&'a str, &'a str); 4] {
    [
        ("grant_type", "refresh_token"),
        ("client_id", client_id),
        ("client_secret", secret),
        ("refresh_token", refresh),
    ]
}

/// A read of messages with `token`: the status and the error's category.
async fn read(server: &MockServer, token: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!(
            "{}/crm/v3/objects/communications",
            server.base_url()
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    (status, body["category"].clone())
}

#[tokio::test]
async fn every_version_exchanges_a_refresh_token_for_a_working_access_token() {
    let server = MockServer::start_with(config()).await.unwrap();
    for version in ["v1", "v3", "2026-03", "2026-09"] {
        let path = format!("/oauth/{version}/token");
        let (status, answer) = exchange(&server, &path, &grant(APP, SECRET, "refresh-101")).await;
        assert_eq!(status, 200, "{version}: {answer}");
        assert_eq!(answer["expires_in"], 1800);
        assert_eq!(answer["hub_id"], 101);
        assert_eq!(answer["token_type"], "bearer");
        // HubSpot's v1 answer has no `token_use`.
        assert_eq!(
            answer.get("token_use").is_none(),
            version == "v1",
            "{answer}"
        );
        let new_refresh = answer["refresh_token"].as_str().unwrap();
        assert_ne!(new_refresh, "refresh-101");
        let access = answer["access_token"].as_str().unwrap();
        assert_eq!(read(&server, access).await.0, 200, "{version}");
    }
    assert_eq!(server.stats().refreshes, 4);
    assert_eq!(server.stats().accounts[&101].refreshes, 4);
    assert_eq!(server.stats().accounts[&202].refreshes, 0);
}

#[tokio::test]
async fn refusals_name_what_is_wrong_in_hubspots_shape() {
    let server = MockServer::start_with(config()).await.unwrap();
    let cases: [(&[(&str, &str)], &str); 6] = [
        (&grant(APP, SECRET, "no-such-token"), "BAD_REFRESH_TOKEN"),
        // A refresh token of another app's installation.
        (
            &grant("other-app", "other-secret", "refresh-101"),
            "BAD_REFRESH_TOKEN",
        ),
        (&grant(APP, "wrong", "refresh-101"), "BAD_CLIENT_SECRET"),
        (
            &grant("no-such-app", SECRET, "refresh-101"),
            "BAD_CLIENT_ID",
        ),
        (
            &[
                ("grant_type", "password"),
                ("client_id", APP),
                ("client_secret", SECRET),
            ],
            "BAD_GRANT_TYPE",
        ),
        // The client-credentials grant (an app's own token) checks the app's secret too.
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", APP),
                ("client_secret", "wrong"),
            ],
            "BAD_CLIENT_SECRET",
        ),
    ];
    for (fields, code) in cases {
        let (status, answer) = exchange(&server, "/oauth/v1/token", fields).await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["status"], code, "{answer}");
        assert!(answer["message"].is_string() && answer["correlationId"].is_string());
    }
    assert_eq!(server.stats().refreshes, 0);
}

#[tokio::test]
async fn an_expired_token_is_told_from_an_unknown_one() {
    let server = MockServer::start_with(config()).await.unwrap();
    let (_, answer) = exchange(
        &server,
        "/oauth/v1/token",
        &grant(APP, SECRET, "refresh-202"),
    )
    .await;
    let access = answer["access_token"].as_str().unwrap().to_owned();
    assert_eq!(read(&server, &access).await.0, 200);
    server.expire_access_tokens();
    assert_eq!(
        read(&server, &access).await,
        (401, "EXPIRED_AUTHENTICATION".into())
    );
    assert_eq!(
        read(&server, "not-a-token").await,
        (401, "INVALID_AUTHENTICATION".into())
    );
    // A listed private-app token still works beside the OAuth accounts.
    assert_eq!(read(&server, "pat-private").await.0, 200);
    assert_eq!(server.stats().accounts[&202].expired, 1);
    // Tokens issued after the expiry live their full life.
    let (_, answer) = exchange(
        &server,
        "/oauth/v1/token",
        &grant(APP, SECRET, "refresh-202"),
    )
    .await;
    assert_eq!(
        read(&server, answer["access_token"].as_str().unwrap())
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn tokens_expire_after_their_lifetime() {
    let server = MockServer::start_with(config().access_token_lifetime(Duration::from_millis(200)))
        .await
        .unwrap();
    let (_, answer) = exchange(
        &server,
        "/oauth/2026-09/token",
        &grant(APP, SECRET, "refresh-101"),
    )
    .await;
    assert_eq!(
        answer["expires_in"], 0,
        "whole seconds, as HubSpot states them"
    );
    let access = answer["access_token"].as_str().unwrap().to_owned();
    assert_eq!(read(&server, &access).await.0, 200);
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(read(&server, &access).await.1, "EXPIRED_AUTHENTICATION");
}

#[tokio::test]
async fn each_account_has_its_own_limits() {
    let config = Config::default()
        .oauth_app(APP, SECRET)
        .account(Account::new(1, APP, "r1").rate_limit(RateLimit::new(2, Duration::from_secs(60))))
        .account(Account::new(2, APP, "r2").rate_limit(RateLimit::new(3, Duration::from_secs(60))))
        // The private-app limit is apart from both.
        .rate_limit(RateLimit::new(1, Duration::from_secs(60)))
        .token("pat-private");
    let server = MockServer::start_with(config).await.unwrap();
    let token = |refresh: &'static str| {
        let server = &server;
        async move {
            let (_, answer) =
                exchange(server, "/oauth/v1/token", &grant(APP, SECRET, refresh)).await;
            answer["access_token"].as_str().unwrap().to_owned()
        }
    };
    let (one, two) = (token("r1").await, token("r2").await);
    let mut statuses = Vec::new();
    for access in [&one, &one, &one, &two, &two, &two, &two] {
        statuses.push(read(&server, access).await.0);
    }
    assert_eq!(statuses, [200, 200, 429, 200, 200, 200, 429]);
    assert_eq!(read(&server, "pat-private").await.0, 200);
    let stats = server.stats();
    assert_eq!(
        (stats.accounts[&1].requests, stats.accounts[&1].rate_limited),
        (3, 1)
    );
    assert_eq!(
        (stats.accounts[&2].requests, stats.accounts[&2].rate_limited),
        (4, 1)
    );
    // Token exchanges count against no account's limit.
    assert_eq!(stats.rate_limited, 2);
}

#[tokio::test]
async fn rotated_refresh_tokens_work_once() {
    for rotate in [false, true] {
        let server = MockServer::start_with(config().rotate_refresh_tokens(rotate))
            .await
            .unwrap();
        let first = exchange(
            &server,
            "/oauth/v1/token",
            &grant(APP, SECRET, "refresh-101"),
        )
        .await;
        assert_eq!(first.0, 200);
        let again = exchange(
            &server,
            "/oauth/v1/token",
            &grant(APP, SECRET, "refresh-101"),
        )
        .await;
        assert_eq!(again.0 == 400, rotate, "{again:?}");
        let newest = first.1["refresh_token"].as_str().unwrap();
        let next = exchange(&server, "/oauth/v1/token", &grant(APP, SECRET, newest)).await;
        assert_eq!(next.0, 200);
    }
}
