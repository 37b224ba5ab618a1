//! OAuth clients against the fake's token endpoint: refreshing before expiry and on HubSpot's
//! 401, one refresh for many waiting calls, the callback, refusals, secrets kept out of sight,
//! every version's token path, and several accounts in one process.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use hubspot_communications::{
    ApiVersion, Channel, Client, ClientBuilder, Error, NewMessage, OAuthCredentials, OAuthTokens,
    Operation, RateLimit,
};
use hubspot_communications_mock::{Account, Config, MockServer, RateLimit as FakeRateLimit};
use hubspot_communications_tests::contract::CheckedServer;
use hubspot_communications_tests::{fast_retries, start};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const APP: &str = "app-7c1d";
const SECRET: &str = "cs-5a4b3c-client-secret";

/// The refresh token the installation of account `hub` gave.
fn installed(hub: u64) -> String {
    format!("rt-9f8e7d-install-{hub}")
}

/// A fake knowing the app and accounts 1 and 2 (with room for every test's calls), traffic
/// checked against the spec.
async fn fake(config: Config) -> CheckedServer {
    let account = |hub| {
        Account::new(hub, APP, installed(hub))
            .rate_limit(FakeRateLimit::new(10_000, Duration::from_secs(1)))
    };
    start(
        config
            .oauth_app(APP, SECRET)
            .account(account(1))
            .account(account(2)),
    )
    .await
    .0
}

fn credentials(hub: u64) -> OAuthCredentials {
    OAuthCredentials::new(APP, SECRET, installed(hub))
}

/// An OAuth client of `server` with fast retries and a generous rate limit.
fn oauth(server: &MockServer, credentials: OAuthCredentials) -> ClientBuilder {
    Client::oauth(credentials)
        .base_url(server.base_url())
        .retry(fast_retries())
        .rate_limit(RateLimit::new(10_000, Duration::from_secs(1)))
        .timeout(Duration::from_secs(5))
}

/// A callback that keeps what it is given.
#[derive(Clone, Default)]
struct Kept(Arc<Mutex<Vec<OAuthTokens>>>);

impl Kept {
    fn callback(&self) -> impl Fn(&OAuthTokens) + Send + Sync + 'static {
        let kept = self.0.clone();
        move |tokens: &OAuthTokens| kept.lock().unwrap().push(tokens.clone())
    }

    fn all(&self) -> Vec<OAuthTokens> {
        self.0.lock().unwrap().clone()
    }
}

fn sms() -> NewMessage {
    NewMessage::new(Channel::Sms, "Texted Linda.")
}

#[tokio::test]
async fn a_token_is_refreshed_before_it_expires() {
    let server = fake(Config::default()).await;
    let kept = Kept::default();
    // Two minutes left, inside the 5-minute margin: refreshed before the first call. (The
    // fake never issued it; sent, it would be refused.)
    let due = credentials(1).access_token("at-stale", SystemTime::now() + Duration::from_secs(120));
    let client = oauth(&server, due)
        .on_refresh(kept.callback())
        .build()
        .unwrap();
    client.create(&sms()).await.unwrap();
    assert_eq!(server.stats().refreshes, 1);
    assert_eq!(server.stats().accounts[&1].expired, 0);

    // A token with its 30 minutes ahead is used as it is.
    let issued = kept.all().pop().unwrap();
    let current = OAuthCredentials::new(APP, SECRET, issued.refresh_token.expose())
        .access_token(issued.access_token.expose(), issued.expires_at);
    let second = oauth(&server, current).build().unwrap();
    second.create(&sms()).await.unwrap();
    assert_eq!(server.stats().refreshes, 1);
}

#[tokio::test]
async fn a_short_lived_token_is_refreshed_half_way_through_its_life() {
    // One second of life: the 5-minute margin shrinks to half of it.
    let server = fake(Config::default().access_token_lifetime(Duration::from_secs(1))).await;
    let client = oauth(&server, credentials(1)).build().unwrap();
    client.create(&sms()).await.unwrap();
    client.create(&sms()).await.unwrap();
    assert_eq!(server.stats().refreshes, 1);
    tokio::time::sleep(Duration::from_millis(600)).await;
    client.create(&sms()).await.unwrap();
    let stats = server.stats();
    assert_eq!((stats.refreshes, stats.accounts[&1].expired), (2, 0));
}

#[tokio::test]
async fn an_early_expiry_is_refreshed_once_and_the_call_sent_again() {
    let server = fake(Config::default()).await;
    let client = oauth(&server, credentials(1)).build().unwrap();
    client.create(&sms()).await.unwrap();
    // HubSpot expires the token before the client thought it would.
    server.expire_access_tokens();
    client.create(&sms()).await.unwrap();
    let stats = server.stats();
    assert_eq!((stats.refreshes, stats.accounts[&1].expired), (2, 1));
    assert_eq!(server.message_count(), 2);
}

#[tokio::test]
async fn a_second_401_is_the_callers_error() {
    let server = wiremock::MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/2026-09/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "token_type": "bearer", "access_token": "at-1", "refresh_token": "rt-2", "expires_in": 1800
        })))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "status": "error", "message": "The OAuth token used to make this call expired 1 minute(s) ago.",
            "category": "EXPIRED_AUTHENTICATION", "correlationId": "c-401"
        })))
        .expect(2)
        .mount(&server)
        .await;
    let client = Client::oauth(credentials(1))
        .base_url(server.uri())
        .retry(fast_retries())
        .build()
        .unwrap();
    let error = client.get("42").await.unwrap_err();
    assert!(
        matches!(&error, Error::Api(api) if api.status == 401),
        "{error:?}"
    );
    assert_eq!(
        error.api().unwrap().category.as_ref().map(|c| c.as_str()),
        Some("EXPIRED_AUTHENTICATION")
    );
    assert_eq!(error.operation(), Some(Operation::GetCommunication));
    // Both counts are checked when the server drops: one refresh to start, one on the 401.
}

#[tokio::test]
async fn fifty_calls_on_clones_with_an_expired_token_cause_one_refresh() {
    let server = fake(Config::default()).await;
    // The client knows its token expired an hour ago.
    let expired =
        credentials(1).access_token("at-old", SystemTime::now() - Duration::from_secs(3600));
    let client = oauth(&server, expired).build().unwrap();
    let calls = (0..50).map(|_| {
        let client = client.clone();
        async move { client.create(&sms()).await }
    });
    for outcome in futures::future::join_all(calls).await {
        outcome.unwrap();
    }
    assert_eq!(server.stats().refreshes, 1);

    // HubSpot expires it behind the client's back: 50 calls meet the 401, one refreshes.
    server.expire_access_tokens();
    let calls = (0..50).map(|_| {
        let client = client.clone();
        async move { client.create(&sms()).await }
    });
    for outcome in futures::future::join_all(calls).await {
        outcome.unwrap();
    }
    let stats = server.stats();
    assert_eq!(stats.refreshes, 2);
    assert!(stats.accounts[&1].expired >= 1, "{stats:?}");
    assert_eq!(server.message_count(), 100);
}

#[tokio::test]
async fn the_callback_receives_each_new_refresh_token_and_the_newest_is_used() {
    // A refresh token that works once: the client must move on to each new one.
    let server = fake(Config::default().rotate_refresh_tokens(true)).await;
    let kept = Kept::default();
    let client = oauth(&server, credentials(2))
        .on_refresh(kept.callback())
        .build()
        .unwrap();
    for _ in 0..3 {
        client.create(&sms()).await.unwrap();
        server.expire_access_tokens();
    }
    let tokens = kept.all();
    assert_eq!(tokens.len(), 3);
    assert_eq!(server.stats().refreshes, 3);
    for (i, token) in tokens.iter().enumerate() {
        assert_eq!(token.account_id, Some(2), "from HubSpot's hub_id");
        assert_ne!(token.refresh_token.expose(), installed(2));
        let life = token.expires_at.duration_since(SystemTime::now()).unwrap();
        assert!(life > Duration::from_secs(1700), "{life:?}");
        for other in &tokens[i + 1..] {
            assert_ne!(token.refresh_token, other.refresh_token);
            assert_ne!(token.access_token, other.access_token);
        }
    }
    assert_eq!(client.account_id(), Some(2));
}

#[tokio::test]
async fn a_refused_refresh_token_is_a_typed_error_and_never_a_loop() {
    let server = fake(Config::default()).await;
    let revoked = OAuthCredentials::new(APP, SECRET, "rt-revoked");
    let client = oauth(&server, revoked).build().unwrap();
    let error = client.create(&sms()).await.unwrap_err();
    let Error::RefreshRefused(api) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(
        (api.status, api.category.as_ref().map(|c| c.as_str())),
        (400, Some("BAD_REFRESH_TOKEN"))
    );
    assert_eq!(error.operation(), Some(Operation::RefreshAccessToken));
    assert!(!error.is_retryable() && !error.is_fate_unknown());
    assert!(error.to_string().contains("BAD_REFRESH_TOKEN"), "{error}");
    assert_eq!(server.stats().requests, 1);
    // Remembered: the next call fails the same way without asking again.
    let again = client.create(&sms()).await.unwrap_err();
    assert!(matches!(again, Error::RefreshRefused(_)), "{again:?}");
    assert_eq!(server.stats().requests, 1);
    assert_eq!(server.message_count(), 0);

    // Wrong app credentials are refused the same way.
    let wrong = OAuthCredentials::new(APP, "not-the-secret", installed(1));
    let error = oauth(&server, wrong)
        .build()
        .unwrap()
        .create(&sms())
        .await
        .unwrap_err();
    assert_eq!(
        error
            .api()
            .and_then(|api| api.category.as_ref().map(|c| c.as_str())),
        Some("BAD_CLIENT_SECRET")
    );
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Every event and closed span, at every level, written here while `guard` lives.
    fn install(&self) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .with_ansi(false)
            .finish();
        hubspot_communications_tests::trace_into(subscriber)
    }

    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[tokio::test]
async fn no_secret_shows_in_debug_errors_or_traces() {
    let captured = Captured::default();
    let _guard = captured.install();
    let server = fake(Config::default()).await;
    let kept = Kept::default();
    let given = credentials(1).access_token("at-given-4e5f", SystemTime::now());
    let builder = oauth(&server, given.clone()).on_refresh(kept.callback());
    let mut shown = vec![format!("{given:?}"), format!("{builder:?}")];
    let client = builder.build().unwrap();
    client.create(&sms()).await.unwrap();
    server.expire_access_tokens();
    client.create(&sms()).await.unwrap();
    shown.push(format!("{client:?}"));
    shown.extend(kept.all().iter().map(|tokens| format!("{tokens:?}")));
    let refused = oauth(
        &server,
        OAuthCredentials::new(APP, SECRET, "rt-unknown-1a2b"),
    )
    .build()
    .unwrap()
    .create(&sms())
    .await
    .unwrap_err();
    shown.push(format!("{refused} {refused:?}"));
    shown.push(captured.text());

    let mut secrets = vec![
        SECRET.to_owned(),
        installed(1),
        "at-given-4e5f".to_owned(),
        "rt-unknown-1a2b".to_owned(),
    ];
    for tokens in kept.all() {
        secrets.push(tokens.access_token.expose().to_owned());
        secrets.push(tokens.refresh_token.expose().to_owned());
    }
    assert_eq!(secrets.len(), 8);
    for text in &shown {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{secret} shows in:\n{text}"
            );
        }
    }
    // The traces did record the refresh.
    assert!(shown.last().unwrap().contains("refresh_access_token"));
}

#[tokio::test]
async fn every_version_refreshes_on_its_own_token_path() {
    let cases = [
        (ApiVersion::V3, "/oauth/v1/token"),
        (ApiVersion::V2026_03, "/oauth/2026-03/token"),
        (ApiVersion::V2026_09, "/oauth/2026-09/token"),
    ];
    assert_eq!(cases.map(|(v, _)| v), ApiVersion::ALL);
    for (version, token_path) in cases {
        let server = wiremock::MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(token_path))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "token_type": "bearer", "access_token": "at-1", "refresh_token": "rt-2", "expires_in": 1800
            })))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(hubspot_communications_tests::scripted::message("42")),
            )
            .expect(1)
            .mount(&server)
            .await;
        let client = Client::oauth(credentials(1))
            .api_version(version)
            .base_url(server.uri())
            .build()
            .unwrap();
        client.get("42").await.unwrap();
        let requests = server.received_requests().await.unwrap();
        assert_eq!(requests[1].headers["authorization"], "Bearer at-1");
    }
    // And against the fake, every exchange checked against the spec (the form body too).
    for version in ApiVersion::ALL {
        let server = fake(Config::default()).await;
        let client = oauth(&server, credentials(1))
            .api_version(version)
            .build()
            .unwrap();
        client.create(&sms()).await.unwrap();
        assert_eq!(server.stats().refreshes, 1, "{version:?}");
    }
}

#[tokio::test]
async fn two_accounts_in_one_process_have_separate_limits_and_their_ids_on_spans() {
    let captured = Captured::default();
    let _guard = captured.install();
    // Each account two requests a minute on the fake; the clients learn it from HubSpot's
    // headers and do not wait that long: an account's third call is refused.
    let account = |hub| {
        Account::new(hub, APP, installed(hub))
            .rate_limit(FakeRateLimit::new(2, Duration::from_secs(60)))
    };
    let config = Config::default()
        .oauth_app(APP, SECRET)
        .account(account(1))
        .account(account(2));
    let server = start(config).await.0;
    let first = Client::oauth(credentials(1).account_id(1))
        .base_url(server.base_url())
        .retry(fast_retries().max_retry_after(Duration::from_millis(50)))
        .build()
        .unwrap();
    let second = first.for_account(credentials(2)).unwrap();
    // A public app's limit until HubSpot says otherwise.
    for client in [&first, &second] {
        assert!(format!("{client:?}").contains("max: 110"), "{client:?}");
    }
    assert_eq!((first.account_id(), second.account_id()), (Some(1), None));
    for _ in 0..2 {
        first.create(&sms()).await.unwrap();
    }
    let third = first.create(&sms()).await.unwrap_err();
    assert!(
        matches!(third, Error::Throttled { .. }) || third.is_rate_limited(),
        "{third:?}"
    );
    // The other account's limiter is its own.
    for _ in 0..2 {
        second.create(&sms()).await.unwrap();
    }
    assert_eq!(second.account_id(), Some(2), "learnt from the token answer");
    let stats = server.stats();
    assert_eq!(
        stats.accounts[&1].requests - stats.accounts[&1].rate_limited,
        2
    );
    assert_eq!(stats.accounts[&2].requests, 2);
    assert_eq!(server.message_count(), 4);
    assert_eq!(stats.refreshes, 2);

    let text = captured.text();
    let spans: Vec<&str> = text
        .lines()
        .filter(|line| {
            line.contains("operation=\"create_communication\"") && line.contains("close")
        })
        // Not the refresh spans inside them.
        .filter(|line| !line.contains("refresh_access_token"))
        .collect();
    assert_eq!(spans.len(), 5, "{text}");
    let with = |id: &str| {
        spans
            .iter()
            .filter(|s| s.contains(&format!("account_id={id}")))
            .count()
    };
    assert_eq!((with("1"), with("2")), (3, 2), "{text}");
}
