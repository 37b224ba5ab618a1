//! `hubspot-comms follow`: the webhooks journal as JSON Lines, from a checkpoint; killed
//! (SIGKILL) at random moments and run again, every event is written, in order, and once when
//! lines repeated after a kill (same offset and index) are dropped; an offset the journal no
//! longer holds ends the run with its own code; nothing runs without app credentials but
//! `--demo`, and the secret is never printed.

use std::collections::HashSet;
use std::fs::OpenOptions;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use hubspot_communications_mock::{
    Config, MockServer, ObjectSubscription, ObjectType, WebhooksJournal,
};
use serde_json::Value;

use crate::common::{run, without_token};

const APP: &str = "follow-app";
const SECRET: &str = "cs-follow-very-secret";

/// A fake that knows the app, its journal subscribed to messages and contacts (entries of at
/// most `per_entry` events), with `pairs` contacts each with a message associated (four events
/// a pair: two creations, the association seen from both sides).
async fn journaled(pairs: usize, per_entry: usize, retention: Duration) -> MockServer {
    let journal = ObjectSubscription::defaults().into_iter().fold(
        WebhooksJournal::default()
            .max_events_per_entry(per_entry)
            .retention(retention),
        |journal, s| journal.subscribe(s),
    );
    let fake = MockServer::start_with(
        Config::default()
            .oauth_app(APP, SECRET)
            .webhooks_journal(journal),
    )
    .await
    .unwrap();
    add(&fake, 0..pairs);
    fake
}

fn add(fake: &MockServer, pairs: std::ops::Range<usize>) {
    for i in pairs {
        let contact = fake.seed_record(
            ObjectType::Contact,
            &[("email", &format!("c{i}@example.com"))],
        );
        fake.seed_message(
            &[
                ("hs_communication_channel_type", "SMS"),
                ("hs_communication_body", &format!("message {i}")),
            ],
            &[(ObjectType::Contact, &contact)],
        );
    }
}

/// `hubspot-comms follow --checkpoint FILE --until-caught-up ARGS` as the app, against `fake`.
fn follow(fake: &MockServer, directory: &Path, args: &[&str]) -> Command {
    let mut command = without_token(directory);
    command
        .env("HUBSPOT_CLIENT_ID", APP)
        .env("HUBSPOT_CLIENT_SECRET", SECRET)
        .env("HUBSPOT_BASE_URL", fake.base_url())
        .args([
            "follow",
            "--checkpoint",
            "journal.offset",
            "--until-caught-up",
        ])
        .args(args);
    command
}

/// The lines of `text`, parsed.
fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).expect("a line is JSON"))
        .collect()
}

/// The events of `lines`, each `(offset, index)` once, in order.
fn deduplicated(lines: &[Value]) -> Vec<Value> {
    let mut seen = HashSet::new();
    lines
        .iter()
        .filter(|line| seen.insert((line["offset"].to_string(), line["index"].to_string())))
        .map(|line| line["event"].clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn follows_from_its_checkpoint_and_writes_each_event_with_its_offset() {
    let fake = journaled(10, 7, Duration::from_secs(3600)).await;
    let directory = tempfile::tempdir().unwrap();
    let first = run(follow(&fake, directory.path(), &[])).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    let written = lines(&first.stdout);
    assert_eq!(written.len(), 40);
    assert_eq!(deduplicated(&written), fake.journal_events());
    // Each line carries its entry's offset; an entry's lines are together, indexed from 0.
    for pair in written.windows(2) {
        let same = pair[0]["offset"] == pair[1]["offset"];
        let next = pair[1]["index"].as_u64().unwrap();
        assert_eq!(
            next,
            if same {
                pair[0]["index"].as_u64().unwrap() + 1
            } else {
                0
            }
        );
    }
    // Nothing new: nothing written; then only what is new.
    let again = run(follow(&fake, directory.path(), &[])).await;
    assert_eq!(
        (again.code, again.stdout.as_str()),
        (0, ""),
        "{}",
        again.stderr
    );
    add(&fake, 10..12);
    let more = run(follow(&fake, directory.path(), &[])).await;
    let more = lines(&more.stdout);
    assert_eq!(more.len(), 8);
    let mut all = written.clone();
    all.extend(more);
    assert_eq!(deduplicated(&all), fake.journal_events());
    // The secret appears nowhere.
    assert!(!format!("{}{}", first.stderr, first.stdout).contains(SECRET));
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_at_random_moments_every_event_is_written_in_order_once_deduplicated() {
    let fake = journaled(1_500, 5, Duration::from_secs(3600)).await;
    let journaled = fake.journal_events();
    assert_eq!(journaled.len(), 6_000);
    let directory = tempfile::tempdir().unwrap();
    let output = directory.path().join("events.jsonl");
    let appended = || {
        Stdio::from(
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(&output)
                .unwrap(),
        )
    };
    let mut rng_state = 0x2545_f491_4f6c_dd1d_u64;
    let mut random = move |bound: u64| {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        rng_state % bound
    };
    let mut kills = 0;
    let mut written_before: Vec<Value> = Vec::new();
    for _ in 0..6 {
        let mut child = follow(&fake, directory.path(), &[])
            .stdout(appended())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(30 + random(250))).await;
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
        let now = lines(&std::fs::read_to_string(&output).unwrap_or_default());
        // After a kill, at most the entry after the checkpoint is written again.
        let repeated: HashSet<String> = now[written_before.len()..]
            .iter()
            .filter(|line| written_before.contains(*line))
            .map(|line| line["offset"].to_string())
            .collect();
        assert!(repeated.len() <= 1, "{repeated:?}");
        written_before = now;
    }
    let last = run(follow(&fake, directory.path(), &[])).await;
    assert_eq!(last.code, 0, "{}", last.stderr);
    let mut all = written_before;
    all.extend(lines(&last.stdout));
    assert_eq!(deduplicated(&all), journaled, "after {kills} kills");
    assert!(kills > 0, "no run was killed: make the journal longer");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_offset_past_the_retention_ends_the_run_with_its_own_code() {
    let fake = journaled(3, 2, Duration::from_millis(300)).await;
    let directory = tempfile::tempdir().unwrap();
    let first = run(follow(&fake, directory.path(), &[])).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    tokio::time::sleep(Duration::from_millis(400)).await;
    add(&fake, 3..4);
    let gone = run(follow(&fake, directory.path(), &[])).await;
    assert_eq!(gone.code, 4, "{}", gone.stderr);
    assert!(gone.stdout.is_empty());
    assert!(
        gone.stderr.contains("no longer holds offset"),
        "{}",
        gone.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_runs_without_app_credentials_but_the_demo() {
    let directory = tempfile::tempdir().unwrap();
    let mut refused = without_token(directory.path());
    refused
        .env_remove("HUBSPOT_CLIENT_ID")
        .env_remove("HUBSPOT_CLIENT_SECRET")
        .args(["follow", "--until-caught-up"]);
    let refused = run(refused).await;
    assert_eq!(refused.code, 1);
    assert!(refused.stdout.is_empty());
    assert!(
        refused.stderr.contains("HUBSPOT_CLIENT_ID"),
        "{}",
        refused.stderr
    );

    let mut demo = without_token(directory.path());
    demo.env_remove("HUBSPOT_CLIENT_ID")
        .env_remove("HUBSPOT_CLIENT_SECRET")
        .args(["follow", "--demo", "--until-caught-up"]);
    let demo = run(demo).await;
    assert_eq!(demo.code, 0, "{}", demo.stderr);
    assert_eq!(lines(&demo.stdout).len(), 20, "{}", demo.stdout);

    // A secret given on the command line is not printed, whatever happens.
    let mut unreachable = without_token(directory.path());
    unreachable.env_remove("HUBSPOT_CLIENT_SECRET").args([
        "follow",
        "--client-id",
        "app",
        "--client-secret",
        "cs-never-printed",
        "--base-url",
        "http://127.0.0.1:9",
        "--until-caught-up",
    ]);
    let unreachable = run(unreachable).await;
    assert_eq!(unreachable.code, 1);
    assert!(
        !format!("{}{}", unreachable.stdout, unreachable.stderr).contains("cs-never-printed"),
        "{}",
        unreachable.stderr
    );
}
