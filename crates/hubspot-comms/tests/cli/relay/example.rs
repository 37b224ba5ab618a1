//! The Twilio webhook example (`examples/webhook`), a thin use of the relay's pieces, served on
//! loopback against the fake: a signed message is logged once on the sender's contact, whose
//! number it finds in another form; a forged one is refused and stores nothing.

#[allow(dead_code)]
#[path = "../../../examples/webhook/app.rs"]
mod app;

use std::time::Duration;

use hubspot_comms::relay::receive::twilio_signature;
use hubspot_comms::relay::work::WorkerOptions;
use hubspot_communications::{Client, RateLimit};

use super::{AbortOnDrop, config, eventually, logged_once, twilio_params};
use crate::common::{self, TOKEN};
use hubspot_communications_tests::redis_server::RedisServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn the_webhook_example_logs_a_signed_message_once_on_the_senders_contact() {
    let fake = common::fake(config()).await;
    let linda = common::contact(&fake, &[("phone", "(415) 555-0123")]);
    let redis = RedisServer::start();
    let streams = hubspot_comms::relay::Streams::connect(&redis.url())
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let public_url = format!("http://{}", listener.local_addr().unwrap());
    let router = app::router(&streams, &public_url, "twilio-token");
    let _served = AbortOnDrop(tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    }));
    let hubspot = Client::builder(TOKEN)
        .base_url(fake.base_url())
        .rate_limit(RateLimit::new(10_000, Duration::from_secs(1)));
    let mut options = WorkerOptions::default();
    options.linger = Duration::from_millis(10);
    let worker = app::worker(&streams, hubspot, options).unwrap();
    let counts = worker.counts();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let working = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));

    let url = format!("{public_url}{}", app::PATH);
    let params = twilio_params("SM1", "whatsapp:+14155550123", "Is the contract ready?");
    let post = |signature: String| {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&params)
            .finish();
        let url = url.clone();
        async move {
            reqwest::Client::new()
                .post(url)
                .header("X-Twilio-Signature", signature)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(post(twilio_signature("guess", &url, &params)).await, 403);
    for _ in 0..2 {
        assert_eq!(
            post(twilio_signature("twilio-token", &url, &params)).await,
            200
        );
    }
    eventually("the message is logged", Duration::from_secs(20), || async {
        counts.logged() >= 1
    })
    .await;
    let _ = stop.send(());
    working.await.unwrap().unwrap();
    let logged = logged_once(&fake);
    assert_eq!(logged.len(), 1);
    assert_eq!(logged["SM1"].contacts, [linda]);
    assert_eq!(
        logged["SM1"].properties["hs_communication_channel_type"],
        "WHATS_APP"
    );
}
