//! `hubspot-comms export` against a fake the test starts: what is written (the format `import`
//! reads, with the associated records), the filters (past HubSpot's 10,000-result search cap),
//! the contacts' selection (each message once), the atomic file, stopping and resuming, and
//! the exit codes.

use crate::common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use common::{config, contact, export, fake, jsonl, message, write};
use hubspot_comms::DEFAULT_KEY_PROPERTY;
use hubspot_communications_mock::{Config, ObjectType, RateLimit};
use serde_json::Value;

const CHANNEL: &str = "hs_communication_channel_type";
const BODY: &str = "hs_communication_body";
const TIMESTAMP: &str = "hs_timestamp";

/// A fake whose searches are not held to 5 a second (the client's own limiter still is).
fn roomy() -> Config {
    config().search_rate_limit(RateLimit::new(1_000, Duration::from_secs(1)))
}

/// The rows by their key.
fn by_id(rows: Vec<Value>) -> BTreeMap<String, Value> {
    rows.into_iter()
        .map(|row| (row["id"].as_str().unwrap().to_owned(), row))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_message_with_its_contacts_number_and_records() {
    let fake = fake(config()).await;
    let linda = contact(&fake, &[("phone", "(415) 555-0100")]);
    let carla = contact(
        &fake,
        &[
            ("phone", "+1 415 555 0101"),
            ("hs_whatsapp_phone_number", "+14155550111"),
        ],
    );
    let nobody = contact(&fake, &[("email", "no-number@example.com")]);
    let acme = fake.seed_company("Acme");
    let sms = message(
        &fake,
        &[
            (CHANNEL, "SMS"),
            (BODY, "Is the contract ready?"),
            (TIMESTAMP, "2026-11-02T09:15:00Z"),
            ("hubspot_owner_id", "1234567"),
            (DEFAULT_KEY_PROPERTY, "SM001"),
        ],
        &[(ObjectType::Contact, &linda), (ObjectType::Company, &acme)],
    );
    let whatsapp = message(
        &fake,
        &[
            (CHANNEL, "WHATS_APP"),
            (BODY, "Friday?"),
            (TIMESTAMP, "2026-11-03T14:02:11.500Z"),
        ],
        &[(ObjectType::Contact, &carla), (ObjectType::Contact, &linda)],
    );
    let alone = message(
        &fake,
        &[
            (CHANNEL, "LINKEDIN_MESSAGE"),
            (BODY, "Connected"),
            (TIMESTAMP, "2026-11-04T08:00:00Z"),
        ],
        &[],
    );
    let numberless = message(
        &fake,
        &[
            (CHANNEL, "SMS"),
            (BODY, "Hello?"),
            (TIMESTAMP, "2026-11-05T08:00:00Z"),
        ],
        &[(ObjectType::Contact, &nobody)],
    );
    let directory = tempfile::tempdir().unwrap();

    let run = export(
        &fake,
        directory.path(),
        "all.jsonl",
        &["--default-region", "US"],
    )
    .await;

    assert_eq!(run.code, 2, "two messages lack a number: {run:?}");
    assert_eq!(run.count("messages"), 4);
    assert_eq!(run.count("without a contact"), 1);
    assert_eq!(run.count("contact without a number"), 1);
    assert_eq!(run.count("on several contacts"), 1);
    let rows = by_id(jsonl(&directory.path().join("all.jsonl")));
    assert_eq!(rows.len(), 4);
    let first = &rows["SM001"];
    assert_eq!(first["phone"], "+14155550100", "E.164, read in the region");
    assert_eq!(first["channel"], "sms");
    assert_eq!(first["body"], "Is the contract ready?");
    assert_eq!(first["timestamp"], "2026-11-02T09:15:00.000Z");
    assert_eq!(first["owner"], "1234567");
    assert_eq!(first["hubspot_id"], sms.as_str());
    assert_eq!(first["contact_ids"], serde_json::json!([linda]));
    assert_eq!(first["company_ids"], serde_json::json!([acme]));
    // Keyed by its id when it has no key; its first contact's WhatsApp number.
    let second = &rows[&whatsapp];
    let mut both = vec![linda.clone(), carla.clone()];
    both.sort_by_key(|id| (id.len(), id.clone()));
    assert_eq!(second["contact_ids"], serde_json::json!(both));
    let first_contact_number = if both[0] == carla {
        "whatsapp:+14155550111"
    } else {
        "whatsapp:+14155550100"
    };
    assert_eq!(second["phone"], first_contact_number);
    assert_eq!(second["timestamp"], "2026-11-03T14:02:11.500Z");
    assert!(rows[&alone].get("phone").is_none());
    assert_eq!(rows[&alone]["channel"], "linkedin");
    assert!(rows[&numberless].get("phone").is_none());
    let left: Vec<String> = std::fs::read_dir(directory.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["all.jsonl"], "no partial file, no state");

    // CSV: the same rows.
    let run = export(
        &fake,
        directory.path(),
        "all.csv",
        &["--default-region", "US"],
    )
    .await;
    assert_eq!(run.code, 2, "{run:?}");
    let records: Vec<_> = hubspot_comms::input::open(
        &directory.path().join("all.csv"),
        hubspot_comms::input::Format::Csv,
    )
    .unwrap()
    .map(|r| r.unwrap().fields.unwrap())
    .collect();
    assert_eq!(records.len(), 4);
    let sm = records.iter().find(|r| r["id"] == "SM001").unwrap();
    assert_eq!(sm["phone"], "+14155550100");
    assert_eq!(sm["company_ids"], acme.as_str());
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_search_past_the_10000_result_cap() {
    let (searches, lists) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let (s, l) = (Arc::clone(&searches), Arc::clone(&lists));
    let fake = fake(roomy().observe(move |exchange| {
        if exchange.path.ends_with("/communications/search") {
            s.fetch_add(1, Ordering::Relaxed);
        } else if exchange.path.ends_with("/communications") && exchange.method == "GET" {
            l.fetch_add(1, Ordering::Relaxed);
        }
    }))
    .await;
    let take = || {
        (
            searches.swap(0, Ordering::Relaxed),
            lists.swap(0, Ordering::Relaxed),
        )
    };
    let linda = contact(&fake, &[("phone", "+14155550100")]);
    // 10,100 SMS in November, then some WhatsApp messages, and some SMS in December.
    let november = chrono::DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z").unwrap();
    let at = |seconds: i64| (november + chrono::Duration::seconds(seconds)).to_rfc3339();
    for i in 0..10_100 {
        message(
            &fake,
            &[
                (CHANNEL, "SMS"),
                (BODY, &format!("m{i}")),
                (TIMESTAMP, &at(i * 60)),
            ],
            &[(ObjectType::Contact, &linda)],
        );
    }
    for i in 0..20 {
        message(
            &fake,
            &[
                (CHANNEL, "WHATS_APP"),
                (BODY, &format!("w{i}")),
                (TIMESTAMP, &at(i * 60)),
            ],
            &[(ObjectType::Contact, &linda)],
        );
        message(
            &fake,
            &[
                (CHANNEL, "SMS"),
                (BODY, &format!("d{i}")),
                (TIMESTAMP, &at(40 * 86_400 + i)),
            ],
            &[(ObjectType::Contact, &linda)],
        );
    }
    let directory = tempfile::tempdir().unwrap();
    let november_sms = [
        "--since",
        "2026-11-01",
        "--until",
        "2026-12-01",
        "--channel",
        "sms",
    ];

    // By search windows, then by list pages filtered here (`auto` lists: the filters keep
    // almost every message): the same file.
    for (file, read_by) in [("searched.jsonl", "search"), ("listed.jsonl", "auto")] {
        let run = export(
            &fake,
            directory.path(),
            file,
            &[&november_sms[..], &["--read-by", read_by]].concat(),
        )
        .await;

        assert_eq!(run.code, 0, "{run:?}");
        let rows = jsonl(&directory.path().join(file));
        assert_eq!(rows.len(), 10_100, "{read_by}: all of them, past 10,000");
        let mut bodies: Vec<&str> = rows.iter().map(|r| r["body"].as_str().unwrap()).collect();
        bodies.sort();
        bodies.dedup();
        assert_eq!(bodies.len(), 10_100, "{read_by}: each once");
        assert!(
            bodies.iter().all(|b| b.starts_with('m')),
            "{read_by}: only November's SMS"
        );
        let (searched, listed) = take();
        if read_by == "search" {
            assert_eq!(listed, 0, "search windows only");
            assert_eq!(searched, 51, "10,100 in windows of 200");
        } else {
            assert_eq!(searched, 2, "two counts");
            assert_eq!(listed, 102, "10,140 messages in pages of 100");
        }
    }
    assert_eq!(
        std::fs::read(directory.path().join("searched.jsonl")).unwrap(),
        std::fs::read(directory.path().join("listed.jsonl")).unwrap(),
        "the same messages in the same order"
    );

    // A filter keeping few messages: `auto` searches.
    let run = export(
        &fake,
        directory.path(),
        "whatsapp.jsonl",
        &["--channel", "whatsapp"],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    let rows = jsonl(&directory.path().join("whatsapp.jsonl"));
    assert_eq!(rows.len(), 20);
    assert!(rows.iter().all(|r| r["phone"] == "whatsapp:+14155550100"));
    assert_eq!(take(), (2 + 1, 0), "two counts, one window");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_messages_of_contacts_each_once() {
    let fake = fake(roomy()).await;
    let linda = contact(&fake, &[("phone", "+14155550100")]);
    let carla = contact(&fake, &[("mobilephone", "+14155550101")]);
    let sam = contact(&fake, &[("phone", "+14155550102")]);
    let time = (TIMESTAMP, "2026-11-02T09:00:00Z");
    let to_linda = message(
        &fake,
        &[(CHANNEL, "SMS"), (BODY, "L"), time],
        &[(ObjectType::Contact, &linda)],
    );
    let to_both = message(
        &fake,
        &[(CHANNEL, "SMS"), (BODY, "LC"), time],
        &[(ObjectType::Contact, &carla), (ObjectType::Contact, &linda)],
    );
    let to_carla_and_sam = message(
        &fake,
        &[(CHANNEL, "SMS"), (BODY, "CS"), time],
        &[(ObjectType::Contact, &sam), (ObjectType::Contact, &carla)],
    );
    let _to_sam = message(
        &fake,
        &[(CHANNEL, "SMS"), (BODY, "S"), time],
        &[(ObjectType::Contact, &sam)],
    );
    let directory = tempfile::tempdir().unwrap();

    let run = export(
        &fake,
        directory.path(),
        "two.jsonl",
        &[
            "--contact",
            &linda,
            "--contact",
            &carla,
            "--contact",
            &linda,
        ],
    )
    .await;

    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.count("contacts asked for"), 2);
    let rows = by_id(jsonl(&directory.path().join("two.jsonl")));
    let mut ids: Vec<&String> = rows.keys().collect();
    ids.sort();
    let mut expected = vec![&to_linda, &to_both, &to_carla_and_sam];
    expected.sort();
    assert_eq!(ids, expected, "each once, Sam's own not");
    // Written with the number of a selected contact.
    assert_eq!(rows[&to_carla_and_sam]["phone"], "+14155550101");

    write(
        directory.path(),
        "numbers.txt",
        "# Sam and someone unknown\n(415) 555-0102\n\n+1 415 555 0199\n",
    );
    let run = export(
        &fake,
        directory.path(),
        "sam.jsonl",
        &["--numbers", "numbers.txt", "--default-region", "US"],
    )
    .await;
    assert_eq!(run.code, 2, "a number holds no contact: {run:?}");
    assert_eq!(run.count("numbers without a contact"), 1);
    let rows = jsonl(&directory.path().join("sam.jsonl"));
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|r| r["phone"] == "+14155550102"));

    write(directory.path(), "bad.txt", "+14155550102\nnot a number\n");
    let run = export(
        &fake,
        directory.path(),
        "x.jsonl",
        &["--numbers", "bad.txt"],
    )
    .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("bad.txt, line 2"), "{run:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stopped_export_goes_on_and_writes_nothing_twice() {
    let fake = fake(config()).await;
    let contacts: Vec<String> = (0..7)
        .map(|i| contact(&fake, &[("phone", &format!("+1415555010{i}"))]))
        .collect();
    for i in 0..1_500 {
        message(
            &fake,
            &[
                (CHANNEL, "SMS"),
                (BODY, &format!("m{i}")),
                (TIMESTAMP, "2026-11-02T09:00:00Z"),
            ],
            &[(ObjectType::Contact, &contacts[i % 7])],
        );
    }
    let directory = tempfile::tempdir().unwrap();
    let whole = export(&fake, directory.path(), "whole.csv", &[]).await;
    assert_eq!(whole.code, 0, "{whole:?}");

    for args in [
        &[][..],
        &["--since", "2026-01-01", "--read-by", "search"][..],
        &[
            "--contact",
            &contacts[0],
            "--contact",
            &contacts[1],
            "--contact",
            &contacts[2],
        ][..],
    ] {
        let _ = std::fs::remove_file(directory.path().join("part.csv"));
        let first = export(
            &fake,
            directory.path(),
            "part.csv",
            &[args, &["--max-messages", "50"]].concat(),
        )
        .await;
        assert_eq!(first.code, 1, "{args:?}: stopped: {first:?}");
        assert!(
            first.stdout.contains("run the same command again"),
            "{first:?}"
        );
        assert!(
            !directory.path().join("part.csv").exists(),
            "{args:?}: never a partial file under the final name"
        );
        assert!(directory.path().join("part.csv.partial").exists());
        let written = first.count("messages");
        assert!((50..1_500).contains(&written), "{args:?}: {written}");

        let rest = export(&fake, directory.path(), "part.csv", args).await;

        assert_eq!(rest.code, 0, "{args:?}: {rest:?}");
        let total = rest.count("messages");
        let file = std::fs::read_to_string(directory.path().join("part.csv")).unwrap();
        assert_eq!(
            file.lines().count() as u64,
            total + 1,
            "{args:?}: the header and each message once"
        );
        if args.is_empty() || args[0] == "--since" {
            // Every message (all are since 2026), listed or searched.
            assert_eq!(total, 1_500, "{args:?}");
            assert_eq!(
                file,
                std::fs::read_to_string(directory.path().join("whole.csv")).unwrap(),
                "{args:?}: the same file as one run's"
            );
        } else if args[0] == "--contact" {
            let of_three = (0..1_500).filter(|i| i % 7 < 3).count() as u64;
            assert_eq!(total, of_three, "{args:?}");
        }
        assert!(!directory.path().join("part.csv.partial").exists());
        assert!(!directory.path().join("part.csv.export-state.json").exists());
    }

    // Another export's state is not taken for this one's.
    let first = export(
        &fake,
        directory.path(),
        "other.jsonl",
        &["--max-messages", "100"],
    )
    .await;
    assert_eq!(first.code, 1, "{first:?}");
    let mismatch = export(
        &fake,
        directory.path(),
        "other.jsonl",
        &["--channel", "sms"],
    )
    .await;
    assert_eq!(mismatch.code, 1, "{mismatch:?}");
    assert!(mismatch.stderr.contains("--restart"), "{mismatch:?}");
    let restarted = export(
        &fake,
        directory.path(),
        "other.jsonl",
        &["--channel", "sms", "--restart"],
    )
    .await;
    assert_eq!(restarted.code, 0, "{restarted:?}");
    assert_eq!(restarted.count("messages"), 1_500);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_arguments_could_not_run() {
    let fake = fake(config()).await;
    let directory = tempfile::tempdir().unwrap();
    for args in [
        &["out.txt"][..],
        &[
            "out.jsonl",
            "--since",
            "2026-12-01",
            "--until",
            "2026-11-01",
        ],
        &["out.jsonl", "--since", "someday"],
        &["out.jsonl", "--channel", "fax"],
        &["out.jsonl", "--numbers", "missing.txt"],
        &["out.jsonl", "--contact", " "],
    ] {
        let run = export(&fake, directory.path(), args[0], &args[1..]).await;
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        assert!(!directory.path().join(args[0]).exists());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_exports_the_embedded_fakes_demo_messages() {
    let directory = tempfile::tempdir().unwrap();
    let mut command = common::without_token(directory.path());
    command.args([
        "export",
        "demo.jsonl",
        "--demo",
        "--progress",
        "plain",
        "--default-region",
        "US",
    ]);
    let run = common::run(command).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("embedded fake"), "{run:?}");
    let rows = jsonl(&directory.path().join("demo.jsonl"));
    assert_eq!(rows.len(), 2 * hubspot_comms::connect::DEMO_CONTACTS.len());
    assert!(rows.iter().all(|r| r["phone"].is_string()), "{rows:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn through_server_errors_and_dropped_connections_the_file_is_the_same() {
    use hubspot_communications_mock::{FaultKind, Faults};
    let faults = Faults::seeded(11)
        .with(FaultKind::Unavailable, 0.1)
        .with(FaultKind::BadGateway, 0.05)
        .with(FaultKind::DropBeforeStore, 0.05)
        .with(FaultKind::TruncatedBody, 0.05);
    let (clean, faulty) = (fake(roomy()).await, fake(roomy().faults(faults)).await);
    for fake in [&clean, &faulty] {
        // The same ids in both: one id sequence, seeded in one order.
        let contacts: Vec<String> = (0..5)
            .map(|i| contact(fake, &[("phone", &format!("+1415555010{i}"))]))
            .collect();
        for i in 0..300 {
            message(
                fake,
                &[
                    (CHANNEL, "SMS"),
                    (BODY, &format!("m{i}")),
                    (TIMESTAMP, "2026-11-02T09:00:00Z"),
                ],
                &[(ObjectType::Contact, &contacts[i % 5])],
            );
        }
    }
    let directory = tempfile::tempdir().unwrap();
    for args in [
        &[][..],
        &["--since", "2026-01-01", "--read-by", "search"][..],
    ] {
        let expected = export(&clean, directory.path(), "clean.jsonl", args).await;
        assert_eq!(expected.code, 0, "{expected:?}");
        let run = export(&faulty, directory.path(), "faulty.jsonl", args).await;
        assert_eq!(run.code, 0, "{args:?}: {run:?}");
        assert_eq!(
            std::fs::read(directory.path().join("faulty.jsonl")).unwrap(),
            std::fs::read(directory.path().join("clean.jsonl")).unwrap(),
            "{args:?}"
        );
    }
    assert!(
        faulty.stats().faults.values().sum::<u64>() > 0,
        "faults were met"
    );
}
