//! The receivers: a delivery is answered 2xx once stored, a repeated one is stored once and
//! logged once, and what is forged, malformed or too large is refused with nothing stored.

use std::time::Duration;

use hubspot_comms::relay::receive::{MAX_TWILIO_BODY_BYTES, twilio_signature};
use hubspot_communications_mock::ObjectType;

use super::{AUTH_TOKEN, Relay, config, eventually, logged_once, twilio_params};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn a_repeated_delivery_is_stored_once_and_logged_once() {
    let relay = Relay::start(config(), false).await;
    let sid = "SM0123456789abcdef0123456789abcdef";
    let from = "whatsapp:+14155550123";
    // Twilio's retries, one after another and at once.
    for _ in 0..3 {
        assert_eq!(relay.twilio(sid, from, "Is the contract ready?").await, 200);
    }
    let at_once: Vec<u16> = futures::future::join_all(
        (0..5).map(|_| relay.twilio(sid, from, "Is the contract ready?")),
    )
    .await;
    assert_eq!(at_once, [200; 5]);
    let (status, twiml) = relay
        .post_twilio(
            &twilio_params(sid, from, "Is the contract ready?"),
            Some(&twilio_signature(
                AUTH_TOKEN,
                &format!("{}/twilio/messages", relay.url),
                &twilio_params(sid, from, "Is the contract ready?"),
            )),
        )
        .await;
    assert_eq!((status, twiml.contains("<Response/>")), (200, true));
    assert_eq!(relay.inbox_len().await, 1, "eight deliveries, one entry");

    let worker = relay.worker(None);
    eventually("the message is logged", Duration::from_secs(20), || async {
        relay.fake.message_count() == 1 && relay.inbox_len().await == 0
    })
    .await;
    // Delivered again after it was logged: recognised, nothing stored.
    assert_eq!(relay.twilio(sid, from, "Is the contract ready?").await, 200);
    assert_eq!(relay.inbox_len().await, 0);
    worker.stop().await;

    let logged = logged_once(&relay.fake);
    let message = &logged[sid];
    assert_eq!(
        message.properties["hs_communication_channel_type"],
        "WHATS_APP"
    );
    assert_eq!(
        message.properties["hs_communication_body"],
        "Is the contract ready?"
    );
    assert_eq!(message.contacts.len(), 1);
    let contact = relay
        .fake
        .record(ObjectType::Contact, &message.contacts[0])
        .unwrap();
    assert_eq!(
        contact["phone"], "+14155550123",
        "a contact made for a new number"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn forged_malformed_and_oversized_requests_store_nothing() {
    let relay = Relay::start(config(), false).await;
    let url = format!("{}/twilio/messages", relay.url);
    let params = twilio_params("SM1", "+14155550123", "hello");
    let forged = twilio_signature("not-the-token", &url, &params);
    assert_eq!(relay.post_twilio(&params, Some(&forged)).await.0, 403);
    assert_eq!(relay.post_twilio(&params, None).await.0, 403);
    assert_eq!(relay.post_twilio(&params, Some("")).await.0, 403);
    // Signed for another URL (a request replayed elsewhere).
    let elsewhere = twilio_signature(
        AUTH_TOKEN,
        "https://other.example.com/twilio/messages",
        &params,
    );
    assert_eq!(relay.post_twilio(&params, Some(&elsewhere)).await.0, 403);

    // Signed, but not a message.
    let signed = |params: &[(String, String)]| twilio_signature(AUTH_TOKEN, &url, params);
    let no_sid: Vec<(String, String)> = params
        .iter()
        .filter(|(n, _)| n != "MessageSid")
        .cloned()
        .collect();
    let (status, why) = relay.post_twilio(&no_sid, Some(&signed(&no_sid))).await;
    assert_eq!((status, why.contains("MessageSid")), (400, true), "{why}");
    let bad_sid = twilio_params("SM1/../x", "+14155550123", "hello");
    assert_eq!(
        relay.post_twilio(&bad_sid, Some(&signed(&bad_sid))).await.0,
        400
    );
    let no_from: Vec<(String, String)> = params
        .iter()
        .filter(|(n, _)| n != "From")
        .cloned()
        .collect();
    assert_eq!(
        relay.post_twilio(&no_from, Some(&signed(&no_from))).await.0,
        400
    );
    let huge = twilio_params("SM2", "+14155550123", &"x".repeat(MAX_TWILIO_BODY_BYTES));
    assert_eq!(relay.post_twilio(&huge, Some(&signed(&huge))).await.0, 413);
    // Not a form at all, signed as one with no parameters.
    let junk = [(String::from("\u{0}"), String::from("\u{fffd}"))];
    assert_eq!(relay.post_twilio(&junk, Some(&signed(&junk))).await.0, 400);

    // The JSON endpoint.
    let row = r#"{"id": "m1", "phone": "+14155550123", "body": "hi", "timestamp": "2026-11-02T10:00:00Z"}"#;
    assert_eq!(relay.post_json(row, Some("sha256=00")).await.0, 403);
    assert_eq!(relay.post_json(row, Some("nonsense")).await.0, 403);
    let bad_rows = format!(
        "{row}\n{}\nnot json\n{}",
        r#"{"phone": "nobody", "body": "x", "timestamp": "2026-11-02T10:00:00Z"}"#,
        r#"{"phone": "+14155550123", "body": "x"}"#
    );
    let (status, answer) = relay.post_json(&bad_rows, None).await;
    assert_eq!(status, 400, "{answer}");
    let rows = answer["rows"].as_array().unwrap();
    let lines: Vec<u64> = rows.iter().map(|r| r["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [2, 3, 4], "{answer}");
    assert!(
        rows[1]["reason"].as_str().unwrap().contains("not JSON"),
        "{answer}"
    );
    assert!(
        rows[2]["reason"].as_str().unwrap().contains("no date"),
        "{answer}"
    );
    assert_eq!(relay.post_json("", None).await.0, 400);
    assert_eq!(relay.post_json("[{}, 3]", None).await.0, 400);

    assert_eq!(relay.inbox_len().await, 0, "nothing refused was stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn json_rows_are_stored_once_and_logged_once() {
    let relay = Relay::start(config(), false).await;
    let linda = super::common::contact(&relay.fake, &[("phone", "+1 415-555-0100")]);
    let rows = [
        r#"{"id": "msg-1", "phone": "+14155550100", "body": "Signed the contract.", "timestamp": "2026-11-02T10:00:00Z"}"#,
        r#"{"From": "whatsapp:+14155550100", "To": "+14155550199", "Direction": "inbound", "Body": "Thanks!", "SentDate": "2026-11-02 10:01:00"}"#,
        r#"{"Sid": "SM77", "From": "+14155550199", "To": "+14155550177", "Direction": "outbound-api", "Body": "Welcome", "SentDate": "1793613720"}"#,
    ]
    .join("\n");
    let (status, answer) = relay.post_json(&rows, None).await;
    assert_eq!(
        (status, &answer["stored"]),
        (202, &serde_json::json!(3)),
        "{answer}"
    );
    let (status, answer) = relay.post_json(&rows, None).await;
    assert_eq!(
        (status, &answer["repeated"]),
        (202, &serde_json::json!(3)),
        "{answer}"
    );
    // One row, pretty-printed, and an array.
    let one = "{\n  \"id\": \"msg-2\",\n  \"phone\": \"+14155550100\",\n  \"body\": \"Pretty\",\n  \"timestamp\": \"2026-11-02T10:02:00Z\"\n}";
    assert_eq!(relay.post_json(one, None).await.0, 202);
    let array = format!(
        "[{}]",
        r#"{"id": "msg-3", "phone": "+14155550100", "body": "In an array", "timestamp": "2026-11-02T10:03:00Z"}"#
    );
    assert_eq!(relay.post_json(&array, None).await.0, 202);
    assert_eq!(relay.inbox_len().await, 5);

    let worker = relay.worker(None);
    eventually("the rows are logged", Duration::from_secs(20), || async {
        relay.fake.message_count() == 5 && relay.inbox_len().await == 0
    })
    .await;
    worker.stop().await;
    let logged = logged_once(&relay.fake);
    assert_eq!(logged.len(), 5);
    assert_eq!(logged["msg-1"].contacts, std::slice::from_ref(&linda));
    assert_eq!(
        logged["msg-1"].properties["hs_timestamp"],
        "2026-11-02T10:00:00.000Z"
    );
    let thanks = logged
        .values()
        .find(|m| m.properties["hs_communication_body"] == "Thanks!")
        .unwrap();
    assert_eq!(
        thanks.contacts,
        std::slice::from_ref(&linda),
        "a WhatsApp number finds the contact's phone"
    );
    assert_eq!(
        thanks.properties["hs_communication_channel_type"],
        "WHATS_APP"
    );
    let welcome = &logged["SM77"];
    assert_ne!(welcome.contacts, [linda], "an outbound row's contact is To");
    assert_eq!(welcome.contacts.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn without_redis_a_delivery_is_a_503_and_its_retry_is_stored() {
    let relay = Relay::start(config(), false).await;
    relay.crash_redis();
    assert_eq!(relay.twilio("SM9", "+14155550123", "hello").await, 503);
    let (status, _) = relay
        .post_json(
            r#"{"id": "m1", "phone": "+14155550123", "body": "hi", "timestamp": "2026-11-02T10:00:00Z"}"#,
            None,
        )
        .await;
    assert_eq!(status, 503);
    relay.start_redis_again();
    // The connection is made again by itself; Twilio's retry is stored.
    eventually("the retry is stored", Duration::from_secs(10), || async {
        relay.twilio("SM9", "+14155550123", "hello").await == 200
    })
    .await;
    assert_eq!(relay.inbox_len().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn an_inbox_waiting_for_a_replica_it_lacks_refuses_the_append() {
    use hubspot_comms::relay::entry::{Entry, Provider};
    use hubspot_comms::relay::inbox::{Appended, Inbox, InboxOptions};
    use hubspot_comms::relay::{AccountName, RelayError};
    use hubspot_communications::Channel;

    let relay = Relay::start(config(), false).await;
    let mut options = InboxOptions::default();
    options.wait_for_replicas = Some((1, Duration::from_millis(100)));
    let waiting = Inbox::with_options(relay.streams.clone(), options);
    let entry = Entry::new(
        Provider::Twilio,
        AccountName::default(),
        "SMWAIT",
        Channel::Sms,
        "+14155550123",
        "hi",
    );
    let error = waiting.append(&entry).await.unwrap_err();
    assert!(
        matches!(
            error,
            RelayError::Unreplicated {
                wanted: 1,
                acknowledged: 0
            }
        ),
        "{error}"
    );
    // The primary has it: the provider's retry is recognised (and waits again).
    let plain = Inbox::new(relay.streams.clone());
    assert!(matches!(
        plain.append(&entry).await.unwrap(),
        Appended::Repeated(_)
    ));
    assert_eq!(relay.inbox_len().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn no_piece_prints_a_secret() {
    use hubspot_comms::relay::AccountName;
    use hubspot_comms::relay::accounts::Routes;
    use hubspot_comms::relay::inbox::Inbox;
    use hubspot_comms::relay::receive::{Receivers, Twilio};
    use hubspot_comms::relay::work::{Worker, WorkerOptions};

    let relay = Relay::start(config(), false).await;
    let receivers = Receivers::new(
        Inbox::new(relay.streams.clone()),
        Routes::one(AccountName::default()),
    )
    .twilio(
        Twilio::new("https://hooks.example.com", "twilio-secret-token")
            .account("AC2", "second-secret"),
    )
    .json("json-shared-secret");
    let worker = Worker::new(relay.streams.clone(), WorkerOptions::default())
        .account(AccountName::default(), relay.client(relay.fake.base_url()));
    let printed = format!("{receivers:?} {worker:?} {:?}", relay.streams);
    for secret in [
        "twilio-secret-token",
        "second-secret",
        "json-shared-secret",
        super::super::common::TOKEN,
    ] {
        assert!(!printed.contains(secret), "{secret} in {printed}");
    }
    assert!(
        !printed.contains("redis.sock"),
        "the Redis URL in {printed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn hostile_bodies_signed_as_they_should_be_are_answered_never_a_panic() {
    use hubspot_comms::relay::receive::json_signature;

    let relay = Relay::start(config(), false).await;
    // A small deterministic generator: the same bodies every run.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let pieces: [&[u8]; 16] = [
        b"{",
        b"}",
        b"[",
        b"]",
        b"\"",
        b":",
        b",",
        b"\n",
        b"\"phone\"",
        b"\"body\"",
        b"\"timestamp\"",
        b"\"id\"",
        b"\"+14155550123\"",
        b"null",
        b"\xff\xfe",
        b"1e999999",
    ];
    let http = reqwest::Client::new();
    let twilio_url = format!("{}/twilio/messages", relay.url);
    for round in 0..300 {
        let mut body = Vec::new();
        for _ in 0..(next() % 40) {
            if next() % 3 == 0 {
                body.push((next() % 256) as u8);
            } else {
                body.extend_from_slice(pieces[(next() % 16) as usize]);
            }
        }
        let answer = http
            .post(format!("{}/messages", relay.url))
            .header("X-Relay-Signature", json_signature(super::SECRET, &body))
            .body(body.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("round {round}: the JSON receiver did not answer: {e}"));
        let status = answer.status().as_u16();
        assert!(
            matches!(status, 202 | 400),
            "round {round}: {status} for {body:?}"
        );

        // The same bytes as Twilio's form, signed for what they parse to.
        let params: Vec<(String, String)> =
            url::form_urlencoded::parse(&body).into_owned().collect();
        let signature = twilio_signature(AUTH_TOKEN, &twilio_url, &params);
        let answer = http
            .post(&twilio_url)
            .header("X-Twilio-Signature", signature)
            .body(body.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("round {round}: the Twilio receiver did not answer: {e}"));
        let status = answer.status().as_u16();
        assert!(
            matches!(status, 200 | 400 | 403),
            "round {round}: {status} for {body:?}"
        );
    }
}
