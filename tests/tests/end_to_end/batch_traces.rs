//! HubSpot answers a batch create 207 (some created, some refused) only when every input
//! carries an `objectWriteTraceId` of its own (its error-handling guide); without them one
//! refused input refuses the whole batch. Every batch create the facade sends (messages, and
//! the contacts a lookup creates) carries unique ones, so a refused input fails alone.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use hubspot_communications::{Association, Channel, NewMessage, PhoneNumber, Region};
use hubspot_communications_tests::{roomy, start};
use serde_json::Value;

#[tokio::test]
async fn every_batch_create_carries_unique_trace_ids_and_a_refused_input_fails_alone() {
    let creates: Arc<Mutex<Vec<Value>>> = Arc::default();
    let log = creates.clone();
    let config = roomy()
        .search_lag(std::time::Duration::ZERO)
        .observe(move |exchange| {
            if exchange.path.ends_with("/batch/create") && exchange.path.contains("/objects/") {
                let body = serde_json::from_slice(&exchange.request_body).unwrap_or_default();
                log.lock().unwrap().push(body);
            }
        });
    let (server, client) = start(config).await;
    let contact = server.seed_contact("linda@example.com");
    let messages = [
        NewMessage::new(Channel::Sms, "one").associate(Association::contact(&contact)),
        NewMessage::new(Channel::Sms, "nobody's").associate(Association::contact("999999")),
        NewMessage::new(Channel::WhatsApp, "three"),
    ];
    let outcome = client.create_batch(&messages).await;
    assert_eq!(outcome.succeeded.len(), 2, "{outcome:?}");
    assert_eq!(outcome.failed.len(), 1);
    assert_eq!(
        outcome.failed[0].inputs,
        [1],
        "the refused input fails alone"
    );
    assert_eq!(server.messages().len(), 2);

    let us = Some(Region::parse("US").unwrap());
    let numbers: Vec<PhoneNumber> = ["+1 415 555 0101", "+1 415 555 0102", "+1 415 555 0103"]
        .iter()
        .map(|n| PhoneNumber::parse(n, us).unwrap())
        .collect();
    let created = client
        .find_or_create_contacts_by_phone(&numbers)
        .await
        .unwrap();
    assert_eq!(created.len(), 3);

    let creates = creates.lock().unwrap().clone();
    assert_eq!(creates.len(), 2, "a message batch and a contact batch");
    for body in creates {
        let inputs = body["inputs"].as_array().unwrap();
        let traces: BTreeSet<&str> = inputs
            .iter()
            .map(|input| input["objectWriteTraceId"].as_str().expect("a trace id"))
            .collect();
        assert_eq!(traces.len(), inputs.len(), "unique: {body}");
    }
}
