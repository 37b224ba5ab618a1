//! The `serde` feature: what programs persist or queue survives a round trip, and outcomes
//! serialize for reports with their errors as text.

use futures::StreamExt;
use hubspot_communications::{
    Association, AssociationType, Channel, LogOutcome, Message, MessageUpdate, NewMessage,
    ObjectType, Record,
};
use hubspot_communications_mock::{Config, FaultKind, Faults};
use hubspot_communications_tests::{roomy, start};
use serde::Serialize;
use serde::de::DeserializeOwned;

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) {
    let text = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&text).unwrap();
    assert_eq!(&back, value, "{text}");
}

#[test]
fn inputs_round_trip() {
    let message = NewMessage::new(Channel::WhatsApp, "Hello Linda")
        .owner("7")
        .timestamp("2024-05-01T10:00:00Z".parse().unwrap())
        .property("external_id", "SM1")
        .associate(Association::contact("12").with_type(AssociationType::label(4)));
    round_trip(&message);
    round_trip(&MessageUpdate::new().body("b").clear("hubspot_owner_id"));
    round_trip(&Record::new(ObjectType::from("2-123"), "5"));
}

#[test]
fn open_enums_are_their_hubspot_strings() {
    assert_eq!(
        serde_json::to_string(&Channel::WhatsApp).unwrap(),
        "\"WHATS_APP\""
    );
    assert_eq!(
        serde_json::to_string(&ObjectType::Deal).unwrap(),
        "\"deals\""
    );
    let later: Channel = serde_json::from_str("\"TELEGRAM\"").unwrap();
    assert_eq!(later, Channel::from("TELEGRAM"));
    assert_eq!(serde_json::to_string(&later).unwrap(), "\"TELEGRAM\"");
    let contact: ObjectType = serde_json::from_str("\"0-1\"").unwrap();
    assert_eq!(contact, ObjectType::Contact);
}

#[tokio::test]
async fn messages_round_trip_and_outcomes_serialize_with_errors_as_text() {
    let config = roomy().faults(Faults::seeded(7).with(FaultKind::DropAfterStore, 1.0));
    let (server, client) = start(Config::default()).await;
    let stored = client
        .create(&NewMessage::new(Channel::Sms, "Texted Linda."))
        .await
        .unwrap();
    round_trip::<Message>(&stored);
    drop(server);

    let (_server, client) = start(config).await;
    let logged: Vec<_> = client
        .log_all(futures::stream::iter([NewMessage::new(Channel::Sms, "x")]))
        .collect()
        .await;
    assert!(matches!(logged[0].outcome, LogOutcome::Unknown(_)));
    let report = serde_json::to_value(&logged[0]).unwrap();
    assert_eq!(report["message"]["body"], "x");
    assert!(
        report["outcome"]["unknown"].as_str().unwrap().len() > 10,
        "{report}"
    );
}
