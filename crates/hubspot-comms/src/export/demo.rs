//! What `export --demo` finds: a few messages on the embedded fake's demo contacts.

use hubspot_communications_mock::{MockServer, ObjectType};

use super::row;

/// Two messages on each demo contact, keyed in `key_property`.
pub(crate) fn seed_messages(fake: &MockServer, key_property: &str) {
    let mut contacts = fake.records(ObjectType::Contact);
    contacts.sort_by(|(a, _), (b, _)| row::by_id(a, b));
    for (i, (id, properties)) in contacts.iter().enumerate() {
        let name = properties.get("firstname").map_or("them", String::as_str);
        for (j, (channel, body)) in [
            ("SMS", format!("Hi {name}, is the contract ready?")),
            ("WHATS_APP", format!("Thanks {name}, signed and sent.")),
        ]
        .iter()
        .enumerate()
        {
            let time = format!("2026-11-0{}T09:{:02}:00Z", 2 + j, i);
            let key = format!("demo-{i}-{j}");
            fake.seed_message(
                &[
                    ("hs_communication_channel_type", channel),
                    ("hs_communication_logged_from", "CRM"),
                    ("hs_communication_body", body),
                    ("hs_timestamp", &time),
                    (key_property, &key),
                ],
                &[(ObjectType::Contact, id.as_str())],
            );
        }
    }
}
