//! `cargo bench -p hubspot-comms --bench import`: the importer (the release binary, as users
//! run it) against a fake HubSpot limited to 50 requests per 1 s window and 5 searches per
//! second.
//!
//! 100,000 messages (a Twilio export) from 20,000 distinct numbers, written in mixed national
//! and international forms, each number on one seeded contact (stored in mixed forms too).
//!
//! The bound, from the two limits:
//! - searches: 20,000 numbers, 100 per search = 200 searches at 5 a second = 40 s;
//! - writes: 100,000 messages, 100 per upsert = 1,000 upserts, and their associations, up to
//!   1,000 per association batch = at least 100 more: 1,100 writes at 50 a second = 22 s.
//!
//! Searches and writes have separate limits and the importer pipelines them (rows are logged
//! as soon as their contact is known, while later numbers are searched), so the bound is the
//! larger of the two, 40 s (the sum, 62 s, if it resolved every contact before writing).
//!
//! Then the same import on a fresh fake, killed (SIGKILL) halfway, and run again: it resumes
//! from its state file; every message is checked to be stored once, on its contact.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hubspot_comms::DEFAULT_KEY_PROPERTY;
use hubspot_comms::import::state::State;
use hubspot_comms::resume::StateFile;
use hubspot_communications_mock::{
    Config, MockServer, ObjectType, PropertyDefinition, PropertyOwner, RateLimit,
};

#[path = "common/numbers.rs"]
mod numbers;

const MESSAGES: usize = 100_000;
const NUMBERS: usize = 20_000;
const TOKEN: &str = "pat-bench";
const BOUND_SECONDS: f64 = 40.0;

/// Requests the fake answered, by kind.
#[derive(Default)]
struct Requests {
    searches: AtomicU64,
    upserts: AtomicU64,
    associations: AtomicU64,
    other: AtomicU64,
    rate_limited: AtomicU64,
    /// Pairs per association batch.
    pairs: Mutex<Vec<usize>>,
    /// When the first and the last search, and the last write, were answered.
    times: Mutex<Times>,
}

#[derive(Default)]
struct Times {
    searches: Vec<Instant>,
    first_search: Option<Instant>,
    last_search: Option<Instant>,
    last_write: Option<Instant>,
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let numbers = numbers::numbers(NUMBERS);
        let directory = tempfile::tempdir().unwrap();
        let file = directory.path().join("export.csv");
        std::fs::write(&file, export(&numbers)).unwrap();
        println!(
            "import: {MESSAGES} messages from {NUMBERS} numbers ({:.1} MB); bound {BOUND_SECONDS} s \
             (200 searches at 5/s; 1,000 upserts and >= 100 association batches at 50/s = 22 s; \
             pipelined, so the larger)",
            std::fs::metadata(&file).unwrap().len() as f64 / 1e6
        );

        // The timed import.
        let requests = Arc::new(Requests::default());
        let (fake, contacts) = seeded_fake(&numbers, &requests).await;
        let started = Instant::now();
        let status = binary(&fake, directory.path()).status().unwrap();
        let elapsed = started.elapsed().as_secs_f64();
        println!(
            "import: {elapsed:.2} s = {:.1} % of the {BOUND_SECONDS} s bound (exit {})",
            BOUND_SECONDS * 100.0 / elapsed,
            status.code().unwrap_or(-1)
        );
        print_requests(&requests, started);
        check(&fake, &contacts, "import");
        if std::env::args().any(|a| a == "--no-resume") {
            return;
        }

        // Killed halfway, then run again.
        let _ = std::fs::remove_file(directory.path().join("export.csv.report.jsonl"));
        let requests = Arc::new(Requests::default());
        let (fake, contacts) = seeded_fake(&numbers, &requests).await;
        let state_path = directory.path().join("export.csv.report.jsonl.state.json");
        let started = Instant::now();
        let mut child = binary(&fake, directory.path()).spawn().unwrap();
        // Halfway: half the messages stored.
        while fake.message_count() < MESSAGES / 2 {
            assert!(child.try_wait().unwrap().is_none(), "it ended before it was killed");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let killed_after = started.elapsed().as_secs_f64();
        let stored = fake.message_count();
        // What the state file lets the next run skip: the rows settled in file order.
        let state = State::load(&state_path).ok().flatten();
        let settled = state.as_ref().map_or(0, |s| s.counts.rows);
        // The export's rows are one line each: a range's lines are its rows.
        let done: u64 = state.as_ref().map_or(0, |s| {
            s.done
                .iter()
                .map(|range| range.last_line - range.first_line + 1)
                .sum()
        });
        let started = Instant::now();
        let status = binary(&fake, directory.path()).status().unwrap();
        println!(
            "kill and resume: killed after {killed_after:.2} s with {stored} messages stored; its \
             state: the first {settled} rows settled and {done} rows after them logged; the rerun \
             took {:.2} s (exit {})",
            started.elapsed().as_secs_f64(),
            status.code().unwrap_or(-1)
        );
        print_requests(&requests, started);
        check(&fake, &contacts, "kill and resume");
    });
}

/// `+1AAANNNLLLL` as (area, exchange, line).
fn parts(e164: &str) -> (&str, &str, &str) {
    (&e164[2..5], &e164[5..8], &e164[8..12])
}

/// The number of message `j`'s contact: every number five times, in a scattered order.
fn contact_of(j: usize) -> usize {
    (j * 7_919) % NUMBERS
}

/// Twilio's message-log export of the 100,000 messages, numbers in mixed forms.
fn export(numbers: &[String]) -> String {
    let mut csv = String::with_capacity(MESSAGES * 160);
    csv.push_str("Sid,From,To,Body,Status,SentDate,ApiVersion,NumSegments,ErrorCode,AccountSid,NumMedia,Direction,Price,PriceUnit\n");
    let ours = "+12025550199";
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
        .unwrap()
        .to_utc();
    for j in 0..MESSAGES {
        let (area, exchange, line) = parts(&numbers[contact_of(j)]);
        let number = match j % 5 {
            0 => format!("+1 ({area}) {exchange}-{line}"),
            1 => format!("{area}-{exchange}-{line}"),
            2 => format!("001 {area} {exchange} {line}"),
            3 => format!("whatsapp:+1{area}{exchange}{line}"),
            _ => format!("+1{area}{exchange}{line}"),
        };
        let ours = if j % 5 == 3 {
            format!("whatsapp:{ours}")
        } else {
            ours.to_owned()
        };
        let (from, to, direction) = if j % 2 == 0 {
            (number.as_str(), ours.as_str(), "inbound")
        } else {
            (ours.as_str(), number.as_str(), "outbound-api")
        };
        let sent = (start + chrono::Duration::seconds(j as i64)).to_rfc3339();
        let _ = writeln!(
            csv,
            "SM{j:032},{from},{to},\"Message {j}, to or from the contact\",delivered,{sent},2010-04-01,1,,AC{:032},0,{direction},-0.0079,USD",
            0
        );
    }
    csv
}

/// A fake at 50 requests per 1 s window and 5 searches per second, with a contact for each
/// number (stored in mixed forms, some as the mobile number); answers the contacts' ids.
async fn seeded_fake(numbers: &[String], requests: &Arc<Requests>) -> (MockServer, Vec<String>) {
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
            } else if path.ends_with("/search") {
                &counted.searches
            } else if path.ends_with("/batch/upsert") {
                &counted.upserts
            } else if path.ends_with("/batch/create") && path.contains("associations") {
                if let Ok(body) =
                    serde_json::from_slice::<serde_json::Value>(&exchange.request_body)
                {
                    let pairs = body["inputs"].as_array().map_or(0, Vec::len);
                    counted.pairs.lock().unwrap().push(pairs);
                }
                &counted.associations
            } else {
                &counted.other
            };
            kind.fetch_add(1, Ordering::Relaxed);
            let now = Some(Instant::now());
            let mut times = counted.times.lock().unwrap();
            if path.ends_with("/search") {
                times.first_search = times.first_search.or(now);
                times.searches.push(Instant::now());
                times.last_search = now;
            } else if path.contains("/batch/") {
                times.last_write = now;
            }
        });
    let fake = MockServer::start_with(config).await.unwrap();
    let contacts = numbers
        .iter()
        .enumerate()
        .map(|(i, e164)| {
            let (property, stored) = numbers::stored_form(e164, i);
            fake.seed_record(ObjectType::Contact, &[(property, stored.as_str())])
        })
        .collect();
    (fake, contacts)
}

/// The release binary, against `fake`, on the export in `directory`.
fn binary(fake: &MockServer, directory: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hubspot-comms"));
    command
        .current_dir(directory)
        .env("HUBSPOT_ACCESS_TOKEN", TOKEN)
        .env("HUBSPOT_BASE_URL", fake.base_url())
        .env_remove("HUBSPOT_API_VERSION")
        .args([
            "import",
            "export.csv",
            "--default-region",
            "US",
            "--progress",
            "none",
        ])
        .stdout(Stdio::null());
    command
}

fn print_requests(requests: &Requests, started: Instant) {
    let times = requests.times.lock().unwrap();
    let at = |t: Option<Instant>| t.map_or(f64::NAN, |t| (t - started).as_secs_f64());
    println!(
        "  searches answered from {:.2} s to {:.2} s; the last write at {:.2} s",
        at(times.first_search),
        at(times.last_search),
        at(times.last_write)
    );
    if std::env::var_os("IMPORT_BENCH_SEARCHES").is_some() {
        let mut per_second = vec![0; 80];
        for t in &times.searches {
            if let Some(slot) = per_second.get_mut((*t - started).as_secs() as usize) {
                *slot += 1;
            }
        }
        println!("  searches per second: {per_second:?}");
    }
    let pairs = requests.pairs.lock().unwrap();
    let largest = pairs.iter().max().copied().unwrap_or(0);
    let mean = pairs.iter().sum::<usize>() as f64 / pairs.len().max(1) as f64;
    println!(
        "  requests: {} searches, {} upserts, {} association batches ({mean:.0} pairs on average, \
         {largest} at most), {} other, {} answered 429",
        requests.searches.load(Ordering::Relaxed),
        requests.upserts.load(Ordering::Relaxed),
        requests.associations.load(Ordering::Relaxed),
        requests.other.load(Ordering::Relaxed),
        requests.rate_limited.load(Ordering::Relaxed),
    );
}

/// Every message stored once, on the contact of its number, with its channel.
fn check(fake: &MockServer, contacts: &[String], what: &str) {
    let mut by_key: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (id, properties) in fake.messages() {
        let key = properties
            .get(DEFAULT_KEY_PROPERTY)
            .cloned()
            .unwrap_or_default();
        let channel = properties
            .get("hs_communication_channel_type")
            .cloned()
            .unwrap_or_default();
        by_key.entry(key).or_default().push((id, channel));
    }
    let duplicated = by_key.values().filter(|stored| stored.len() > 1).count();
    let mut lost = 0;
    let mut misplaced = 0;
    let mut wrong_channel = 0;
    for j in 0..MESSAGES {
        let Some(stored) = by_key.get(&format!("SM{j:032}")) else {
            lost += 1;
            continue;
        };
        let (id, channel) = &stored[0];
        if fake.associated_records(id, ObjectType::Contact) != [contacts[contact_of(j)].clone()] {
            misplaced += 1;
        }
        let expected = if j % 5 == 3 { "WHATS_APP" } else { "SMS" };
        if channel != expected {
            wrong_channel += 1;
        }
    }
    println!(
        "  {what}: {} messages stored; lost {lost}, duplicated {duplicated}, not on their contact \
         {misplaced}, wrong channel {wrong_channel}",
        fake.message_count()
    );
}
