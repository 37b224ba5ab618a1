//! The inbound webhook example (`crates/hubspot-communications/examples/webhook`) served on
//! loopback against the fake: a signed message is logged on the sender's contact, a forged
//! one is refused with 403 and logs nothing, a retried delivery logs nothing twice. Its key
//! property is made sure of at start, as the example's `main` does.

#[allow(dead_code)]
#[path = "../../../crates/hubspot-communications/examples/webhook/app.rs"]
mod app;

use hubspot_communications::{ApiVersion, Channel, Client, ObjectType, ReadOptions};
use hubspot_communications_mock::{MockServer, ObjectType as FakeObjectType};
use hubspot_communications_tests::contract::CheckedServer;
use hubspot_communications_tests::{client_at, roomy, start};

const AUTH_TOKEN: &str = "twilio-auth-token";

/// The fake, and the webhook served on loopback in front of it (its URL).
async fn webhook(version: ApiVersion) -> (CheckedServer, String, tokio::task::JoinHandle<()>) {
    // No key property in the account: the example makes sure of its own at start.
    let (server, _) = start(roomy()).await;
    let client: Client = client_at(&server, version);
    let key = client.ensure_key_property(app::ID_PROPERTY).await.unwrap();
    assert!(key.created && key.definition.has_unique_value);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}{}", listener.local_addr().unwrap(), app::PATH);
    let router = app::router(client, AUTH_TOKEN);
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (server, url, task)
}

fn params(sid: &str, from: &str, body: &str) -> Vec<(String, String)> {
    [
        ("MessageSid", sid),
        ("SmsMessageSid", sid),
        ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
        ("From", from),
        ("To", "whatsapp:+14155550100"),
        ("Body", body),
        ("NumMedia", "0"),
    ]
    .map(|(n, v)| (n.to_owned(), v.to_owned()))
    .into()
}

/// Posts `params` as Twilio does, with `signature` (none if `None`); the answer's status.
async fn deliver(url: &str, params: &[(String, String)], signature: Option<String>) -> u16 {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let mut request = reqwest::Client::new()
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(signature) = signature {
        request = request.header("X-Twilio-Signature", signature);
    }
    request.send().await.unwrap().status().as_u16()
}

/// The contacts a stored message is associated with.
async fn contacts_of(server: &MockServer, message: &str) -> Vec<String> {
    let client = client_at(server, ApiVersion::LATEST);
    let read = client
        .get_with(
            message,
            &ReadOptions::new().associations(ObjectType::Contact),
        )
        .await
        .unwrap();
    read.associations
        .get(&ObjectType::Contact)
        .into_iter()
        .flatten()
        .map(|a| a.id.clone())
        .collect()
}

#[test]
fn the_signature_is_twilios() {
    // Twilio's documented example of its request validation, computed independently.
    let params: Vec<(String, String)> = [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+12349013030"),
        ("Digits", "1234"),
        ("From", "+12349013030"),
        ("To", "+18005551212"),
    ]
    .map(|(n, v)| (n.to_owned(), v.to_owned()))
    .into();
    assert_eq!(
        app::signature(
            "12345",
            "https://mycompany.com/myapp.php?foo=1&bar=2",
            &params
        ),
        "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    );
}

#[tokio::test]
async fn a_signed_message_is_logged_once_on_the_senders_contact() {
    for version in ApiVersion::ALL {
        let (server, url, _task) = webhook(version).await;
        let linda = server.seed_record(FakeObjectType::Contact, &[("phone", "(415) 555-0123")]);
        let message = params("SM1", "whatsapp:+14155550123", "Is the contract ready?");
        let signature = app::signature(AUTH_TOKEN, &url, &message);

        // Delivered, then delivered again (Twilio's retry): one message.
        assert_eq!(deliver(&url, &message, Some(signature.clone())).await, 200);
        assert_eq!(deliver(&url, &message, Some(signature)).await, 200);
        let stored = server.messages();
        assert_eq!(stored.len(), 1, "{version}: {stored:?}");
        let (id, properties) = &stored[0];
        assert_eq!(
            properties["hs_communication_body"],
            "Is the contract ready?"
        );
        assert_eq!(
            properties["hs_communication_channel_type"],
            Channel::WhatsApp.as_str()
        );
        assert_eq!(properties[app::ID_PROPERTY], "SM1");
        assert_eq!(
            contacts_of(&server, id).await,
            [linda.as_str()],
            "{version}"
        );
        assert_eq!(server.records(FakeObjectType::Contact).len(), 1);
    }
}

#[tokio::test]
async fn an_unknown_sender_gets_a_contact_and_sms_is_sms() {
    let (server, url, _task) = webhook(ApiVersion::LATEST).await;
    let message = params("SM2", "+442079460958", "Hello from London");
    let signature = app::signature(AUTH_TOKEN, &url, &message);
    assert_eq!(deliver(&url, &message, Some(signature)).await, 200);
    let contacts = server.records(FakeObjectType::Contact);
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].1["phone"], "+442079460958");
    let stored = server.messages();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].1["hs_communication_channel_type"], "SMS");
    assert_eq!(
        contacts_of(&server, &stored[0].0).await,
        [contacts[0].0.clone()]
    );
}

/// Senders from ranges opened after the numbering metadata the build carries (Kenya's `1…`,
/// `+1 472`) are logged on the contacts holding them, or on a contact made for them; a number
/// too short for its country is still a 400.
#[tokio::test]
async fn senders_from_ranges_newer_than_the_metadata_are_logged() {
    let (server, url, _task) = webhook(ApiVersion::LATEST).await;
    let wanjiru = server.seed_record(
        FakeObjectType::Contact,
        &[("mobilephone", "+254 181 520 498")],
    );
    let dana = server.seed_record(FakeObjectType::Contact, &[("phone", "(472) 555-8166")]);
    let deliveries = [
        ("SM10", "whatsapp:+254181520498", Some(&wanjiru)),
        ("SM11", "+14725558166", Some(&dana)),
        // Nigeria's 9100, which no contact holds: one is made.
        ("SM12", "+2349100424019", None),
    ];
    for (sid, from, holder) in deliveries {
        let message = params(sid, from, "Hello");
        let signature = app::signature(AUTH_TOKEN, &url, &message);
        assert_eq!(
            deliver(&url, &message, Some(signature)).await,
            200,
            "{from}"
        );
        let (id, _) = server
            .messages()
            .into_iter()
            .find(|(_, properties)| properties[app::ID_PROPERTY] == sid)
            .unwrap_or_else(|| panic!("{sid} is not stored"));
        let contacts = contacts_of(&server, &id).await;
        match holder {
            Some(holder) => assert_eq!(contacts, [holder.as_str()], "{from}"),
            None => {
                let made = server.records(FakeObjectType::Contact);
                let made = made.iter().find(|(id, _)| contacts.contains(id)).unwrap();
                assert_eq!(made.1["phone"], "+2349100424019");
            }
        }
    }
    assert_eq!(server.records(FakeObjectType::Contact).len(), 3);

    let too_short = params("SM13", "+254181520", "x");
    let signature = app::signature(AUTH_TOKEN, &url, &too_short);
    assert_eq!(deliver(&url, &too_short, Some(signature)).await, 400);
    assert_eq!(server.message_count(), 3);
}

#[tokio::test]
async fn a_bad_signature_is_refused_and_logs_nothing() {
    let (server, url, _task) = webhook(ApiVersion::LATEST).await;
    let message = params("SM3", "whatsapp:+14155550123", "Forged");
    let right = app::signature(AUTH_TOKEN, &url, &message);
    let mut tampered = message.clone();
    tampered[5].1 = "Changed on the way".to_owned();
    let cases = [
        ("no signature", message.clone(), None),
        (
            "another token",
            message.clone(),
            Some(app::signature("guess", &url, &message)),
        ),
        (
            "another URL",
            message.clone(),
            Some(app::signature(
                AUTH_TOKEN,
                "https://example.com/twilio/messages",
                &message,
            )),
        ),
        ("a changed body", tampered, Some(right.clone())),
        ("not base64", message.clone(), Some("***".to_owned())),
        ("truncated", message.clone(), Some(right[..10].to_owned())),
    ];
    for (case, params, signature) in cases {
        assert_eq!(deliver(&url, &params, signature).await, 403, "{case}");
    }
    assert_eq!(server.message_count(), 0);
    assert!(server.records(FakeObjectType::Contact).is_empty());
}

#[tokio::test]
async fn a_signed_request_that_is_not_a_message_is_a_400() {
    let (server, url, _task) = webhook(ApiVersion::LATEST).await;
    let mut no_sid = params("SM4", "+14155550123", "x");
    no_sid.retain(|(name, _)| name != "MessageSid");
    let bad_number = params("SM5", "whatsapp:not-a-number", "x");
    let bad_sid = params("SM/../1", "+14155550123", "x");
    for params in [no_sid, bad_number, bad_sid] {
        let signature = app::signature(AUTH_TOKEN, &url, &params);
        assert_eq!(
            deliver(&url, &params, Some(signature)).await,
            400,
            "{params:?}"
        );
    }
    assert_eq!(server.message_count(), 0);
}

#[tokio::test]
async fn a_number_two_contacts_hold_is_not_guessed() {
    let (server, url, _task) = webhook(ApiVersion::LATEST).await;
    server.seed_record(FakeObjectType::Contact, &[("phone", "+14155550123")]);
    server.seed_record(FakeObjectType::Contact, &[("mobilephone", "415 555 0123")]);
    let message = params("SM6", "+14155550123", "Which one of us?");
    let signature = app::signature(AUTH_TOKEN, &url, &message);
    assert_eq!(deliver(&url, &message, Some(signature)).await, 409);
    assert_eq!(server.message_count(), 0);
    assert_eq!(server.records(FakeObjectType::Contact).len(), 2);
}
