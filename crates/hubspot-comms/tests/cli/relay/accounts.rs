//! Several HubSpot accounts behind one relay: each message goes to the account its routes name
//! (the Twilio account it came from, else the number it was sent to), into that account's own
//! stream, logged by one worker into that account alone; a message no route names is refused.

use std::time::Duration;

use hubspot_comms::relay::accounts::worker_client;
use hubspot_comms::relay::inbox::Inbox;
use hubspot_comms::relay::receive::{Receivers, TWILIO_PATH, Twilio, twilio_signature};
use hubspot_comms::relay::routing::RoutingFile;
use hubspot_comms::relay::status::status;
use hubspot_comms::relay::work::{Worker, WorkerOptions};
use hubspot_comms::relay::{AccountName, Streams};
use hubspot_communications::{Client, RateLimit};

use super::{AbortOnDrop, config, eventually, logged_once};
use crate::common::{self, TOKEN};
use hubspot_communications_tests::redis_server::RedisServer;

const ROUTES: &str = r#"
[[account]]
name = "acme"
access_token_env = "RELAY_ACCOUNTS_TEST_TOKEN"
twilio_account_sids = ["ACacme"]

[[account]]
name = "globex"
access_token_env = "RELAY_ACCOUNTS_TEST_TOKEN"
numbers = ["+442079460958"]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn each_message_goes_to_the_account_its_routes_name() {
    let (acme_hubspot, globex_hubspot) =
        (common::fake(config()).await, common::fake(config()).await);
    let redis = RedisServer::start();
    let streams = Streams::connect(&redis.url()).await.unwrap();
    let file = RoutingFile::parse(ROUTES).unwrap();
    let (acme, globex) = (
        AccountName::new("acme").unwrap(),
        AccountName::new("globex").unwrap(),
    );
    assert_eq!(file.accounts(), [acme.clone(), globex.clone()]);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}{TWILIO_PATH}", listener.local_addr().unwrap());
    let public = url.trim_end_matches(TWILIO_PATH).to_owned();
    let router = Receivers::new(Inbox::new(streams.clone()), file.routes())
        .twilio(Twilio::new(&public, "default-token").account("ACacme", "acme-token"))
        .router();
    let _served = AbortOnDrop(tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    }));

    // Each account's client as the routing file says (its variable), at its own fake.
    let client = |account: &AccountName, base_url: &str| -> Client {
        // The file's builder reads the variable; the tests' runner may lack it, so the same
        // builder is made here with the tests' token.
        let builder = Client::builder(TOKEN)
            .base_url(base_url)
            .rate_limit(RateLimit::new(10_000, Duration::from_secs(1)));
        worker_client(&streams, account, builder).unwrap()
    };
    let worker = Worker::new(streams.clone(), WorkerOptions::default())
        .account(acme.clone(), client(&acme, acme_hubspot.base_url()))
        .account(globex.clone(), client(&globex, globex_hubspot.base_url()));
    let counts = worker.counts();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let working = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));

    let http = reqwest::Client::new();
    let deliver = |sid: &str, account_sid: &str, to: &str, token: &str| {
        let params: Vec<(String, String)> = [
            ("MessageSid", sid),
            ("AccountSid", account_sid),
            ("From", "+14155550123"),
            ("To", to),
            ("Body", "routed"),
        ]
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .into();
        let signature = twilio_signature(token, &url, &params);
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&params)
            .finish();
        let request = http
            .post(&url)
            .header("X-Twilio-Signature", signature)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    // Acme's Twilio account signs with its own token; the other with the default one.
    assert_eq!(
        deliver("SM1", "ACacme", "+14155550100", "acme-token").await,
        200
    );
    assert_eq!(
        deliver("SM1b", "ACacme", "+14155550100", "default-token").await,
        403
    );
    assert_eq!(
        deliver("SM2", "ACother", "+44 20 7946 0958", "default-token").await,
        200
    );
    assert_eq!(
        deliver("SM3", "ACother", "+14155550199", "default-token").await,
        404
    );

    eventually("both are logged", Duration::from_secs(20), || async {
        counts.logged() == 2
    })
    .await;
    let figures = status(&streams, [&acme, &globex]).await.unwrap();
    assert!(
        figures
            .iter()
            .all(|f| f.backlog + f.pending + f.dead_letters == 0),
        "{figures:?}"
    );
    let _ = stop.send(());
    working.await.unwrap().unwrap();
    assert_eq!(
        logged_once(&acme_hubspot).keys().collect::<Vec<_>>(),
        ["SM1"]
    );
    assert_eq!(
        logged_once(&globex_hubspot).keys().collect::<Vec<_>>(),
        ["SM2"]
    );
}
