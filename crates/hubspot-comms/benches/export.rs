//! `cargo bench -p hubspot-comms --bench export`: the exporter (the release binary, as users
//! run it) against a fake HubSpot limited to 50 requests per 1 s window and 5 searches per
//! second, then the import of what it wrote into a second fake.
//!
//! The source account: 100,000 messages (SMS, and WhatsApp one in five, each keyed) on 20,000
//! contacts (each number on one contact, stored in mixed forms), seeded without requests.
//!
//! The export's bound, from the limits and the requests it must make:
//! - list pages: 100,000 messages, 100 a page (HubSpot's largest), their associations in the
//!   page = 1,000 requests;
//! - association batch reads: none (a list page carries its messages' associations; only a
//!   type HubSpot answered in part would be read again);
//! - contact batch reads: 20,000 contacts, 100 a read, each once = 200 requests;
//! - (with a progress display, one search for the total, on the search limit; the benchmark
//!   runs it with `--progress none`).
//!
//! 1,200 requests at 50 a second = 24 s.
//!
//! Then the import of the exported file into a second fake whose contacts hold the same
//! numbers in other forms: bound 40 s (200 searches at 5 a second; its 1,000 upserts and at
//! least 100 association batches, 22 s at 50 a second, overlap them), every message checked to be
//! stored once, on its person's contact, with the same channel, body, timestamp and key. Then
//! the same import on a third fake, killed (SIGKILL) halfway and run again: the rerun must
//! send no search for a number the killed run resolved (its journal of numbers says which).
//! And the export itself killed halfway and run again: the file must be the one run's.
//!
//! `-- --no-resume` skips the two killed runs; `-- --filtered` also exports the same messages
//! with a filter that keeps them all (`--since`), as `auto` reads it (the list) and by search
//! windows (`--read-by search`; bound 100 s: 500 searches of 200 at 5 a second).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hubspot_comms::DEFAULT_KEY_PROPERTY;
use hubspot_comms::export::ExportState;
use hubspot_comms::resume::StateFile;
use hubspot_communications_mock::{
    Config, MockServer, ObjectType, PropertyDefinition, PropertyOwner, RateLimit,
};

#[path = "common/numbers.rs"]
mod numbers;

const MESSAGES: usize = 100_000;
const CONTACTS: usize = 20_000;
const TOKEN: &str = "pat-bench";
const EXPORT_BOUND: f64 = 24.0;
const IMPORT_BOUND: f64 = 40.0;

/// Requests a fake answered, by kind.
#[derive(Default)]
struct Requests {
    list_pages: AtomicU64,
    message_searches: AtomicU64,
    association_reads: AtomicU64,
    contact_reads: AtomicU64,
    contact_searches: AtomicU64,
    upserts: AtomicU64,
    association_writes: AtomicU64,
    other: AtomicU64,
    rate_limited: AtomicU64,
    /// The E.164 numbers each contact search looked for (its WhatsApp filter).
    searched: Mutex<Vec<String>>,
}

impl Requests {
    /// Forgets every count.
    fn reset(&self) {
        for counter in [
            &self.list_pages,
            &self.message_searches,
            &self.association_reads,
            &self.contact_reads,
            &self.contact_searches,
            &self.upserts,
            &self.association_writes,
            &self.other,
            &self.rate_limited,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
        self.searched.lock().unwrap().clear();
    }

    fn print(&self) {
        let n = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        println!(
            "  requests: {} list pages, {} message searches, {} association batch reads, {} \
             contact batch reads, {} contact searches, {} upserts, {} association batch \
             creates, {} other; {} answered 429",
            n(&self.list_pages),
            n(&self.message_searches),
            n(&self.association_reads),
            n(&self.contact_reads),
            n(&self.contact_searches),
            n(&self.upserts),
            n(&self.association_writes),
            n(&self.other),
            n(&self.rate_limited),
        );
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let numbers = numbers::numbers(CONTACTS);
        let directory = tempfile::tempdir().unwrap();
        println!(
            "export: {MESSAGES} messages on {CONTACTS} contacts; bound {EXPORT_BOUND} s (1,000 \
             list pages + 0 association reads + 200 contact batch reads = 1,200 requests at \
             50/s)"
        );

        // The timed export.
        let requests = Arc::new(Requests::default());
        let (source, _) = fake(&numbers, &requests, 0, true).await;
        let started = Instant::now();
        let run = watch(export(&source, directory.path()).spawn().unwrap());
        let elapsed = started.elapsed().as_secs_f64();
        println!(
            "export: {elapsed:.2} s = {:.1} % of the {EXPORT_BOUND} s bound (exit {}); peak RSS \
             {:.1} MiB; {:.1} MB written",
            EXPORT_BOUND * 100.0 / elapsed,
            run.code,
            run.peak_kib as f64 / 1024.0,
            std::fs::metadata(directory.path().join("export.csv")).map_or(0, |m| m.len()) as f64
                / 1e6
        );
        requests.print();
        let exported = std::fs::read(directory.path().join("export.csv")).unwrap();

        if std::env::args().any(|a| a == "--filtered") {
            // The same messages with a filter keeping them all (`--since`): `auto` counts them
            // (two searches) and lists; `--read-by search` reads 500 search windows of 200 at
            // 5 a second = 100 s bound (their association reads, 4 object types a 1,000
            // messages = 400, and 200 contact reads, 600 at 50 a second = 12 s, overlap them).
            for (read_by, bound) in [("auto", EXPORT_BOUND), ("search", 100.0)] {
                let requests = Arc::new(Requests::default());
                let (source, _) = fake(&numbers, &requests, 0, true).await;
                let started = Instant::now();
                let mut command = export(&source, directory.path());
                command.args(["--since", "2025-12-31", "--read-by", read_by]);
                let run = watch(command.spawn().unwrap());
                let elapsed = started.elapsed().as_secs_f64();
                let same = std::fs::read(directory.path().join("export.csv")).ok()
                    == Some(exported.clone());
                println!(
                    "filtered export (--since, --read-by {read_by}): {elapsed:.2} s = {:.1} % of \
                     the {bound} s bound (exit {}); peak RSS {:.1} MiB; the file is {} the \
                     unfiltered one",
                    bound * 100.0 / elapsed,
                    run.code,
                    run.peak_kib as f64 / 1024.0,
                    if same { "byte for byte" } else { "NOT" }
                );
                requests.print();
            }
        }

        // The import of that file into another account.
        let requests = Arc::new(Requests::default());
        let (target, contacts) = fake(&numbers, &requests, 2, false).await;
        let started = Instant::now();
        let status = import(&target, directory.path()).status().unwrap();
        let elapsed = started.elapsed().as_secs_f64();
        println!(
            "import of it into a second account: {elapsed:.2} s = {:.1} % of the \
             {IMPORT_BOUND} s bound (exit {})",
            IMPORT_BOUND * 100.0 / elapsed,
            status.code().unwrap_or(-1)
        );
        requests.print();
        check(&target, &contacts, "round trip");
        if std::env::args().any(|a| a == "--no-resume") {
            return;
        }

        // The import killed halfway, then run again.
        let _ = std::fs::remove_file(directory.path().join("export.csv.report.jsonl"));
        let requests = Arc::new(Requests::default());
        let (target, contacts) = fake(&numbers, &requests, 2, false).await;
        let journal = directory
            .path()
            .join("export.csv.report.jsonl.state.json.numbers");
        let started = Instant::now();
        let mut child = import(&target, directory.path()).spawn().unwrap();
        while target.message_count() < MESSAGES / 2 {
            assert!(
                child.try_wait().unwrap().is_none(),
                "it ended before it was killed"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let killed_after = started.elapsed().as_secs_f64();
        let searched_before: BTreeSet<String> =
            requests.searched.lock().unwrap().iter().cloned().collect();
        let searches_before = requests.contact_searches.load(Ordering::Relaxed);
        let stored_before = target.message_count();
        print!("  the killed run's");
        requests.print();
        requests.reset();
        let resolved = journal_numbers(&journal);
        let started = Instant::now();
        let status = import(&target, directory.path()).status().unwrap();
        let searched_after: Vec<String> = requests.searched.lock().unwrap().drain(..).collect();
        let again = searched_after
            .iter()
            .filter(|n| resolved.contains(*n))
            .count();
        let unrecorded = searched_after
            .iter()
            .filter(|n| searched_before.contains(*n) && !resolved.contains(*n))
            .count();
        println!(
            "import killed after {killed_after:.2} s ({stored_before} messages stored, \
             {searches_before} searches sent, {} numbers resolved and kept) and run again: {:.2} s \
             (exit {}); it searched {} numbers, {again} of them resolved by the killed run \
             ({unrecorded} searched by it, answers not yet received)",
            resolved.len(),
            started.elapsed().as_secs_f64(),
            status.code().unwrap_or(-1),
            searched_after.len(),
        );
        requests.print();
        check(&target, &contacts, "killed and resumed import");

        // The export killed halfway, then run again.
        std::fs::rename(
            directory.path().join("export.csv"),
            directory.path().join("first-export.csv"),
        )
        .unwrap();
        let requests = Arc::new(Requests::default());
        let (source, _) = fake(&numbers, &requests, 0, true).await;
        let started = Instant::now();
        let mut child = export(&source, directory.path()).spawn().unwrap();
        while requests.list_pages.load(Ordering::Relaxed) < 500 {
            assert!(
                child.try_wait().unwrap().is_none(),
                "it ended before it was killed"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let killed_after = started.elapsed().as_secs_f64();
        let pages_before = requests.list_pages.load(Ordering::Relaxed);
        let reads_before = requests.contact_reads.load(Ordering::Relaxed);
        requests.reset();
        let kept = ExportState::load(&directory.path().join("export.csv.export-state.json"))
            .ok()
            .flatten()
            .map_or(0, |state| state.counts.messages);
        let started = Instant::now();
        let status = export(&source, directory.path()).status().unwrap();
        let same = std::fs::read(directory.path().join("export.csv")).ok() == Some(exported);
        println!(
            "export killed after {killed_after:.2} s ({pages_before} list pages, {reads_before} \
             contact reads; its state: {kept} messages written) and run again: {:.2} s (exit \
             {}); the file is {} one run's",
            started.elapsed().as_secs_f64(),
            status.code().unwrap_or(-1),
            if same { "byte for byte" } else { "NOT" }
        );
        requests.print();
    });
}

/// The contact of message `j`: every contact five times, in a scattered order.
fn contact_of(j: usize) -> usize {
    (j * 7_919) % CONTACTS
}

/// A fake at 50 requests per 1 s window and 5 searches per second, with a contact for each
/// number (stored in one of four forms, shifted by `forms`), and with the messages when
/// `with_messages`; answers the contacts' ids.
async fn fake(
    numbers: &[String],
    requests: &Arc<Requests>,
    forms: usize,
    with_messages: bool,
) -> (MockServer, Vec<String>) {
    let counted = Arc::clone(requests);
    let config = Config::default()
        .token(TOKEN)
        .rate_limit(RateLimit::new(50, Duration::from_secs(1)))
        .search_rate_limit(RateLimit::new(5, Duration::from_secs(1)))
        .property(
            PropertyOwner::Communication,
            PropertyDefinition::string(DEFAULT_KEY_PROPERTY).unique(),
        )
        .observe(move |exchange| {
            let path = exchange.path.as_str();
            let kind = if exchange.status.as_u16() == 429 {
                &counted.rate_limited
            } else if path == "/crm/v3/objects/communications" && exchange.method == "GET" {
                &counted.list_pages
            } else if path.ends_with("/communications/search") {
                &counted.message_searches
            } else if path.starts_with("/crm/v4/associations/") && path.ends_with("/batch/read") {
                &counted.association_reads
            } else if path.ends_with("/contacts/batch/read") {
                &counted.contact_reads
            } else if path.ends_with("/contacts/search") {
                let body: serde_json::Value =
                    serde_json::from_slice(&exchange.request_body).unwrap_or_default();
                let mut searched = counted.searched.lock().unwrap();
                for group in body["filterGroups"].as_array().into_iter().flatten() {
                    for filter in group["filters"].as_array().into_iter().flatten() {
                        if filter["propertyName"] == "hs_whatsapp_phone_number" {
                            let values = filter["values"].as_array().into_iter().flatten();
                            searched.extend(values.filter_map(|v| v.as_str().map(str::to_owned)));
                        }
                    }
                }
                &counted.contact_searches
            } else if path.ends_with("/batch/upsert") {
                &counted.upserts
            } else if path.ends_with("/batch/create") {
                &counted.association_writes
            } else {
                &counted.other
            };
            kind.fetch_add(1, Ordering::Relaxed);
        });
    let fake = MockServer::start_with(config).await.unwrap();
    let contacts: Vec<String> = numbers
        .iter()
        .enumerate()
        .map(|(i, e164)| {
            let (property, stored) = numbers::stored_form(e164, i + forms);
            fake.seed_record(ObjectType::Contact, &[(property, stored.as_str())])
        })
        .collect();
    if with_messages {
        for j in 0..MESSAGES {
            let (channel, body, time, key) = sent(j);
            fake.seed_message(
                &[
                    ("hs_communication_channel_type", channel),
                    ("hs_communication_logged_from", "CRM"),
                    ("hs_communication_body", &body),
                    ("hs_timestamp", &time),
                    (DEFAULT_KEY_PROPERTY, &key),
                ],
                &[(ObjectType::Contact, contacts[contact_of(j)].as_str())],
            );
        }
    }
    (fake, contacts)
}

/// Message `j`: channel, body, time, key.
fn sent(j: usize) -> (&'static str, String, String, String) {
    let channel = if j % 5 == 3 { "WHATS_APP" } else { "SMS" };
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let time = (start + chrono::Duration::seconds(j as i64))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    (
        channel,
        format!("Message {j}, to or from the contact"),
        time,
        format!("SM{j:032}"),
    )
}

/// The release binary's `export export.csv` against `fake`, in `directory`.
fn export(fake: &MockServer, directory: &Path) -> Command {
    let mut command = binary(fake, directory);
    command.args([
        "export",
        "export.csv",
        "--default-region",
        "US",
        "--progress",
        "none",
    ]);
    command
}

/// The release binary's `import export.csv` against `fake`, in `directory`.
fn import(fake: &MockServer, directory: &Path) -> Command {
    let mut command = binary(fake, directory);
    command.args(["import", "export.csv", "--progress", "none"]);
    command
}

fn binary(fake: &MockServer, directory: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hubspot-comms"));
    command
        .current_dir(directory)
        .env("HUBSPOT_ACCESS_TOKEN", TOKEN)
        .env("HUBSPOT_BASE_URL", fake.base_url())
        .env_remove("HUBSPOT_API_VERSION")
        .stdout(Stdio::null());
    command
}

struct Watched {
    code: i32,
    /// The child's peak resident set (VmHWM), as last read before it ended.
    peak_kib: u64,
}

/// Waits for `child`, reading its peak resident set every 10 ms.
fn watch(mut child: Child) -> Watched {
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_path)
            && let Some(kib) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            return Watched {
                code: status.code().unwrap_or(-1),
                peak_kib,
            };
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The numbers an import's journal says its run resolved.
fn journal_numbers(path: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut numbers = BTreeSet::new();
    for line in text.lines().skip(1) {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
            break;
        };
        for part in ["found", "ambiguous"] {
            if let Some(found) = value[part].as_object() {
                numbers.extend(found.keys().cloned());
            }
        }
        for number in value["not_found"].as_array().into_iter().flatten() {
            numbers.extend(number.as_str().map(str::to_owned));
        }
    }
    numbers
}

/// A stored message: its id and properties.
type Stored = (String, BTreeMap<String, String>);

/// Every message of the source stored once in `fake`, on its person's contact, with the same
/// channel, body, timestamp and key.
fn check(fake: &MockServer, contacts: &[String], what: &str) {
    let mut by_key: BTreeMap<String, Vec<Stored>> = BTreeMap::new();
    for (id, properties) in fake.messages() {
        let key = properties
            .get(DEFAULT_KEY_PROPERTY)
            .cloned()
            .unwrap_or_default();
        by_key.entry(key).or_default().push((id, properties));
    }
    let duplicated = by_key.values().filter(|stored| stored.len() > 1).count();
    let (mut lost, mut misplaced, mut changed) = (0, 0, 0);
    for j in 0..MESSAGES {
        let (channel, body, time, key) = sent(j);
        let Some(stored) = by_key.get(&key) else {
            lost += 1;
            continue;
        };
        let (id, properties) = &stored[0];
        if fake.associated_records(id, ObjectType::Contact) != [contacts[contact_of(j)].clone()] {
            misplaced += 1;
        }
        let same_time = properties
            .get("hs_timestamp")
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            == chrono::DateTime::parse_from_rfc3339(&time).ok();
        if properties
            .get("hs_communication_channel_type")
            .map(String::as_str)
            != Some(channel)
            || properties.get("hs_communication_body") != Some(&body)
            || !same_time
        {
            changed += 1;
        }
    }
    println!(
        "  {what}: {} messages stored; lost {lost}, duplicated {duplicated}, not on their \
         contact {misplaced}, channel, body or time changed {changed}",
        fake.message_count()
    );
}
