//! `cargo bench -p hubspot-comms --bench follow`: `hubspot-comms follow` (the release binary,
//! as users run it) reading 100,000 changes from the fake's webhooks journal.
//!
//! The changes, made through the API and the fake's seeding: 20,000 contacts created, 20,000
//! messages created on a contact each (a creation and an association added), 20,000 message
//! bodies changed, 10,000 messages archived, 5,000 associations removed and 5,000 contacts
//! archived; journaled for subscriptions to messages (create, update of the body, delete,
//! association added and removed) and contacts (create, update of the e-mail, delete): 100,000
//! events, up to 100 an entry.
//!
//! 1. One read, to the end: entries and events a second, and the follower's peak memory (its
//!    resident set's high-water mark, `VmHWM` of `/proc/PID/status`, read every 2 ms while it
//!    runs: `wait4`'s `ru_maxrss` would count the benchmark's own memory, which the child holds
//!    between fork and exec; the goal is under 64 MiB).
//! 2. The same read with the follower killed (SIGKILL) at 20 random moments, each time started
//!    again from its checkpoint, then run to the end: the lines of all runs, deduplicated by
//!    (offset, index), must be the journal's events, in order, each once; after each kill, at
//!    most one entry is written again.
//!
//! `-- --changes N` makes N changes instead (rounded to the mix above); `-- --no-kills` skips 2.

use std::collections::HashSet;
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hubspot_communications::{
    ApiVersion, Association, Client, MessageUpdate, RateLimit, Record, UpdateInput,
};
use hubspot_communications_mock::{
    Config, JournalAction, MockServer, ObjectSubscription, ObjectType, PropertyOwner,
    RateLimit as FakeRateLimit, WebhooksJournal,
};
use serde_json::Value;

const APP: &str = "bench-app";
const SECRET: &str = "bench-app-secret";
const KILLS: usize = 20;
const GOAL_MIB: f64 = 64.0;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let changes = args
        .iter()
        .position(|a| a == "--changes")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(100_000);
    let kills = !args.iter().any(|a| a == "--no-kills");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let fake = journaled(changes).await;
        let journal = fake.journal_events();
        println!(
            "follow: {} events journaled ({changes} changes asked for) in {} entries of up to 100",
            journal.len(),
            journal.len().div_ceil(100)
        );
        let directory = tempfile::tempdir().unwrap();

        // 1. One read to the end.
        let output = directory.path().join("once.jsonl");
        let started = Instant::now();
        let child = follower(&fake, directory.path(), "once.offset", &output);
        let (status, peak_kib) = wait_with_peak(child);
        let elapsed = started.elapsed().as_secs_f64();
        assert!(status == 0, "follow exited {status}");
        let lines = read_lines(&output);
        let entries: HashSet<&str> = lines.iter().filter_map(|l| l["offset"].as_str()).collect();
        let peak_mib = peak_kib as f64 / 1024.0;
        println!(
            "read once: {} entries, {} events in {elapsed:.2} s: {:.0} entries/s, {:.0} events/s; \
             peak memory {peak_mib:.1} MiB ({} the {GOAL_MIB} MiB goal)",
            entries.len(),
            lines.len(),
            entries.len() as f64 / elapsed,
            lines.len() as f64 / elapsed,
            if peak_mib < GOAL_MIB { "under" } else { "OVER" }
        );
        check(&lines, &journal, "read once");
        if !kills {
            return;
        }

        // 2. Killed at 20 random moments, restarted from the checkpoint each time.
        let output = directory.path().join("killed.jsonl");
        let mut random = Random(0x9e37_79b9_7f4a_7c15);
        let mut killed = 0;
        let mut repeated_entries = 0;
        let mut written = 0;
        let started = Instant::now();
        // Each run lives a random part of 1/20 of a whole read (the read above took
        // `elapsed`), so that 20 kills fall before the journal is read to its end.
        let span_ms = ((elapsed * 1000.0) as u64 / KILLS as u64).max(20);
        while killed < KILLS {
            let mut child = follower(&fake, directory.path(), "killed.offset", &output);
            std::thread::sleep(Duration::from_millis(10 + random.below(span_ms)));
            if child.try_wait().unwrap().is_some() {
                break;
            }
            // SIGKILL: no chance to clean up.
            child.kill().unwrap();
            child.wait().unwrap();
            killed += 1;
            let now = read_lines(&output);
            repeated_entries += repeated(&now[..written], &now[written..]);
            written = now.len();
        }
        let child = follower(&fake, directory.path(), "killed.offset", &output);
        let (status, _) = wait_with_peak(child);
        assert!(status == 0, "the last follow exited {status}");
        let lines = read_lines(&output);
        println!(
            "killed {killed} times and restarted: {} lines written for {} events ({} entries \
             written again after a kill) in {:.2} s",
            lines.len(),
            journal.len(),
            repeated_entries,
            started.elapsed().as_secs_f64()
        );
        assert!(
            repeated_entries <= killed,
            "more than one entry written again after a kill"
        );
        check(&lines, &journal, "killed and restarted");
    });
}

/// The fake, its journal holding `changes` changes of messages and contacts.
async fn journaled(changes: usize) -> MockServer {
    let journal = WebhooksJournal::default()
        .max_events_per_entry(100)
        .subscribe(
            ObjectSubscription::new(PropertyOwner::Communication)
                .actions([
                    JournalAction::Create,
                    JournalAction::Update,
                    JournalAction::Delete,
                    JournalAction::AssociationAdded,
                    JournalAction::AssociationRemoved,
                ])
                .properties(["hs_communication_body"]),
        )
        .subscribe(
            ObjectSubscription::new(PropertyOwner::Record(ObjectType::Contact))
                .actions([
                    JournalAction::Create,
                    JournalAction::Update,
                    JournalAction::Delete,
                ])
                .properties(["email"]),
        );
    let unlimited = FakeRateLimit::new(1_000_000, Duration::from_secs(1));
    let fake = MockServer::start_with(
        Config::default()
            .oauth_app(APP, SECRET)
            .rate_limit(unlimited)
            .search_rate_limit(unlimited)
            .webhooks_journal(journal),
    )
    .await
    .unwrap();
    // The mix of the module's docs, per 20 changes: 4 contacts, 4 messages (8 changes), 4
    // edits, 2 archives, 1 association removed, 1 contact archived.
    let unit = changes / 20;
    let writer = Client::builder("bench-writer")
        .for_testing(fake.base_url())
        .api_version(ApiVersion::V3)
        .rate_limit(RateLimit::new(1_000_000, Duration::from_secs(1)))
        .batch_concurrency(4)
        .build()
        .unwrap();
    let mut contacts = Vec::with_capacity(unit * 4);
    let mut messages = Vec::with_capacity(unit * 4);
    for i in 0..unit * 4 {
        let contact = fake.seed_record(
            ObjectType::Contact,
            &[("email", &format!("c{i}@example.com"))],
        );
        let message = fake.seed_message(
            &[
                ("hs_communication_channel_type", "SMS"),
                ("hs_communication_body", &format!("message {i}")),
            ],
            &[(ObjectType::Contact, &contact)],
        );
        contacts.push(contact);
        messages.push(message);
    }
    let edits: Vec<UpdateInput> = messages
        .iter()
        .map(|id| {
            UpdateInput::new(
                id.clone(),
                MessageUpdate::new().body(format!("{id}, edited")),
            )
        })
        .collect();
    let edited = writer.update_batch(&edits).await;
    assert!(edited.is_success(), "edits failed");
    let archived = writer.archive_batch(&messages[..unit * 2]).await;
    assert!(archived.is_success(), "archives failed");
    let pairs: Vec<(String, String)> = (unit * 2..unit * 3)
        .map(|i| (messages[i].clone(), contacts[i].clone()))
        .collect();
    futures::future::join_all(pairs.chunks(unit.div_ceil(8).max(1)).map(|chunk| {
        let writer = writer.clone();
        let chunk = chunk.to_vec();
        async move {
            for (message, contact) in chunk {
                writer
                    .remove_association(&message, &Association::contact(&contact))
                    .await
                    .unwrap();
            }
        }
    }))
    .await;
    futures::future::join_all(
        contacts[..unit]
            .chunks(unit.div_ceil(8).max(1))
            .map(|chunk| {
                let writer = writer.clone();
                let chunk = chunk.to_vec();
                async move {
                    for contact in chunk {
                        writer
                            .archive_record(&Record::contact(contact))
                            .await
                            .unwrap();
                    }
                }
            }),
    )
    .await;
    fake
}

/// `hubspot-comms follow` as the app, to the end, its lines appended to `output`.
fn follower(fake: &MockServer, directory: &Path, checkpoint: &str, output: &Path) -> Child {
    let out = OpenOptions::new()
        .create(true)
        .append(true)
        .open(output)
        .unwrap();
    Command::new(env!("CARGO_BIN_EXE_hubspot-comms"))
        .current_dir(directory)
        .env_remove("HUBSPOT_ACCESS_TOKEN")
        .env_remove("HUBSPOT_API_VERSION")
        .env("HUBSPOT_CLIENT_ID", APP)
        .env("HUBSPOT_CLIENT_SECRET", SECRET)
        .env("HUBSPOT_BASE_URL", fake.base_url())
        .args(["follow", "--checkpoint", checkpoint, "--until-caught-up"])
        .stdout(Stdio::from(out))
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits for `child`; its exit code and its peak resident memory in KiB: the largest
/// `VmHWM` (the high-water mark of its own image, reset by exec) read while it ran.
fn wait_with_peak(mut child: Child) -> (i32, u64) {
    let path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let status = loop {
        // Read before asking whether it ended: a zombie's status has no memory lines.
        let hwm = std::fs::read_to_string(&path)
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find_map(|line| line.strip_prefix("VmHWM:"))
                    .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            })
            .unwrap_or(0);
        peak = peak.max(hwm);
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    (status.code().unwrap_or(-1), peak)
}

fn read_lines(path: &Path) -> Vec<Value> {
    let Ok(file) = std::fs::File::open(path) else {
        return Vec::new();
    };
    BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        // A line cut by a kill mid-write is no line (the next run writes its entry again).
        .filter_map(|line| serde_json::from_str(&line).ok())
        .collect()
}

/// How many entries of `new` were already in `before`.
fn repeated(before: &[Value], new: &[Value]) -> usize {
    let seen: HashSet<String> = before.iter().map(|l| l["offset"].to_string()).collect();
    new.iter()
        .map(|l| l["offset"].to_string())
        .filter(|offset| seen.contains(offset))
        .collect::<HashSet<_>>()
        .len()
}

/// Deduplicated by (offset, index), the lines are the journal's events, in order, each once.
fn check(lines: &[Value], journal: &[Value], what: &str) {
    let mut seen = HashSet::new();
    let events: Vec<&Value> = lines
        .iter()
        .filter(|l| seen.insert((l["offset"].to_string(), l["index"].to_string())))
        .map(|l| &l["event"])
        .collect();
    assert_eq!(events.len(), journal.len(), "{what}: events read");
    assert!(
        events
            .iter()
            .zip(journal)
            .all(|(read, journaled)| *read == journaled),
        "{what}: the events differ from the journal's"
    );
    println!("{what}: every event read, in order, once deduplicated");
}

/// A seeded xorshift: the kill moments repeat from run to run.
struct Random(u64);

impl Random {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound.max(1)
    }
}
