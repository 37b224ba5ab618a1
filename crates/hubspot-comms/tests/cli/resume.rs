//! A resumed import redoes no contact lookup: what the stopped run learned about its numbers
//! (found, not found, ambiguous) is kept with its state, and the rerun searches only the
//! numbers it never looked up.

use crate::common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use common::{config, contact, fake, import, one_per_key, write};

/// The E.164 numbers each contact search of the fake looked for (its WhatsApp filter holds
/// them as they are; the other filters hold their national digits).
type Searched = Arc<Mutex<Vec<BTreeSet<String>>>>;

fn watched() -> (hubspot_communications_mock::Config, Searched) {
    let searched: Searched = Arc::default();
    let seen = Arc::clone(&searched);
    let config = config().observe(move |exchange| {
        if !exchange.path.ends_with("/contacts/search") {
            return;
        }
        let body: serde_json::Value =
            serde_json::from_slice(&exchange.request_body).unwrap_or_default();
        let numbers = body["filterGroups"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|group| group["filters"].as_array().into_iter().flatten())
            .filter(|filter| filter["propertyName"] == "hs_whatsapp_phone_number")
            .flat_map(|filter| filter["values"].as_array().into_iter().flatten())
            .filter_map(|value| value.as_str().map(str::to_owned))
            .collect();
        seen.lock().unwrap().push(numbers);
    });
    (config, searched)
}

fn number(i: usize) -> String {
    format!("+1415555{:04}", 100 + i)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resumed_run_sends_no_search_for_numbers_it_resolved() {
    let (config, searched) = watched();
    let fake = fake(config).await;
    // Numbers 0-7 and 10-14 are one contact's each, 8 is two contacts', 9 and 15-19 nobody's.
    let mut contacts = vec![String::new(); 20];
    for i in (0..8).chain(10..15) {
        contacts[i] = contact(&fake, &[("phone", &number(i))]);
    }
    contact(&fake, &[("phone", &number(8))]);
    contact(&fake, &[("mobilephone", &number(8))]);
    // The first 40 rows use numbers 0-9 only; the rest all 20.
    let rows = 100;
    let number_of = |i: usize| if i < 40 { i % 10 } else { i % 20 };
    let lines: Vec<String> = (0..rows)
        .map(|i| {
            format!(
                r#"{{"id": "k{i}", "phone": "{}", "body": "m{i}", "timestamp": {}}}"#,
                number(number_of(i)),
                1_793_500_000 + i
            )
        })
        .collect();
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "history.jsonl", &lines.join("\n"));
    let journal = directory
        .path()
        .join("history.jsonl.report.jsonl.state.json.numbers");

    let first = import(
        &fake,
        directory.path(),
        "history.jsonl",
        &["--max-rows", "40"],
    )
    .await;

    assert_eq!(first.code, 1, "stopped by --max-rows: {first:?}");
    let first_searched: BTreeSet<String> = searched.lock().unwrap().drain(..).flatten().collect();
    let resolved: BTreeSet<String> = (0..10).map(number).collect();
    assert_eq!(first_searched, resolved);
    assert!(journal.exists(), "kept with the state");

    let rest = import(&fake, directory.path(), "history.jsonl", &[]).await;

    assert_eq!(
        rest.code, 2,
        "numbers 8, 9 and 15-19 hold no one contact: {rest:?}"
    );
    let rest_searched: Vec<BTreeSet<String>> = searched.lock().unwrap().clone();
    let again: BTreeSet<&String> = rest_searched
        .iter()
        .flatten()
        .filter(|n| resolved.contains(*n))
        .collect();
    assert!(again.is_empty(), "the resumed run searched {again:?} again");
    let new: BTreeSet<String> = (10..20).map(number).collect();
    assert_eq!(
        rest_searched.into_iter().flatten().collect::<BTreeSet<_>>(),
        new,
        "and every number it had not"
    );
    // Found, not found and ambiguous as the first run learned them.
    assert_eq!(rest.count("rows"), rows as u64);
    let not_found = (0..rows)
        .filter(|i| matches!(number_of(*i), 9 | 15..=19))
        .count();
    let ambiguous = (0..rows).filter(|i| number_of(*i) == 8).count();
    assert_eq!(rest.count("contact not found"), not_found as u64);
    assert_eq!(rest.count("contact ambiguous"), ambiguous as u64);
    assert_eq!(rest.count("logged"), (rows - not_found - ambiguous) as u64);
    let stored = one_per_key(&fake);
    for i in 0..rows {
        let n = number_of(i);
        match stored.get(&format!("k{i}")) {
            Some(message) => assert_eq!(message.contacts, [contacts[n].clone()], "k{i}"),
            None => assert!(matches!(n, 8 | 9 | 15..=19), "k{i} lost"),
        }
    }
    assert!(!journal.exists(), "a complete run removes it");
}

#[tokio::test(flavor = "multi_thread")]
async fn contacts_created_by_a_stopped_run_are_not_created_again() {
    let (config, searched) = watched();
    let fake = fake(config).await;
    let lines: Vec<String> = (0..30)
        .map(|i| {
            format!(
                r#"{{"id": "k{i}", "phone": "{}", "body": "m{i}", "timestamp": {}}}"#,
                number(i % 3),
                1_793_500_000 + i
            )
        })
        .collect();
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "history.jsonl", &lines.join("\n"));
    let args = ["--create-missing-contacts"];

    let first = import(
        &fake,
        directory.path(),
        "history.jsonl",
        &[&args[..], &["--max-rows", "10"]].concat(),
    )
    .await;
    assert_eq!(first.code, 1, "{first:?}");
    assert_eq!(first.count("contacts created"), 3);
    let searches = searched.lock().unwrap().len();

    let rest = import(&fake, directory.path(), "history.jsonl", &args).await;

    assert_eq!(rest.code, 0, "{rest:?}");
    assert_eq!(
        searched.lock().unwrap().len(),
        searches,
        "no search for the numbers the first run created contacts for"
    );
    assert_eq!(rest.count("contacts created"), 3, "both runs: no more");
    assert_eq!(
        fake.records(hubspot_communications_mock::ObjectType::Contact)
            .len(),
        3
    );
    let stored = one_per_key(&fake);
    assert_eq!(stored.len(), 30);
    for i in 0..30 {
        assert_eq!(
            stored[&format!("k{i}")].contacts,
            stored[&format!("k{}", i % 3)].contacts
        );
    }
}
