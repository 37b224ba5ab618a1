//! The binary against a fake HubSpot the test starts: imports land on the right contacts,
//! exactly once, bad rows are reported with their lines, the report can be imported again,
//! a dry run writes nothing, and the exit codes say what happened.

use crate::common;

use common::{config, contact, fake, import, one_per_key, report, write};
use hubspot_comms::DEFAULT_KEY_PROPERTY;
use hubspot_communications_mock::{FaultKind, Faults, ObjectType};

const TWILIO_HEADER: &str = "Sid,From,To,Body,Status,SentDate,ApiVersion,NumSegments,ErrorCode,AccountSid,NumMedia,Direction,Price,PriceUnit";

/// A row of Twilio's message-log export.
fn twilio(sid: &str, from: &str, to: &str, body: &str, sent: &str, direction: &str) -> String {
    format!(
        "{sid},{from},{to},\"{body}\",delivered,\"{sent}\",2010-04-01,1,,AC0000,0,{direction},-0.0079,USD"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_twilio_export_lands_on_the_right_contacts() {
    let fake = fake(config()).await;
    let linda = contact(&fake, &[("phone", "+1 415-555-0100")]);
    let carla = contact(&fake, &[("mobilephone", "(415) 555-0101")]);
    let sam = contact(&fake, &[("hs_whatsapp_phone_number", "+14155550102")]);
    let priya = contact(&fake, &[("phone", "+44 7911 123456")]);
    let ours = "+14155559999";
    let rows = [
        twilio(
            "SM001",
            "+14155550100",
            ours,
            "Is the contract ready?",
            "2026-11-02T09:15:00Z",
            "inbound",
        ),
        twilio(
            "SM002",
            ours,
            "+1 (415) 555-0101",
            "Sent it, Carla.",
            "2026-11-02T09:16:30Z",
            "outbound-api",
        ),
        twilio(
            "SM003",
            "whatsapp:+14155550102",
            "whatsapp:+14155559999",
            "Friday?",
            "2026-11-03T14:02:11Z",
            "inbound",
        ),
        twilio(
            "SM004",
            "whatsapp:+14155559999",
            "whatsapp:+447911123456",
            "Shipped.",
            "Wed, 04 Nov 2026 08:00:00 +0000",
            "outbound-reply",
        ),
        twilio(
            "SM005",
            "0014155550100",
            ours,
            "Thanks!",
            "1793700000",
            "inbound",
        ),
    ];
    let directory = tempfile::tempdir().unwrap();
    write(
        directory.path(),
        "export.csv",
        &format!("{TWILIO_HEADER}\n{}\n", rows.join("\n")),
    );

    let run = import(&fake, directory.path(), "export.csv", &[]).await;

    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.count("logged"), 5);
    let stored = one_per_key(&fake);
    let expected = [
        ("SM001", &linda, "SMS", "Is the contract ready?"),
        ("SM002", &carla, "SMS", "Sent it, Carla."),
        ("SM003", &sam, "WHATS_APP", "Friday?"),
        ("SM004", &priya, "WHATS_APP", "Shipped."),
        ("SM005", &linda, "SMS", "Thanks!"),
    ];
    assert_eq!(stored.len(), expected.len());
    for (key, contact, channel, body) in expected {
        let message = &stored[key];
        assert_eq!(
            &message.contacts,
            std::slice::from_ref(contact),
            "{key} on its contact"
        );
        assert_eq!(
            message.properties["hs_communication_channel_type"], channel,
            "{key}"
        );
        assert_eq!(message.properties["hs_communication_body"], body, "{key}");
    }
    assert!(report(&directory.path().join("export.csv.report.jsonl")).is_empty());
    assert!(
        !directory
            .path()
            .join("export.csv.report.jsonl.state.json")
            .exists(),
        "a complete run leaves no state"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn json_lines_with_national_numbers_in_a_default_region() {
    let fake = fake(config().phone_region("GB")).await;
    let mobile = contact(&fake, &[("mobilephone", "07911 123456")]);
    let office = contact(&fake, &[("phone", "020 7946 0958")]);
    let lines = [
        r#"{"id": "m1", "phone": "07911 123456", "body": "Hello from Leeds", "timestamp": "2026-11-01T10:00:00Z"}"#,
        r#"{"phone": "+44 20 7946 0958", "body": "Connected on LinkedIn", "timestamp": 1793527200000, "channel": "linkedin"}"#,
        r#"{"id": "m3", "phone": "0044 7911 123456", "body": "On WhatsApp now", "timestamp": "2026-11-01 12:00:00", "channel": "WhatsApp", "owner": "1234567"}"#,
    ];
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "history.jsonl", &lines.join("\n"));

    let run = import(
        &fake,
        directory.path(),
        "history.jsonl",
        &["--default-region", "GB"],
    )
    .await;

    assert_eq!(run.code, 0, "{run:?}");
    let stored = one_per_key(&fake);
    assert_eq!(stored.len(), 3);
    assert_eq!(stored["m1"].contacts, std::slice::from_ref(&mobile));
    assert_eq!(stored["m3"].contacts, [mobile]);
    assert_eq!(
        stored["m3"].properties["hs_communication_channel_type"],
        "WHATS_APP"
    );
    assert_eq!(stored["m3"].properties["hubspot_owner_id"], "1234567");
    let (hashed, linkedin) = stored
        .iter()
        .find(|(key, _)| key.starts_with("sha256:"))
        .expect("the row without id is keyed by a hash");
    assert_eq!(linkedin.contacts, [office], "{hashed}");
    assert_eq!(
        linkedin.properties["hs_communication_channel_type"],
        "LINKEDIN_MESSAGE"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_rows_and_rows_without_one_contact_are_reported_with_their_lines() {
    let fake = fake(config()).await;
    let linda = contact(&fake, &[("phone", "+14155550100")]);
    let twins = [
        contact(&fake, &[("phone", "+1 415 555 0188")]),
        contact(&fake, &[("mobilephone", "415-555-0188")]),
    ];
    let text = "\
Sid,From,To,Body,SentDate,Direction,Channel
SM1,+14155550100,+14155559999,Good,2026-11-02T09:00:00Z,inbound,
SM2,+14155559999,+14155550100,\"Two
lines\",2026-11-02T09:01:00Z,outbound-api,sms
SM3,,+14155559999,No number,2026-11-02T09:02:00Z,inbound,
SM4,12ab,+14155559999,Junk number,2026-11-02T09:03:00Z,inbound,
SM5,+14155550100,+14155559999,Bad date,yesterday,inbound,
SM6,+14155550100,+14155559999,Fax,2026-11-02T09:05:00Z,inbound,fax
SM7,+14155550100,+14155559999,,2026-11-02T09:06:00Z,inbound,
SM8,+14155550177,+14155559999,Nobody,2026-11-02T09:07:00Z,inbound,
SM9,+14155550188,+14155559999,Two people,2026-11-02T09:08:00Z,inbound,
SM10,+14155550100,+14155559999,Sideways,2026-11-02T09:09:00Z,sideways,
";
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "mixed.csv", text);

    let run = import(&fake, directory.path(), "mixed.csv", &[]).await;

    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.count("logged"), 2);
    assert_eq!(run.count("bad rows (skipped)"), 6);
    assert_eq!(run.count("contact not found"), 1);
    assert_eq!(run.count("contact ambiguous"), 1);
    let lines = report(&directory.path().join("mixed.csv.report.jsonl"));
    let found: Vec<(u64, &str)> = lines
        .iter()
        .map(|l| (l["line"].as_u64().unwrap(), l["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            (5, "bad_row"),
            (6, "bad_row"),
            (7, "bad_row"),
            (8, "bad_row"),
            (9, "bad_row"),
            (10, "not_found"),
            (11, "ambiguous"),
            (12, "bad_row"),
        ],
        "in file order, with the lines of the file (row 2 spans lines 3 and 4)"
    );
    let reasons: Vec<&str> = lines
        .iter()
        .map(|l| l["reason"].as_str().unwrap())
        .collect();
    for (reason, expected) in reasons.iter().zip([
        "no phone number",
        "not a phone number",
        "unparsable date",
        "unknown channel",
        "no message body",
        "no contact holds +14155550177",
        "2 contacts hold +14155550188",
        "unknown direction",
    ]) {
        assert!(reason.contains(expected), "{reason:?} says {expected:?}");
    }
    let mut ambiguous: Vec<String> = serde_json::from_value(lines[6]["contacts"].clone()).unwrap();
    ambiguous.sort();
    let mut twins = twins.to_vec();
    twins.sort();
    assert_eq!(ambiguous, twins);
    assert_eq!(lines[0]["row"]["Sid"], "SM3", "the row as read");
    let stored = one_per_key(&fake);
    assert_eq!(stored.keys().collect::<Vec<_>>(), ["SM1", "SM2"]);
    assert_eq!(stored["SM2"].contacts, [linda]);
    assert_eq!(
        stored["SM2"].properties["hs_communication_body"],
        "Two\nlines"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn lines_that_are_not_json_objects_are_bad_rows() {
    let fake = fake(config()).await;
    contact(&fake, &[("phone", "+14155550100")]);
    let text = "{\"phone\": \"+14155550100\", \"body\": \"ok\", \"timestamp\": \"2026-11-02T09:00:00Z\"}\n\
        \n\
        not json at all\n\
        [\"an\", \"array\"]\n\
        {\"phone\": \"+14155550100\", \"body\": \"ok too\", \"timestamp\": \"2026-11-02T09:01:00Z\"}\n";
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "lines.jsonl", text);

    let run = import(&fake, directory.path(), "lines.jsonl", &[]).await;

    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.count("logged"), 2);
    let lines = report(&directory.path().join("lines.jsonl.report.jsonl"));
    assert_eq!(lines.len(), 2);
    assert_eq!(
        (lines[0]["line"].as_u64(), lines[0]["text"].as_str()),
        (Some(3), Some("not json at all"))
    );
    assert_eq!(lines[1]["line"], 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rerun_logs_nothing_twice() {
    let fake = fake(config()).await;
    let linda = contact(&fake, &[("phone", "+14155550100")]);
    let rows: Vec<String> = (0..250)
        .map(|i| {
            let sent = format!("2026-11-02T09:{:02}:{:02}Z", i / 60, i % 60);
            twilio(
                &format!("SM{i:04}"),
                "+14155550100",
                "+14155559999",
                &format!("m{i}"),
                &sent,
                "inbound",
            )
        })
        .collect();
    let directory = tempfile::tempdir().unwrap();
    write(
        directory.path(),
        "export.csv",
        &format!("{TWILIO_HEADER}\n{}\n", rows.join("\n")),
    );

    let first = import(&fake, directory.path(), "export.csv", &[]).await;
    let again = import(&fake, directory.path(), "export.csv", &[]).await;

    assert_eq!((first.code, again.code), (0, 0), "{first:?}\n{again:?}");
    assert_eq!(
        (first.count("logged"), first.count("already logged")),
        (250, 0)
    );
    assert_eq!(
        (again.count("logged"), again.count("already logged")),
        (0, 250)
    );
    let stored = one_per_key(&fake);
    assert_eq!(stored.len(), 250);
    assert!(stored.values().all(|m| m.contacts == [linda.clone()]));
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_repeating_a_key_are_one_message() {
    let fake = fake(config()).await;
    contact(&fake, &[("phone", "+14155550100")]);
    let row = twilio(
        "SMdup",
        "+14155550100",
        "+14155559999",
        "Twice in the export",
        "2026-11-02T09:00:00Z",
        "inbound",
    );
    let directory = tempfile::tempdir().unwrap();
    write(
        directory.path(),
        "export.csv",
        &format!("{TWILIO_HEADER}\n{row}\n{row}\n"),
    );

    let run = import(&fake, directory.path(), "export.csv", &[]).await;

    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!((run.count("logged"), run.count("already logged")), (1, 1));
    assert_eq!(one_per_key(&fake).len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_stopped_by_max_rows_resumes_where_it_stopped() {
    let fake = fake(config()).await;
    let contacts: Vec<String> = (0..4)
        .map(|i| contact(&fake, &[("phone", &format!("+1415555010{i}"))]))
        .collect();
    let lines: Vec<String> = (0..100)
        .map(|i| {
            format!(
                r#"{{"id": "k{i}", "phone": "+1415555010{}", "body": "m{i}", "timestamp": {}}}"#,
                i % 4,
                1_793_500_000 + i
            )
        })
        .collect();
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "history.jsonl", &lines.join("\n"));
    let state = directory
        .path()
        .join("history.jsonl.report.jsonl.state.json");

    let first = import(
        &fake,
        directory.path(),
        "history.jsonl",
        &["--max-rows", "40"],
    )
    .await;

    assert_eq!(first.code, 1, "stopped early: {first:?}");
    assert!(
        first.stdout.contains("run the same command again"),
        "{first:?}"
    );
    assert!(state.exists());
    assert_eq!(fake.message_count(), 40);

    let rest = import(&fake, directory.path(), "history.jsonl", &[]).await;

    assert_eq!(rest.code, 0, "{rest:?}");
    assert_eq!(rest.count("rows"), 100, "the summary covers both runs");
    assert_eq!(rest.count("logged"), 100);
    assert_eq!(
        rest.count("already logged"),
        0,
        "the second run redid nothing"
    );
    assert!(!state.exists());
    let stored = one_per_key(&fake);
    assert_eq!(stored.len(), 100);
    for i in 0..100 {
        assert_eq!(stored[&format!("k{i}")].contacts, [contacts[i % 4].clone()]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_report_can_be_imported_again() {
    let fake = fake(config()).await;
    contact(&fake, &[("phone", "+14155550100")]);
    let rows = [
        twilio(
            "SM1",
            "+14155550100",
            "+14155559999",
            "Found",
            "2026-11-02T09:00:00Z",
            "inbound",
        ),
        twilio(
            "SM2",
            "+14155550177",
            "+14155559999",
            "Not yet",
            "2026-11-02T09:01:00Z",
            "inbound",
        ),
        twilio(
            "SM3",
            "+14155559999",
            "+14155550177",
            "Still not",
            "2026-11-02T09:02:00Z",
            "outbound-api",
        ),
        twilio(
            "SM4",
            "+14155550177",
            "+14155559999",
            "Bad date",
            "someday",
            "inbound",
        ),
    ];
    let directory = tempfile::tempdir().unwrap();
    write(
        directory.path(),
        "export.csv",
        &format!("{TWILIO_HEADER}\n{}\n", rows.join("\n")),
    );
    let first = import(&fake, directory.path(), "export.csv", &[]).await;
    assert_eq!(first.code, 2, "{first:?}");
    assert_eq!(first.count("contact not found"), 2);

    // The missing contact exists now; the report is the next input.
    let late = contact(&fake, &[("phone", "+1 415 555 0177")]);
    let again = import(&fake, directory.path(), "export.csv.report.jsonl", &[]).await;

    assert_eq!(again.code, 2, "the bad date is still bad: {again:?}");
    assert_eq!(again.count("rows"), 3);
    assert_eq!(again.count("logged"), 2);
    assert_eq!(again.count("bad rows (skipped)"), 1);
    let stored = one_per_key(&fake);
    assert_eq!(stored.keys().collect::<Vec<_>>(), ["SM1", "SM2", "SM3"]);
    assert_eq!(stored["SM2"].contacts, std::slice::from_ref(&late));
    assert_eq!(stored["SM3"].contacts, [late]);
    let still = report(
        &directory
            .path()
            .join("export.csv.report.jsonl.report.jsonl"),
    );
    assert_eq!(still.len(), 1);
    assert_eq!(
        still[0]["line"], 3,
        "its line in the report it was read from"
    );
    assert_eq!(still[0]["row"]["Sid"], "SM4");
}

/// Numbers of ranges opened after the numbering metadata the build carries (`+1 472`,
/// Kenya's `1…`, Nigeria's `9100`) are logged on the contacts that hold them, however those
/// hold them; the report warns of each (the logged ones included, which importing the report
/// skips), and the summary counts them.
#[tokio::test(flavor = "multi_thread")]
async fn numbers_of_ranges_newer_than_the_metadata_are_logged_with_a_warning() {
    let fake = fake(config()).await;
    let wanjiru = contact(&fake, &[("mobilephone", "+254 181 520498")]);
    let dana = contact(&fake, &[("phone", "(472) 555-8166")]);
    let chidi = contact(&fake, &[("hs_whatsapp_phone_number", "+2349100424019")]);
    let linda = contact(&fake, &[("phone", "+1 415-555-0100")]);
    let ours = "+14155559999";
    let rows = [
        twilio(
            "SM1",
            "+254181520498",
            ours,
            "Habari",
            "2026-11-02T09:00:00Z",
            "inbound",
        ),
        twilio(
            "SM2",
            ours,
            "+1 (472) 555-8166",
            "Hi Dana",
            "2026-11-02T09:01:00Z",
            "outbound-api",
        ),
        twilio(
            "SM3",
            "whatsapp:+2349100424019",
            "whatsapp:+14155559999",
            "Good morning",
            "2026-11-02T09:02:00Z",
            "inbound",
        ),
        twilio(
            "SM4",
            "+14155550100",
            ours,
            "Known range",
            "2026-11-02T09:03:00Z",
            "inbound",
        ),
        // Too short for Kenya (six digits): refused as a number, not guessed.
        twilio(
            "SM5",
            "+254 181 520",
            ours,
            "Short",
            "2026-11-02T09:04:00Z",
            "inbound",
        ),
        // A new range no contact holds.
        twilio(
            "SM6",
            "+2349100424020",
            ours,
            "Nobody",
            "2026-11-02T09:05:00Z",
            "inbound",
        ),
    ];
    let directory = tempfile::tempdir().unwrap();
    write(
        directory.path(),
        "export.csv",
        &format!("{TWILIO_HEADER}\n{}\n", rows.join("\n")),
    );

    let run = import(&fake, directory.path(), "export.csv", &[]).await;

    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.count("logged"), 4);
    assert_eq!(run.count("bad rows (skipped)"), 1);
    assert_eq!(run.count("contact not found"), 1);
    assert_eq!(run.count("numbers not in metadata"), 4);
    let stored = one_per_key(&fake);
    assert_eq!(stored.len(), 4);
    for (key, contact) in [
        ("SM1", &wanjiru),
        ("SM2", &dana),
        ("SM3", &chidi),
        ("SM4", &linda),
    ] {
        assert_eq!(
            &stored[key].contacts,
            std::slice::from_ref(contact),
            "{key}"
        );
    }
    let lines = report(&directory.path().join("export.csv.report.jsonl"));
    let found: Vec<(u64, &str, &str)> = lines
        .iter()
        .map(|l| {
            let number = l["number"].as_str().unwrap_or_default();
            (
                l["line"].as_u64().unwrap(),
                l["outcome"].as_str().unwrap(),
                number,
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (2, "logged", "+254181520498"),
            (3, "logged", "+14725558166"),
            (4, "logged", "+2349100424019"),
            (6, "bad_row", ""),
            (7, "not_found", "+2349100424020"),
        ]
    );
    for line in [&lines[0], &lines[1], &lines[2], &lines[4]] {
        let warning = line["warning"].as_str().unwrap_or_default();
        let metadata = hubspot_communications::PhoneNumber::METADATA_VERSION;
        assert!(
            warning.contains(&format!("libphonenumber {metadata}")),
            "{line}"
        );
        assert!(warning.contains(line["number"].as_str().unwrap()), "{line}");
    }
    assert!(
        lines[3]["reason"].as_str().unwrap().contains("+254"),
        "{}",
        lines[3]
    );
    assert!(lines[3].get("warning").is_none());

    // The report is the next input: its logged lines are skipped, the others read again.
    let again = import(&fake, directory.path(), "export.csv.report.jsonl", &[]).await;
    assert_eq!(again.count("rows"), 2, "{again:?}");
    assert_eq!(again.count("logged"), 0);
    assert_eq!(one_per_key(&fake).len(), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_writes_nothing() {
    let fake = fake(config()).await;
    contact(&fake, &[("phone", "+14155550100")]);
    let rows = [
        twilio(
            "SM1",
            "+14155550100",
            "+14155559999",
            "Found",
            "2026-11-02T09:00:00Z",
            "inbound",
        ),
        twilio(
            "SM2",
            "+14155550177",
            "+14155559999",
            "Nobody",
            "2026-11-02T09:01:00Z",
            "inbound",
        ),
    ];
    let directory = tempfile::tempdir().unwrap();
    write(
        directory.path(),
        "export.csv",
        &format!("{TWILIO_HEADER}\n{}\n", rows.join("\n")),
    );
    let contacts = fake.records(ObjectType::Contact).len();

    let run = import(
        &fake,
        directory.path(),
        "export.csv",
        &["--dry-run", "--create-missing-contacts"],
    )
    .await;

    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.count("would be logged"), 2);
    assert_eq!(fake.message_count(), 0, "no message");
    assert_eq!(
        fake.records(ObjectType::Contact).len(),
        contacts,
        "no contact"
    );
    assert!(
        directory
            .path()
            .join("export.csv.dry-run.report.jsonl")
            .exists()
    );
    assert!(!directory.path().join("export.csv.report.jsonl").exists());
    assert!(
        !directory
            .path()
            .join("export.csv.dry-run.report.jsonl.state.json")
            .exists()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_contacts_are_created_once_each() {
    let fake = fake(config()).await;
    let rows: Vec<String> = (0..30)
        .map(|i| {
            let number = format!("+1415555{:04}", 200 + i % 3);
            twilio(
                &format!("SM{i}"),
                &number,
                "+14155559999",
                "Hi",
                &format!("17935000{i:02}"),
                "inbound",
            )
        })
        .collect();
    let directory = tempfile::tempdir().unwrap();
    write(
        directory.path(),
        "export.csv",
        &format!("{TWILIO_HEADER}\n{}\n", rows.join("\n")),
    );

    let run = import(
        &fake,
        directory.path(),
        "export.csv",
        &["--create-missing-contacts"],
    )
    .await;

    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.count("contacts created"), 3);
    assert_eq!(fake.records(ObjectType::Contact).len(), 3);
    let stored = one_per_key(&fake);
    assert_eq!(stored.len(), 30);
    for i in 0..30 {
        let same_number = &stored[&format!("SM{}", i % 3)].contacts;
        assert_eq!(&stored[&format!("SM{i}")].contacts, same_number);
        assert_eq!(same_number.len(), 1);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_codes_say_what_happened() {
    let directory = tempfile::tempdir().unwrap();
    let row = twilio(
        "SM1",
        "+14155550100",
        "+14155559999",
        "Hi",
        "2026-11-02T09:00:00Z",
        "inbound",
    );
    write(
        directory.path(),
        "export.csv",
        &format!("{TWILIO_HEADER}\n{row}\n"),
    );
    write(directory.path(), "export.txt", "");

    // No unique key property: could not run, and says what to create.
    let bare = fake(hubspot_communications_mock::Config::default().token(common::TOKEN)).await;
    contact(&bare, &[("phone", "+14155550100")]);
    let run = import(&bare, directory.path(), "export.csv", &[]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(DEFAULT_KEY_PROPERTY) && run.stderr.contains("`hubspot-comms setup`"),
        "{run:?}"
    );
    assert_eq!(bare.message_count(), 0);

    let fake = fake(config()).await;
    contact(&fake, &[("phone", "+14155550100")]);
    let unknown_format = import(&fake, directory.path(), "export.txt", &[]).await;
    assert_eq!(unknown_format.code, 1, "{unknown_format:?}");
    assert!(unknown_format.stderr.contains("--format"));
    let missing = import(&fake, directory.path(), "nowhere.csv", &[]).await;
    assert_eq!(missing.code, 1, "{missing:?}");
    let bad_argument = import(&fake, directory.path(), "export.csv", &["--channel", "fax"]).await;
    assert_eq!(bad_argument.code, 1, "{bad_argument:?}");
    let help = import(&fake, directory.path(), "--help", &[]).await;
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Exit codes") && help.stdout.contains("external_message_id"));

    // Every upsert's answer is lost after it is stored: the fate of the row is unknown.
    let lossy = fake_with_lost_answers().await;
    contact(&lossy, &[("phone", "+14155550100")]);
    let unknown = import(
        &lossy,
        directory.path(),
        "export.csv",
        &["--report", "lossy.jsonl"],
    )
    .await;
    assert_eq!(unknown.code, 3, "{unknown:?}");
    assert_eq!(unknown.count("fate unknown"), 1);
    assert_eq!(
        report(&directory.path().join("lossy.jsonl"))[0]["outcome"],
        "unknown"
    );
}

async fn fake_with_lost_answers() -> hubspot_communications_mock::MockServer {
    let faults = Faults::seeded(7)
        .with(FaultKind::DropAfterStore, 1.0)
        .on("batch/upsert");
    fake(config().faults(faults)).await
}

/// `--version` names the numbering metadata numbers are read with, which the report's warnings
/// name too.
#[tokio::test(flavor = "multi_thread")]
async fn the_version_names_the_numbering_metadata() {
    let directory = tempfile::tempdir().unwrap();
    for flag in ["--version", "-V"] {
        let mut command = common::without_token(directory.path());
        command.arg(flag);
        let shown = common::run(command).await;
        assert_eq!(shown.code, 0, "{shown:?}");
        let expected = format!(
            "hubspot-comms {} (phone numbering metadata: libphonenumber {})",
            env!("CARGO_PKG_VERSION"),
            hubspot_communications::PhoneNumber::METADATA_VERSION
        );
        assert_eq!(shown.stdout.trim(), expected);
    }
}
