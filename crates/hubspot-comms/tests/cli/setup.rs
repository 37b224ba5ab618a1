//! `hubspot-comms setup`: makes sure of the key property through the Properties API, says
//! what it did, changes nothing on a second run or on a property it cannot use; `import`
//! reads the property's definition and names `setup` when it is missing; a message body
//! longer than HubSpot stores is a bad row with its line.

use crate::common;

use std::path::Path;

use common::{Run, TOKEN, config, contact, fake, import, one_per_key, report, run, write};
use hubspot_comms::DEFAULT_KEY_PROPERTY;
use hubspot_communications_mock::{
    Config, MAX_TEXT_PROPERTY_CHARS, MockServer, PropertyDefinition, PropertyOwner,
};

/// `hubspot-comms setup ARGS...` against `fake`, to its end.
async fn setup(fake: &MockServer, directory: &Path, args: &[&str]) -> Run {
    let mut command = common::command(fake, directory);
    command.arg("setup").args(args);
    run(command).await
}

fn bare() -> Config {
    Config::default().token(TOKEN)
}

const ROW: &str = r#"{"id": "SM1", "phone": "+1 415 555 0100", "body": "Hi", "timestamp": "2026-11-02T09:00:00Z"}"#;

#[tokio::test(flavor = "multi_thread")]
async fn setup_creates_the_key_property_once_and_import_then_logs() {
    let fake = fake(bare()).await;
    contact(&fake, &[("phone", "+14155550100")]);
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "history.jsonl", ROW);

    let before = import(&fake, directory.path(), "history.jsonl", &[]).await;
    assert_eq!(before.code, 1, "{before:?}");
    assert!(before.stderr.contains("hubspot-comms setup"), "{before:?}");

    let first = setup(&fake, directory.path(), &[]).await;
    assert_eq!(first.code, 0, "{first:?}");
    assert!(
        first
            .stdout
            .contains("created the key property external_message_id"),
        "{first:?}"
    );
    let again = setup(&fake, directory.path(), &[]).await;
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("nothing to do"), "{again:?}");

    let run = import(&fake, directory.path(), "history.jsonl", &[]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.count("logged"), 1);
    assert!(one_per_key(&fake).contains_key("SM1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn setup_and_import_take_the_same_key_property_flag() {
    for version in ["v3", "2026-03", "2026-09"] {
        let fake = fake(bare()).await;
        contact(&fake, &[("phone", "+14155550100")]);
        let directory = tempfile::tempdir().unwrap();
        write(directory.path(), "history.jsonl", ROW);
        let mut command = common::command(&fake, directory.path());
        command
            .env("HUBSPOT_API_VERSION", version)
            .args(["setup", "--key-property", "twilio_sid"]);
        let made = run(command).await;
        assert_eq!(made.code, 0, "{version}: {made:?}");
        assert!(made.stdout.contains("twilio_sid"), "{made:?}");
        let mut command = common::command(&fake, directory.path());
        command.env("HUBSPOT_API_VERSION", version).args([
            "import",
            "history.jsonl",
            "--key-property",
            "twilio_sid",
        ]);
        let imported = run(command).await;
        assert_eq!(imported.code, 0, "{version}: {imported:?}");
        let stored: Vec<_> = fake.messages().into_iter().map(|(_, p)| p).collect();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0]["twilio_sid"], "SM1");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_property_that_cannot_key_messages_is_left_alone_and_explained() {
    let config = bare().property(
        PropertyOwner::Communication,
        PropertyDefinition::string(DEFAULT_KEY_PROPERTY),
    );
    let fake = fake(config).await;
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "history.jsonl", ROW);

    let refused = setup(&fake, directory.path(), &[]).await;
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.stderr.contains("does not require unique values"),
        "{refused:?}"
    );
    let import = import(&fake, directory.path(), "history.jsonl", &[]).await;
    assert_eq!(import.code, 1, "{import:?}");
    assert!(
        import.stderr.contains("cannot key messages") && import.stderr.contains("unique"),
        "{import:?}"
    );
    assert_eq!(fake.message_count(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_without_the_scope_is_told_which_scope_hubspot_asked_for() {
    let config = Config::default().scoped_token(TOKEN, ["crm.objects.contacts.read"]);
    let fake = fake(config).await;
    let directory = tempfile::tempdir().unwrap();
    let refused = setup(&fake, directory.path(), &[]).await;
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.stderr.contains("crm.schemas.contacts.write"),
        "{refused:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_longer_than_hubspot_stores_is_reported_with_its_line_not_sent() {
    let fake = fake(config()).await;
    contact(&fake, &[("phone", "+14155550100")]);
    let long = "x".repeat(MAX_TEXT_PROPERTY_CHARS + 1);
    let fits = "y".repeat(MAX_TEXT_PROPERTY_CHARS);
    let rows = [
        ROW.to_owned(),
        format!(
            r#"{{"id": "SM2", "phone": "+14155550100", "body": "{long}", "timestamp": "2026-11-02T09:01:00Z"}}"#
        ),
        format!(
            r#"{{"id": "SM3", "phone": "+14155550100", "body": "{fits}", "timestamp": "2026-11-02T09:02:00Z"}}"#
        ),
    ];
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "history.jsonl", &rows.join("\n"));

    let run = import(&fake, directory.path(), "history.jsonl", &[]).await;

    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.count("logged"), 2);
    let stored = one_per_key(&fake);
    assert!(!stored.contains_key("SM2"), "the long row was not sent");
    assert_eq!(
        stored["SM3"].properties["hs_communication_body"].len(),
        MAX_TEXT_PROPERTY_CHARS
    );
    let reported = report(&directory.path().join("history.jsonl.report.jsonl"));
    assert_eq!(reported.len(), 1);
    assert_eq!(reported[0]["line"], 2);
    assert_eq!(reported[0]["outcome"], "bad_row");
    assert!(
        reported[0]["reason"].as_str().unwrap().contains("65536"),
        "{}",
        reported[0]["reason"]
    );
}
