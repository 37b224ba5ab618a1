//! The round trip between two accounts: `export` from one and `import` of that file into
//! another, where the same people are contacts holding the same numbers (written in other
//! forms, in other properties), logs every message once, on the same people's contacts, with
//! the same channel, body, timestamp, owner and key; a second import logs nothing.

use crate::common;

use std::collections::BTreeMap;

use common::{config, contact, export, fake, import, message, one_per_key};
use hubspot_comms::DEFAULT_KEY_PROPERTY;
use hubspot_communications_mock::ObjectType;

/// A person: their number in the source account's form and property, and in the target's.
struct Person {
    source: (&'static str, &'static str),
    target: (&'static str, &'static str),
}

const PEOPLE: [Person; 4] = [
    Person {
        source: ("phone", "+1 415-555-0100"),
        target: ("mobilephone", "(415) 555-0100"),
    },
    Person {
        source: ("mobilephone", "(415) 555-0101"),
        target: ("phone", "+14155550101"),
    },
    Person {
        source: ("hs_whatsapp_phone_number", "+447911123456"),
        target: ("phone", "+44 7911 123456"),
    },
    Person {
        source: ("phone", "415.555.0103"),
        target: ("phone", "001 415 555 0103"),
    },
];

const CHANNELS: [&str; 3] = ["SMS", "WHATS_APP", "LINKEDIN_MESSAGE"];

#[tokio::test(flavor = "multi_thread")]
async fn export_then_import_into_another_account_is_a_round_trip() {
    for file in ["history.jsonl", "history.csv"] {
        let source = fake(config()).await;
        let target = fake(config()).await;
        let (mut in_source, mut in_target) = (Vec::new(), Vec::new());
        for person in &PEOPLE {
            in_source.push(contact(&source, &[person.source]));
            in_target.push(contact(&target, &[person.target]));
        }
        // 60 messages: every channel, keyed (from an earlier import) or not, some with an
        // owner, bodies with commas, quotes and new lines, milliseconds in their times.
        let mut sent: BTreeMap<String, (usize, String, String, String, Option<String>)> =
            BTreeMap::new();
        for i in 0..60 {
            let person = i % PEOPLE.len();
            let channel = CHANNELS[i % 3];
            let body = format!("Message {i}, \"quoted\"\nsecond line");
            let time = format!("2026-11-02T09:{:02}:{:02}.{:03}Z", i / 60, i % 60, i * 7);
            let owner = (i % 5 == 0).then(|| format!("{}", 1_000_000 + i));
            let key = format!("SM{i:04}");
            let mut properties = vec![
                ("hs_communication_channel_type", channel),
                ("hs_communication_body", body.as_str()),
                ("hs_timestamp", time.as_str()),
            ];
            if let Some(owner) = &owner {
                properties.push(("hubspot_owner_id", owner));
            }
            if i % 2 == 0 {
                properties.push((DEFAULT_KEY_PROPERTY, &key));
            }
            let id = message(
                &source,
                &properties,
                &[(ObjectType::Contact, &in_source[person])],
            );
            let key = if i % 2 == 0 { key } else { id };
            sent.insert(key, (person, channel.to_owned(), body, time, owner));
        }
        let directory = tempfile::tempdir().unwrap();

        let out = export(&source, directory.path(), file, &["--default-region", "US"]).await;
        assert_eq!(out.code, 0, "{file}: {out:?}");
        assert_eq!(out.count("messages"), 60);

        let first = import(&target, directory.path(), file, &["--default-region", "US"]).await;

        assert_eq!(first.code, 0, "{file}: {first:?}");
        assert_eq!(
            (first.count("logged"), first.count("already logged")),
            (60, 0),
            "{file}"
        );
        let stored = one_per_key(&target);
        assert_eq!(stored.len(), 60, "{file}: each once");
        for (key, (person, channel, body, time, owner)) in &sent {
            let message = stored
                .get(key)
                .unwrap_or_else(|| panic!("{file}: {key} not logged"));
            assert_eq!(
                message.contacts,
                [in_target[*person].clone()],
                "{file}: {key} on the same person"
            );
            let property = |name: &str| message.properties.get(name).cloned();
            assert_eq!(
                property("hs_communication_channel_type").as_ref(),
                Some(channel),
                "{file}: {key}"
            );
            assert_eq!(
                property("hs_communication_body").as_ref(),
                Some(body),
                "{file}: {key}"
            );
            let stored_time =
                chrono::DateTime::parse_from_rfc3339(&property("hs_timestamp").unwrap()).unwrap();
            assert_eq!(
                stored_time,
                chrono::DateTime::parse_from_rfc3339(time).unwrap(),
                "{file}: {key}"
            );
            assert_eq!(&property("hubspot_owner_id"), owner, "{file}: {key}");
        }

        let again = import(&target, directory.path(), file, &["--default-region", "US"]).await;

        assert_eq!(again.code, 0, "{file}: {again:?}");
        assert_eq!(
            (again.count("logged"), again.count("already logged")),
            (0, 60),
            "{file}: the second import logs nothing"
        );
        assert_eq!(one_per_key(&target).len(), 60, "{file}");
    }
}
