//! `cargo bench -p hubspot-comms --bench relay`: `hubspot-comms relay` (the release binary, as
//! users run it) taking Twilio's webhooks through faults.
//!
//! 50,000 Twilio-signed "a message comes in" webhooks from 5,000 numbers (3,000 on contacts
//! seeded in mixed forms, 2,000 new to the account, each new number's first two messages sent
//! within a second of each other: HubSpot's search lags, so a second contact is the risk), every
//! 100th message delivered twice on purpose, sent at 400 a second (above the account's 19
//! requests a second) alternately to 2 receiver processes (`relay --no-work`), logged by 4
//! worker processes (`relay --no-receive`), through one `redis-server` (AOF, `appendfsync
//! always`), into the embedded fake at HubSpot's Professional limits (190 requests per 10 s,
//! 5 searches a second) with its 5 s search lag. On a timeline (seconds from the first
//! webhook; each printed when it happens):
//! - Redis is killed (SIGKILL) at 10 s and started again on its AOF 2 s later;
//! - the fake answers 503 to everything for 120 s from 20 s on;
//! - 2 workers are killed (SIGKILL) mid-outage (80 s) and started again 5 s later.
//!
//! Goals, checked at the end (the run waits until the inbox is empty):
//! - correctness (the exit code is 1 when one fails): 0 messages lost (every message Twilio
//!   sent is stored), 0 logged twice, 0 on a wrong contact (nor with a wrong body or channel),
//!   exactly one contact per new number (and none made for a number that had one);
//! - timing (printed as met or not met): the p99 time to answer a webhook under 1 s, outage and
//!   Redis restart included (Twilio waits 15 s; a non-2xx answer or a timeout is retried as
//!   Twilio would, up to 4 times within 15 s, and counted); after the outage, the backlog
//!   drains at ≥ 95 % of the account's bound; each relay process's peak memory (`VmHWM`) under
//!   64 MiB, and flat: level while the backlog grows (the outage) and under the drain's full
//!   load, each checked by its halves (the peak of the second at most 10 % + 1 MiB over that
//!   of the first; `VmRSS` read every second). A worker's memory steps up when the drain
//!   starts (a few MiB: its requests in flight, HubSpot's answers parsed): a load, not a
//!   growth, which the thirds of its life (printed too, an earlier criterion) mix up.
//!
//! The drain and its bound. The drain runs from the outage's end to the last write HubSpot
//! answered; its messages are those stored in it. The fewest requests they need, at the fake's
//! two separate limits (general: 190 per 10 s = 19/s; search: 5/s):
//! - general: ⌈D/100⌉ upserts + ⌈D/1,000⌉ association batches (HubSpot takes 1,000 pairs a
//!   request) + ⌈C/100⌉ contact creations, where D is the messages drained and C the new numbers
//!   first logged in the drain;
//! - search: ⌈U/S⌉ searches, where U is the drain's numbers no message of which was stored
//!   before it (a relay that remembers the contacts it found needs no other search) and S the
//!   most numbers one search of the run held (HubSpot's 3,000-character body: about 60).
//!
//! Searches and writes have separate limits and can overlap, so the bound is the larger of the
//! two times, and the bound rate D over it. In a full run with the defaults, 48,596 messages
//! were stored in the drain, from 4,268 numbers not seen before it (1,701 of them new), 62
//! numbers a search: 486 upserts + 49 association batches + 18 contact creations = 553 general
//! requests = 29.1 s, and 69 searches = 13.8 s; so the general limit binds, at about 1,670
//! messages a second. The run prints its own figures, the relay's requests by kind, the share
//! of each limit they used, and the longest time HubSpot got no request at all.
//!
//! Smaller runs, through the environment: `RELAY_BENCH_MESSAGES` (50000), `RELAY_BENCH_NUMBERS`
//! (5000), `RELAY_BENCH_NEW` (2000), `RELAY_BENCH_RATE` (400 a second),
//! `RELAY_BENCH_DUPLICATE_EVERY` (100; 0 for none), `RELAY_BENCH_CONCURRENCY` (webhooks in
//! flight at most, 2000), `RELAY_BENCH_OUTAGE_AT` (20, or a quarter of the sending time when
//! shorter), `RELAY_BENCH_OUTAGE_SECS` (120), `RELAY_BENCH_REDIS_AT` (half the outage's start),
//! `RELAY_BENCH_REDIS_DOWN_SECS` (2), `RELAY_BENCH_KILL_AT` (mid-outage),
//! `RELAY_BENCH_RESTART_AFTER` (5), `RELAY_BENCH_CLAIM_AFTER` (10, passed as `--claim-after`
//! when the binary has it), `RELAY_BENCH_TIMEOUT_SECS` (1800), `RELAY_BENCH_KEEP_LOGS` (keep the
//! processes' logs), `RELAY_BENCH_RSS_TIMELINE` (print each process's memory by 10 s). A quick check of the harness:
//!
//! ```sh
//! RELAY_BENCH_MESSAGES=5000 RELAY_BENCH_NUMBERS=1000 RELAY_BENCH_NEW=400 \
//!   RELAY_BENCH_OUTAGE_SECS=20 cargo bench -p hubspot-comms --bench relay
//! ```

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use hubspot_comms::DEFAULT_KEY_PROPERTY;
use hubspot_comms::relay::receive::{TWILIO_PATH, twilio_signature};
use hubspot_comms::relay::status::{AccountStatus, status};
use hubspot_comms::relay::{AccountName, Streams};
use hubspot_communications_mock::{
    Config, MockServer, ObjectType, PropertyDefinition, PropertyOwner, RateLimit,
};
use hubspot_communications_tests::redis_server::RedisServer;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

#[path = "common/numbers.rs"]
mod numbers;

const TOKEN: &str = "pat-bench";
const AUTH_TOKEN: &str = "bench-twilio-auth-token";
const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
/// The account's own number, which every webhook is sent to.
const OURS: &str = "+12025550199";
const GENERAL: RateLimit = RateLimit::PROFESSIONAL;
const SEARCH: RateLimit = RateLimit::SEARCH;
/// How long Twilio waits for an answer.
const TWILIO_TIMEOUT: Duration = Duration::from_secs(15);
/// Twilio's tries of one webhook: the first and up to 4 retries, within its 15 s.
const MAX_TRIES: usize = 5;
const GOAL_P99: Duration = Duration::from_secs(1);
const GOAL_DRAIN: f64 = 0.95;
const GOAL_MIB: f64 = 64.0;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    // Everything the run started is stopped when `run` returns (or unwinds), before the exit.
    let correct = runtime.block_on(run());
    drop(runtime);
    if !correct {
        std::process::exit(1);
    }
}

/// The run's knobs: the issue's figures unless the environment says otherwise.
struct Settings {
    messages: usize,
    numbers: usize,
    new: usize,
    rate: f64,
    duplicate_every: usize,
    concurrency: usize,
    receivers: usize,
    workers: usize,
    killed: usize,
    outage_at: f64,
    outage: f64,
    redis_at: f64,
    redis_down: f64,
    kill_at: f64,
    restart_after: f64,
    claim_after: u64,
    timeout: f64,
    keep_logs: bool,
}

fn env<T: FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not a number")),
        Err(_) => default,
    }
}

impl Settings {
    fn from_env() -> Self {
        let messages = env("RELAY_BENCH_MESSAGES", 50_000usize);
        let numbers = env("RELAY_BENCH_NUMBERS", 5_000usize);
        let new = env("RELAY_BENCH_NEW", 2_000usize);
        let rate = env("RELAY_BENCH_RATE", 400.0f64);
        let duplicate_every = env("RELAY_BENCH_DUPLICATE_EVERY", 100usize);
        assert!(
            new <= numbers && numbers > 0 && messages > 0 && rate > 0.0,
            "RELAY_BENCH_NEW must be at most RELAY_BENCH_NUMBERS, and the counts above 0"
        );
        let deliveries = messages + messages.checked_div(duplicate_every).unwrap_or(0);
        let sending = deliveries as f64 / rate;
        let outage_at = env("RELAY_BENCH_OUTAGE_AT", 20f64.min(sending / 4.0));
        let outage = env("RELAY_BENCH_OUTAGE_SECS", 120f64);
        Self {
            messages,
            numbers,
            new,
            rate,
            duplicate_every,
            concurrency: env("RELAY_BENCH_CONCURRENCY", 2_000),
            receivers: 2,
            workers: 4,
            killed: 2,
            outage_at,
            outage,
            redis_at: env("RELAY_BENCH_REDIS_AT", outage_at / 2.0),
            redis_down: env("RELAY_BENCH_REDIS_DOWN_SECS", 2.0),
            kill_at: env("RELAY_BENCH_KILL_AT", outage_at + outage / 2.0),
            restart_after: env("RELAY_BENCH_RESTART_AFTER", 5.0),
            claim_after: env("RELAY_BENCH_CLAIM_AFTER", 10),
            timeout: env("RELAY_BENCH_TIMEOUT_SECS", 1_800.0),
            keep_logs: std::env::var_os("RELAY_BENCH_KEEP_LOGS").is_some(),
        }
    }
}

async fn run() -> bool {
    let settings = Arc::new(Settings::from_env());
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_hubspot-comms"));
    let Some(help) = relay_help(&binary) else {
        println!(
            "relay: {} has no `relay` command yet; nothing to measure",
            binary.display()
        );
        return false;
    };
    let claim_after = help
        .contains("--claim-after")
        .then_some(settings.claim_after);
    let plan = Arc::new(Plan::new(&settings));
    let s = &settings;
    println!(
        "relay: {} messages ({} deliveries, {} repeated on purpose) from {} numbers ({} new) at \
         {}/s to {} receivers, {} workers; outage {:.0} s from {:.0} s, Redis restarted at \
         {:.0} s ({:.0} s down), {} workers killed at {:.0} s and restarted {:.0} s later; \
         claims taken over after {}",
        s.messages,
        plan.deliveries.len(),
        plan.deliveries.len() - s.messages,
        s.numbers,
        s.new,
        s.rate,
        s.receivers,
        s.workers,
        s.outage,
        s.outage_at,
        s.redis_at,
        s.redis_down,
        s.killed,
        s.kill_at,
        s.restart_after,
        claim_after.map_or("the relay's default (no --claim-after)".to_owned(), |c| {
            format!("{c} s")
        }),
    );

    let requests = Arc::new(Requests::default());
    let (fake, seeded) = seeded_fake(&plan, &requests).await;
    let fake = Arc::new(fake);
    let redis = Arc::new(Mutex::new(RedisServer::start_aof()));
    let redis_url = redis.lock().unwrap().url();
    let logs = tempfile::Builder::new()
        .prefix("relay-bench-")
        .tempdir()
        .unwrap();
    let fleet = Arc::new(Fleet::new(logs.path().to_owned()));
    let launch = Arc::new(Launch {
        binary,
        fake_url: fake.base_url().to_owned(),
        redis_url: redis_url.clone(),
        claim_after,
    });

    // The receivers, on ports chosen here: Twilio signs the URL it calls, so each receiver's
    // public URL must be its own.
    let mut receivers = Vec::new();
    for i in 1..=s.receivers {
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        fleet.spawn(&format!("receiver-{i}"), launch.receiver(port));
        receivers.push(url);
    }
    for i in 1..=s.receivers {
        fleet.wait_until_logged(&format!("receiver-{i}"), "receiving at http://");
    }
    for i in 1..=s.workers {
        fleet.spawn(&format!("worker-{i}"), launch.worker());
    }
    let sampler = Sampler::start(&fleet);
    let streams = Streams::connect(&redis_url)
        .await
        .expect("the bench connects to Redis");

    let origin = Instant::now();
    let counts = Arc::new(Counts::default());
    let faults = tokio::spawn(faults(
        Arc::clone(&settings),
        origin,
        Arc::clone(&fake),
        Arc::clone(&redis),
        Arc::clone(&fleet),
        Arc::clone(&launch),
    ));
    let progress = tokio::spawn(progress(
        origin,
        Arc::clone(&fake),
        streams.clone(),
        redis::Client::open(redis_url.as_str()).unwrap(),
        Arc::clone(&counts),
        plan.deliveries.len(),
    ));
    let sent = send(&settings, &plan, &receivers, origin, &counts).await;
    let sending_took = origin.elapsed();
    println!(
        "{:7.1} s  sending done: {} deliveries, {} non-2xx answers (timeouts and refused \
         connections included), {} messages never accepted within Twilio's tries; at most \
         {:.2} s behind schedule",
        sending_took.as_secs_f64(),
        plan.deliveries.len(),
        sent.attempts.iter().filter(|a| !a.accepted()).count(),
        sent.accepted.iter().filter(|a| !**a).count(),
        sent.most_behind.as_secs_f64()
    );
    let timeline = faults.await.expect("the faults' timeline");

    // Done when the faults are over, and the inbox is empty: every entry settled.
    let deadline = Instant::now() + Duration::from_secs_f64(s.timeout);
    let last = loop {
        match status(&streams, [&AccountName::default()]).await {
            Ok(statuses) if statuses[0].backlog + statuses[0].pending == 0 => {
                break Some(statuses[0].clone());
            }
            _ if Instant::now() >= deadline => break None,
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    };
    counts.done.store(true, Ordering::Relaxed);
    let _ = progress.await;
    let finished = origin.elapsed();
    match &last {
        Some(last) => println!(
            "{:7.1} s  the inbox is empty ({} dead letters)",
            finished.as_secs_f64(),
            last.dead_letters
        ),
        None => println!(
            "{:7.1} s  TIMED OUT after {:.0} s: the inbox is not empty",
            finished.as_secs_f64(),
            s.timeout
        ),
    }

    // Stopped as an operator would (SIGTERM: each finishes what it holds and exits 0).
    let stopping = Arc::clone(&fleet);
    let exits =
        tokio::task::spawn_blocking(move || stopping.terminate_all(Duration::from_secs(30)))
            .await
            .unwrap();
    let redis_memory = sampler.finish();

    println!();
    let timing = report_answers(&sent, &timeline, origin);
    let drain = report_drain(&fake, &plan, &requests, &timeline, origin);
    let phases = timeline
        .outage
        .map(|(start, end)| (start, end, origin + finished));
    let memory = report_memory(&fleet, origin, phases, redis_memory);
    report_logs(&fleet, &exits);
    let checks = check(&fake, &plan, &seeded, &sent.accepted);
    let correct = checks.correct() && last.is_some_and(|l| l.dead_letters == 0);

    println!();
    println!("goals:");
    let met = |yes: bool| if yes { "met" } else { "NOT MET" };
    println!(
        "  0 lost, 0 logged twice, 0 on a wrong contact, one contact per new number: {}",
        met(correct)
    );
    println!(
        "  p99 answer under {} s: {} ({:.3} s)",
        GOAL_P99.as_secs(),
        met(timing < GOAL_P99),
        timing.as_secs_f64()
    );
    match drain {
        Some(share) => println!(
            "  drain at >= {:.0} % of the bound: {} ({:.1} %)",
            GOAL_DRAIN * 100.0,
            met(share >= GOAL_DRAIN),
            share * 100.0
        ),
        None => println!("  drain: not measured (no outage, or nothing drained after it)"),
    }
    println!(
        "  each relay process under {GOAL_MIB} MiB and flat: {}",
        met(memory)
    );
    if s.keep_logs || !correct {
        println!("logs kept in {}", logs.keep().display());
    }
    correct
}

/// `relay --help`, if the binary has the command.
fn relay_help(binary: &Path) -> Option<String> {
    let output = Command::new(binary)
        .args(["relay", "--help"])
        .stdin(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// A port nothing listens on now (bound, then let go).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ---------------------------------------------------------------------------------------------
// The plan: which number each message is from, and the order of the deliveries.

/// A small seeded generator: the plan is the same from run to run.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// In [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Plan {
    /// Each number in E.164; those from `existing` on are new to the account.
    numbers: Vec<String>,
    existing: usize,
    /// Message `j`'s number (messages are numbered in the order of their first delivery).
    number_of: Vec<u32>,
    /// The messages in the order they are delivered (some twice).
    deliveries: Vec<u32>,
}

impl Plan {
    fn new(s: &Settings) -> Self {
        let numbers = numbers::numbers(s.numbers);
        let existing = s.numbers - s.new;
        let mut random = Random(0x5eed_f00d);
        // Each number's share of the messages; its first message at a random moment of the
        // first 90 % of the sending, the others after it, at random.
        let mut moments: Vec<(f64, u32, bool)> = Vec::with_capacity(s.messages);
        for n in 0..s.numbers {
            let count = s.messages / s.numbers + usize::from(n < s.messages % s.numbers);
            if count == 0 {
                continue;
            }
            let first = random.unit() * 0.9;
            // A new number's second message follows its first within a second (placed below).
            let paired = n >= existing && count >= 2;
            moments.push((first, n as u32, paired));
            for _ in 1..count - usize::from(paired) {
                moments.push((first + random.unit() * (1.0 - first), n as u32, false));
            }
        }
        moments.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut number_of = Vec::with_capacity(s.messages);
        let mut later: BinaryHeap<Reverse<(usize, u32)>> = BinaryHeap::new();
        for (_, n, paired) in moments {
            flush_due(&mut later, &mut number_of);
            number_of.push(n);
            if paired {
                // 0.25 to 0.85 s later at the sending rate: most often in another batch.
                let gap = ((0.25 + 0.6 * random.unit()) * s.rate).max(1.0) as usize;
                later.push(Reverse((number_of.len() - 1 + gap, n)));
            }
        }
        while let Some(Reverse((_, n))) = later.pop() {
            number_of.push(n);
        }

        // Every `duplicate_every`th message is delivered again 2 s later, as Twilio may.
        let mut deliveries = Vec::with_capacity(s.messages + s.messages / 50);
        let mut again: BinaryHeap<Reverse<(usize, u32)>> = BinaryHeap::new();
        for j in 0..s.messages as u32 {
            flush_due(&mut again, &mut deliveries);
            deliveries.push(j);
            if s.duplicate_every > 0 && j as usize % s.duplicate_every == s.duplicate_every / 2 {
                let gap = (2.0 * s.rate).max(1.0) as usize;
                again.push(Reverse((deliveries.len() - 1 + gap, j)));
            }
        }
        while let Some(Reverse((_, j))) = again.pop() {
            deliveries.push(j);
        }
        Self {
            numbers,
            existing,
            number_of,
            deliveries,
        }
    }

    fn sid(j: usize) -> String {
        format!("SM{j:032x}")
    }

    fn whatsapp(j: usize) -> bool {
        j % 5 == 3
    }

    fn body(j: usize) -> String {
        format!("Message {j}: à bientôt & merci")
    }

    fn is_new(&self, number: usize) -> bool {
        number >= self.existing
    }
}

/// Moves the entries of `later` that are due at `out`'s length into `out`.
fn flush_due(later: &mut BinaryHeap<Reverse<(usize, u32)>>, out: &mut Vec<u32>) {
    while let Some(Reverse((at, item))) = later.peek().copied() {
        if at > out.len() {
            break;
        }
        later.pop();
        out.push(item);
    }
}

// ---------------------------------------------------------------------------------------------
// The fake HubSpot, and what it answered.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Search,
    ContactCreate,
    Upsert,
    Association,
    Other,
}

impl Kind {
    fn of(path: &str) -> Self {
        if path.ends_with("/search") {
            Self::Search
        } else if path.contains("/objects/contacts/batch/create") {
            Self::ContactCreate
        } else if path.ends_with("/batch/upsert") {
            Self::Upsert
        } else if path.contains("associations") && path.ends_with("/batch/create") {
            Self::Association
        } else {
            Self::Other
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Search => "searches",
            Self::ContactCreate => "contact creations",
            Self::Upsert => "upserts",
            Self::Association => "association batches",
            Self::Other => "other",
        }
    }
}

/// Every request the fake's routes answered (429s of its limits are the gate's, counted in
/// its stats), and the most numbers one search looked for.
#[derive(Default)]
struct Requests {
    seen: Mutex<Vec<(Instant, Kind, u16)>>,
    most_numbers_per_search: AtomicUsize,
}

/// The fake at HubSpot's Professional limits with its search lag, the key property unique,
/// and a contact for each existing number (stored in mixed forms); answers the seeded
/// contacts' ids, by number.
async fn seeded_fake(plan: &Plan, requests: &Arc<Requests>) -> (MockServer, Vec<String>) {
    let seen = Arc::clone(requests);
    let config = Config::default()
        .token(TOKEN)
        .rate_limit(GENERAL)
        .search_rate_limit(SEARCH)
        .property(
            PropertyOwner::Communication,
            PropertyDefinition::string(DEFAULT_KEY_PROPERTY).unique(),
        )
        .observe(move |exchange| {
            let kind = Kind::of(&exchange.path);
            let status = exchange.status.as_u16();
            if kind == Kind::Search && exchange.status.is_success() {
                let numbers = serde_json::from_slice::<serde_json::Value>(&exchange.request_body)
                    .ok()
                    .and_then(|body| {
                        body["filterGroups"].as_array().map(|groups| {
                            groups
                                .iter()
                                .flat_map(|g| g["filters"].as_array().cloned().unwrap_or_default())
                                .map(|f| f["values"].as_array().map_or(0, Vec::len))
                                .max()
                                .unwrap_or(0)
                        })
                    })
                    .unwrap_or(0);
                seen.most_numbers_per_search
                    .fetch_max(numbers, Ordering::Relaxed);
            }
            seen.seen
                .lock()
                .unwrap()
                .push((Instant::now(), kind, status));
        });
    let fake = MockServer::start_with(config).await.unwrap();
    let seeded = plan.numbers[..plan.existing]
        .iter()
        .enumerate()
        .map(|(i, e164)| {
            let (property, stored) = numbers::stored_form(e164, i);
            fake.seed_record(ObjectType::Contact, &[(property, stored.as_str())])
        })
        .collect();
    (fake, seeded)
}

// ---------------------------------------------------------------------------------------------
// The relay's processes.

/// How the relay's processes are started.
struct Launch {
    binary: PathBuf,
    fake_url: String,
    redis_url: String,
    claim_after: Option<u64>,
}

impl Launch {
    fn relay(&self) -> Command {
        let mut command = Command::new(&self.binary);
        command
            .args(["relay", "--redis", &self.redis_url])
            .env("HUBSPOT_ACCESS_TOKEN", TOKEN)
            .env("HUBSPOT_BASE_URL", &self.fake_url)
            .env("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
            .env_remove("HUBSPOT_API_VERSION")
            .env_remove("RELAY_REDIS_URL")
            .env_remove("RELAY_JSON_SECRET")
            .env_remove("RELAY_PUBLIC_URL");
        command
    }

    fn receiver(&self, port: u16) -> Command {
        let mut command = self.relay();
        command
            .args(["--listen", &format!("127.0.0.1:{port}"), "--no-work"])
            .env("RELAY_PUBLIC_URL", format!("http://127.0.0.1:{port}"));
        command
    }

    fn worker(&self) -> Command {
        let mut command = self.relay();
        command.arg("--no-receive");
        if let Some(seconds) = self.claim_after {
            command.args(["--claim-after", &seconds.to_string()]);
        }
        command
    }
}

/// One process the run started, and its memory as sampled.
struct Process {
    name: String,
    pid: u32,
    child: Option<Child>,
    log: PathBuf,
    started: Instant,
    ended: Option<Instant>,
    how_it_ended: Option<String>,
    /// `VmRSS` in KiB, each second, and the largest `VmHWM` read.
    rss: Vec<(Instant, u64)>,
    hwm: u64,
}

/// The processes of the run: each one killed (SIGKILL) when the fleet is dropped, a panic's
/// unwinding included, so that none outlives the bench.
struct Fleet {
    logs: PathBuf,
    processes: Mutex<Vec<Process>>,
}

impl Fleet {
    fn new(logs: PathBuf) -> Self {
        Self {
            logs,
            processes: Mutex::new(Vec::new()),
        }
    }

    fn spawn(&self, name: &str, mut command: Command) {
        let log = self.logs.join(format!("{name}.log"));
        let file = File::create(&log).unwrap();
        let child = command
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {name}: {error}"));
        self.processes.lock().unwrap().push(Process {
            name: name.to_owned(),
            pid: child.id(),
            child: Some(child),
            log,
            started: Instant::now(),
            ended: None,
            how_it_ended: None,
            rss: Vec::new(),
            hwm: 0,
        });
    }

    fn log_of(&self, name: &str) -> PathBuf {
        let processes = self.processes.lock().unwrap();
        let process = processes.iter().rev().find(|p| p.name == name).unwrap();
        process.log.clone()
    }

    /// Waits until `name`'s log holds `text` (its listener bound, say); panics with the log
    /// if it exits first or takes over 30 s.
    fn wait_until_logged(&self, name: &str, text: &str) {
        let log = self.log_of(name);
        let started = Instant::now();
        loop {
            let written = std::fs::read_to_string(&log).unwrap_or_default();
            if written.contains(text) {
                return;
            }
            let exited = {
                let mut processes = self.processes.lock().unwrap();
                let process = processes.iter_mut().rev().find(|p| p.name == name).unwrap();
                process
                    .child
                    .as_mut()
                    .and_then(|c| c.try_wait().ok().flatten())
            };
            assert!(
                exited.is_none() && started.elapsed() < Duration::from_secs(30),
                "{name} did not log {text:?} ({}):\n{written}",
                exited.map_or("within 30 s".to_owned(), |s| format!("it exited: {s}"))
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL, as a crash: nothing of it runs after.
    fn kill(&self, name: &str) {
        let mut processes = self.processes.lock().unwrap();
        let process = processes.iter_mut().rev().find(|p| p.name == name).unwrap();
        if let Some(mut child) = process.child.take() {
            let _ = child.kill();
            let _ = child.wait();
            process.ended = Some(Instant::now());
            process.how_it_ended = Some("killed (SIGKILL)".to_owned());
        }
    }

    /// SIGTERM to every process still running, then waits up to `patience` for each to
    /// exit: how each ended.
    fn terminate_all(&self, patience: Duration) -> Vec<(String, String)> {
        let mut processes = self.processes.lock().unwrap();
        for process in processes.iter().filter(|p| p.child.is_some()) {
            let _ = Command::new("kill")
                .args(["-TERM", &process.pid.to_string()])
                .status();
        }
        let deadline = Instant::now() + patience;
        for process in processes.iter_mut() {
            let Some(mut child) = process.child.take() else {
                continue;
            };
            let ended = loop {
                match child.try_wait() {
                    Ok(Some(status)) => break format!("exited {status} on SIGTERM"),
                    Ok(None) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    _ => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break format!(
                            "still running {} s after SIGTERM: killed",
                            patience.as_secs()
                        );
                    }
                }
            };
            process.ended = Some(Instant::now());
            process.how_it_ended = Some(ended);
        }
        processes
            .iter()
            .map(|p| (p.name.clone(), p.how_it_ended.clone().unwrap_or_default()))
            .collect()
    }

    /// Reads each running process's memory.
    fn sample(&self) {
        let now = Instant::now();
        let mut processes = self.processes.lock().unwrap();
        for process in processes.iter_mut().filter(|p| p.child.is_some()) {
            if let Some((rss, hwm)) = memory(process.pid) {
                process.rss.push((now, rss));
                process.hwm = process.hwm.max(hwm);
            }
        }
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        let processes = self
            .processes
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for process in processes.iter_mut() {
            if let Some(mut child) = process.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

/// `VmRSS` and `VmHWM` of a process, in KiB (none once it is a zombie).
fn memory(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// The redis-server this bench started (a child of this process), for its memory.
fn redis_pid() -> Option<u32> {
    let ours = std::process::id().to_string();
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let comm = std::fs::read_to_string(entry.path().join("comm")).ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // `pid (comm) state ppid ...`: the parent is the second field after the name.
            let parent = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?;
            (comm.trim() == "redis-server" && parent == ours).then_some(pid)
        })
}

/// Samples the fleet's memory (and Redis's) every second, on a thread of its own, until
/// dropped.
struct Sampler {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    redis: Arc<Mutex<Vec<(u32, u64, u64)>>>,
}

impl Sampler {
    fn start(fleet: &Arc<Fleet>) -> Self {
        let fleet: Weak<Fleet> = Arc::downgrade(fleet);
        let stop = Arc::new(AtomicBool::new(false));
        let redis = Arc::new(Mutex::new(Vec::new()));
        let (stopping, redis_seen) = (Arc::clone(&stop), Arc::clone(&redis));
        let thread = std::thread::spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                let Some(fleet) = fleet.upgrade() else { return };
                fleet.sample();
                drop(fleet);
                if let Some(pid) = redis_pid()
                    && let Some((rss, hwm)) = memory(pid)
                {
                    redis_seen.lock().unwrap().push((pid, rss, hwm));
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        });
        Self {
            stop,
            thread: Some(thread),
            redis,
        }
    }
}

impl Sampler {
    /// Stops sampling; answers Redis's peak memory in KiB and how many processes it was.
    fn finish(mut self) -> (u64, usize) {
        self.halt();
        let redis = self.redis.lock().unwrap();
        let peak = redis.iter().map(|(_, _, hwm)| *hwm).max().unwrap_or(0);
        let processes: HashSet<u32> = redis.iter().map(|(pid, _, _)| *pid).collect();
        (peak, processes.len())
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.halt();
    }
}

// ---------------------------------------------------------------------------------------------
// The faults.

/// When the faults happened, and what the fake held at the outage's end.
#[derive(Default)]
struct Timeline {
    outage: Option<(Instant, Instant)>,
    redis_down: Option<(Instant, Instant)>,
    /// The keys stored when the outage ended, and the fake's 429s by then.
    stored_before_drain: HashSet<String>,
    rate_limited_before_drain: u64,
}

enum Fault {
    RedisDown,
    RedisUp,
    OutageStart,
    OutageEnd,
    KillWorkers,
    RestartWorkers,
}

async fn faults(
    s: Arc<Settings>,
    origin: Instant,
    fake: Arc<MockServer>,
    redis: Arc<Mutex<RedisServer>>,
    fleet: Arc<Fleet>,
    launch: Arc<Launch>,
) -> Timeline {
    let mut plan = vec![
        (s.redis_at, Fault::RedisDown),
        (s.redis_at + s.redis_down, Fault::RedisUp),
        (s.outage_at, Fault::OutageStart),
        (s.outage_at + s.outage, Fault::OutageEnd),
        (s.kill_at, Fault::KillWorkers),
        (s.kill_at + s.restart_after, Fault::RestartWorkers),
    ];
    plan.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut timeline = Timeline::default();
    let mut redis_stopped = None;
    let at = |t: Instant| (t - origin).as_secs_f64();
    for (seconds, fault) in plan {
        tokio::time::sleep_until((origin + Duration::from_secs_f64(seconds)).into()).await;
        let now = Instant::now();
        match fault {
            Fault::RedisDown => {
                let redis = Arc::clone(&redis);
                tokio::task::spawn_blocking(move || redis.lock().unwrap().stop())
                    .await
                    .unwrap();
                redis_stopped = Some(now);
                println!("{:7.1} s  Redis killed (SIGKILL)", at(now));
            }
            Fault::RedisUp => {
                let redis = Arc::clone(&redis);
                tokio::task::spawn_blocking(move || redis.lock().unwrap().restart())
                    .await
                    .unwrap();
                let up = Instant::now();
                timeline.redis_down = redis_stopped.map(|down| (down, up));
                println!(
                    "{:7.1} s  Redis started again on its AOF (answering after {:.2} s)",
                    at(up),
                    (up - now).as_secs_f64()
                );
            }
            Fault::OutageStart => {
                fake.outage(Duration::from_secs_f64(s.outage));
                timeline.outage = Some((now, now + Duration::from_secs_f64(s.outage)));
                println!(
                    "{:7.1} s  HubSpot down: the fake answers 503 to everything for {:.0} s \
                     ({} messages stored so far)",
                    at(now),
                    s.outage,
                    fake.message_count()
                );
            }
            Fault::OutageEnd => {
                timeline.stored_before_drain = stored_keys(&fake);
                timeline.rate_limited_before_drain = fake.stats().rate_limited;
                println!(
                    "{:7.1} s  HubSpot back ({} messages stored so far)",
                    at(now),
                    timeline.stored_before_drain.len()
                );
            }
            Fault::KillWorkers => {
                let names: Vec<String> = (1..=s.killed).map(|i| format!("worker-{i}")).collect();
                for name in &names {
                    fleet.kill(name);
                }
                println!("{:7.1} s  {} killed (SIGKILL)", at(now), names.join(", "));
            }
            Fault::RestartWorkers => {
                for i in 1..=s.killed {
                    fleet.spawn(&format!("worker-{i}-restarted"), launch.worker());
                }
                println!("{:7.1} s  {} workers started again", at(now), s.killed);
            }
        }
    }
    timeline
}

fn stored_keys(fake: &MockServer) -> HashSet<String> {
    fake.messages()
        .into_iter()
        .filter_map(|(_, properties)| properties.get(DEFAULT_KEY_PROPERTY).cloned())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The sender: Twilio.

#[derive(Default)]
struct Counts {
    sent: AtomicUsize,
    refused: AtomicUsize,
    done: AtomicBool,
}

/// One try of one webhook: when it was sent, how long its answer took, and its status (0: no
/// answer, a timeout or a refused connection).
struct Attempt {
    at: Instant,
    took: Duration,
    status: u16,
}

impl Attempt {
    fn accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

struct Sent {
    attempts: Vec<Attempt>,
    /// Whether each message was accepted (2xx) by one of its deliveries.
    accepted: Vec<bool>,
    /// From a delivery's first try to its 2xx, for those accepted.
    until_accepted: Vec<Duration>,
    most_behind: Duration,
}

/// The deliveries, at `rate` a second from `origin`, alternating between the receivers, at
/// most `concurrency` in flight.
async fn send(
    s: &Settings,
    plan: &Arc<Plan>,
    receivers: &[String],
    origin: Instant,
    counts: &Arc<Counts>,
) -> Sent {
    let http = reqwest::Client::builder()
        .timeout(TWILIO_TIMEOUT)
        .pool_max_idle_per_host(s.concurrency)
        .build()
        .unwrap();
    let permits = Arc::new(Semaphore::new(s.concurrency));
    let mut sent = Sent {
        attempts: Vec::with_capacity(plan.deliveries.len() + 1_000),
        accepted: vec![false; s.messages],
        until_accepted: Vec::with_capacity(plan.deliveries.len()),
        most_behind: Duration::ZERO,
    };
    let mut tasks = JoinSet::new();
    let gather = |sent: &mut Sent, (j, attempts, accepted): Delivered| {
        sent.attempts.extend(attempts);
        if let Some(after) = accepted {
            sent.accepted[j as usize] = true;
            sent.until_accepted.push(after);
        }
    };
    for (i, &j) in plan.deliveries.iter().enumerate() {
        let due = origin + Duration::from_secs_f64(i as f64 / s.rate);
        tokio::time::sleep_until(due.into()).await;
        let permit = Arc::clone(&permits).acquire_owned().await.unwrap();
        sent.most_behind = sent
            .most_behind
            .max(Instant::now().saturating_duration_since(due));
        let url = format!("{}{TWILIO_PATH}", receivers[i % receivers.len()]);
        let (http, plan, counts) = (http.clone(), Arc::clone(plan), Arc::clone(counts));
        tasks.spawn(async move {
            let delivered = deliver(&http, &url, &plan, j, &counts).await;
            drop(permit);
            delivered
        });
        while let Some(done) = tasks.try_join_next() {
            gather(&mut sent, done.unwrap());
        }
    }
    while let Some(done) = tasks.join_next().await {
        gather(&mut sent, done.unwrap());
    }
    sent
}

type Delivered = (u32, Vec<Attempt>, Option<Duration>);

/// Twilio's "a message comes in" webhook of message `j`, signed for `url`, tried until a 2xx
/// answer, as Twilio would: up to [`MAX_TRIES`] times within its 15 s.
async fn deliver(
    http: &reqwest::Client,
    url: &str,
    plan: &Plan,
    j: u32,
    counts: &Counts,
) -> Delivered {
    let index = j as usize;
    let sid = Plan::sid(index);
    let number = &plan.numbers[plan.number_of[index] as usize];
    let (from, to) = if Plan::whatsapp(index) {
        (format!("whatsapp:{number}"), format!("whatsapp:{OURS}"))
    } else {
        (number.clone(), OURS.to_owned())
    };
    let params: Vec<(String, String)> = [
        ("ToCountry", "US"),
        ("SmsMessageSid", &sid),
        ("NumMedia", "0"),
        ("SmsSid", &sid),
        ("SmsStatus", "received"),
        ("Body", &Plan::body(index)),
        ("FromCountry", "US"),
        ("To", &to),
        ("NumSegments", "1"),
        ("MessageSid", &sid),
        ("AccountSid", ACCOUNT_SID),
        ("From", &from),
        ("ApiVersion", "2010-04-01"),
    ]
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .into();
    let signature = twilio_signature(AUTH_TOKEN, url, &params);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish();
    counts.sent.fetch_add(1, Ordering::Relaxed);
    let first = Instant::now();
    let mut attempts = Vec::new();
    let mut pause = Duration::from_secs(1);
    loop {
        let at = Instant::now();
        let answer = http
            .post(url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("X-Twilio-Signature", &signature)
            .body(body.clone())
            .send()
            .await;
        let status = match answer {
            Ok(answer) => {
                let status = answer.status().as_u16();
                let _ = answer.bytes().await;
                status
            }
            Err(_) => 0,
        };
        let attempt = Attempt {
            at,
            took: at.elapsed(),
            status,
        };
        let accepted = attempt.accepted();
        attempts.push(attempt);
        if accepted {
            return (j, attempts, Some(first.elapsed()));
        }
        counts.refused.fetch_add(1, Ordering::Relaxed);
        if attempts.len() >= MAX_TRIES || first.elapsed() + pause >= TWILIO_TIMEOUT {
            return (j, attempts, None);
        }
        tokio::time::sleep(pause).await;
        pause *= 2;
    }
}

/// A line every 10 s: what was sent, stored, and waits in Redis (and the claims on new
/// numbers held: a lane waits while another holds one of its numbers).
async fn progress(
    origin: Instant,
    fake: Arc<MockServer>,
    streams: Streams,
    redis: redis::Client,
    counts: Arc<Counts>,
    deliveries: usize,
) {
    let mut next = origin + Duration::from_secs(10);
    while !counts.done.load(Ordering::Relaxed) {
        if Instant::now() < next {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        next += Duration::from_secs(10);
        let inbox = match tokio::time::timeout(
            Duration::from_secs(2),
            status(&streams, [&AccountName::default()]),
        )
        .await
        {
            Ok(Ok(statuses)) => describe(&statuses[0]),
            _ => "Redis does not answer".to_owned(),
        };
        let claims = tokio::time::timeout(Duration::from_secs(2), claims_held(&redis))
            .await
            .ok()
            .flatten()
            .map_or_else(String::new, |n| format!(", {n} claims on numbers"));
        let stats = fake.stats();
        println!(
            "{:7.1} s  sent {}/{deliveries} ({} non-2xx); stored {}; {inbox}{claims}; the fake \
             answered {} requests, {} of them 429",
            origin.elapsed().as_secs_f64(),
            counts.sent.load(Ordering::Relaxed),
            counts.refused.load(Ordering::Relaxed),
            fake.message_count(),
            stats.requests,
            stats.rate_limited
        );
    }
}

/// How many claims on new numbers (the facade's `RedisClaims`) Redis holds.
async fn claims_held(redis: &redis::Client) -> Option<usize> {
    let mut connection = redis.get_multiplexed_async_connection().await.ok()?;
    let (mut cursor, mut held) = (0u64, 0);
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg("*:contact-claim:*")
            .arg("COUNT")
            .arg(1_000)
            .query_async(&mut connection)
            .await
            .ok()?;
        held += keys.len();
        if next == 0 {
            return Some(held);
        }
        cursor = next;
    }
}

fn describe(status: &AccountStatus) -> String {
    format!(
        "backlog {}, pending {}, dead {}{}",
        status.backlog,
        status.pending,
        status.dead_letters,
        status
            .oldest
            .map(|o| format!(", oldest {:.0} s", o.as_secs_f64()))
            .unwrap_or_default()
    )
}

// ---------------------------------------------------------------------------------------------
// The figures.

/// Prints the answer times (all tries; before, during and after the outage; around Redis's
/// restart) and answers the p99 of all.
fn report_answers(sent: &Sent, timeline: &Timeline, origin: Instant) -> Duration {
    let line = |what: &str, attempts: &mut dyn Iterator<Item = &Attempt>| -> Duration {
        let mut took: Vec<Duration> = Vec::new();
        let mut refused = 0;
        for attempt in attempts {
            took.push(attempt.took);
            refused += usize::from(!attempt.accepted());
        }
        if took.is_empty() {
            return Duration::ZERO;
        }
        took.sort();
        let at = |q: f64| took[((took.len() as f64 * q) as usize).min(took.len() - 1)];
        println!(
            "  {what}: {} answers, {refused} not 2xx; p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, \
             p99.9 {:.1} ms, max {:.1} ms",
            took.len(),
            at(0.5).as_secs_f64() * 1e3,
            at(0.9).as_secs_f64() * 1e3,
            at(0.99).as_secs_f64() * 1e3,
            at(0.999).as_secs_f64() * 1e3,
            took[took.len() - 1].as_secs_f64() * 1e3,
        );
        at(0.99)
    };
    println!("time to answer a webhook (every try, as Twilio waits for it):");
    let p99 = line("all", &mut sent.attempts.iter());
    if let Some((start, end)) = timeline.outage {
        line(
            "before the outage",
            &mut sent.attempts.iter().filter(|a| a.at < start),
        );
        line(
            "during the outage",
            &mut sent.attempts.iter().filter(|a| a.at >= start && a.at < end),
        );
        line(
            "after the outage",
            &mut sent.attempts.iter().filter(|a| a.at >= end),
        );
    }
    if let Some((down, up)) = timeline.redis_down {
        let around = |a: &&Attempt| a.at + Duration::from_secs(1) >= down && a.at <= up;
        line(
            &format!(
                "while Redis was away ({:.1} to {:.1} s)",
                (down - origin).as_secs_f64(),
                (up - origin).as_secs_f64()
            ),
            &mut sent.attempts.iter().filter(around),
        );
    }
    let mut until = sent.until_accepted.clone();
    until.sort();
    if let Some(max) = until.last() {
        println!(
            "  from a delivery's first try to its 2xx (retries included): p99 {:.1} ms, max {:.1} ms",
            until[((until.len() as f64 * 0.99) as usize).min(until.len() - 1)].as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3
        );
    }
    p99
}

/// Prints the drain's rate against the bound, and the requests; answers the share of the
/// bound reached.
fn report_drain(
    fake: &MockServer,
    plan: &Plan,
    requests: &Requests,
    timeline: &Timeline,
    origin: Instant,
) -> Option<f64> {
    let (_, outage_end) = timeline.outage?;
    let seen = requests.seen.lock().unwrap();
    let writes = [Kind::Upsert, Kind::Association, Kind::ContactCreate];
    let last_write = seen
        .iter()
        .filter(|(at, kind, status)| {
            *at >= outage_end && writes.contains(kind) && (200..300).contains(status)
        })
        .map(|(at, _, _)| *at)
        .max()?;
    let first_write = seen
        .iter()
        .filter(|(at, kind, status)| {
            *at >= outage_end && writes.contains(kind) && (200..300).contains(status)
        })
        .map(|(at, _, _)| *at)
        .min()?;
    let index: HashMap<String, usize> = (0..plan.number_of.len())
        .map(|j| (Plan::sid(j), j))
        .collect();
    let before = &timeline.stored_before_drain;
    let drained: Vec<usize> = stored_keys(fake)
        .difference(before)
        .filter_map(|key| index.get(key).copied())
        .collect();
    if drained.is_empty() {
        return None;
    }
    let known: HashSet<u32> = before
        .iter()
        .filter_map(|key| index.get(key))
        .map(|&j| plan.number_of[j])
        .collect();
    let unknown: HashSet<u32> = drained
        .iter()
        .map(|&j| plan.number_of[j])
        .filter(|n| !known.contains(n))
        .collect();
    let new = unknown.iter().filter(|&&n| plan.is_new(n as usize)).count();
    let per_search = requests
        .most_numbers_per_search
        .load(Ordering::Relaxed)
        .clamp(1, hubspot_communications::MAX_NUMBERS_PER_SEARCH);
    let d = drained.len();
    let (upserts, associations, creates) = (d.div_ceil(100), d.div_ceil(1_000), new.div_ceil(100));
    let searches = unknown.len().div_ceil(per_search);
    let per_second = |limit: RateLimit| f64::from(limit.max) / limit.interval.as_secs_f64();
    let general_secs = (upserts + associations + creates) as f64 / per_second(GENERAL);
    let search_secs = searches as f64 / per_second(SEARCH);
    let bound_secs = general_secs.max(search_secs);
    let bound_rate = d as f64 / bound_secs;
    let took = (last_write - outage_end).as_secs_f64();
    let rate = d as f64 / took;
    let at = |t: Instant| (t - origin).as_secs_f64();
    println!();
    println!(
        "the drain: {d} messages stored from the outage's end ({:.1} s) to the last write \
         ({:.1} s): {took:.1} s, {rate:.0} messages/s; the first write {:.1} s after the outage",
        at(outage_end),
        at(last_write),
        (first_write - outage_end).as_secs_f64()
    );
    println!(
        "  the bound: {upserts} upserts + {associations} association batches + {creates} contact \
         creations ({new} new numbers) = {} requests at {}/s = {general_secs:.1} s; {searches} \
         searches ({} numbers not seen before the drain, {per_search} a search) at {}/s = \
         {search_secs:.1} s; the {} limit binds: {bound_secs:.1} s, {bound_rate:.0} messages/s",
        upserts + associations + creates,
        per_second(GENERAL),
        unknown.len(),
        per_second(SEARCH),
        if general_secs >= search_secs {
            "general"
        } else {
            "search"
        },
    );
    let share = rate / bound_rate;
    println!(
        "  drained at {:.1} % of the bound ({:.1} % counted from its first write)",
        share * 100.0,
        d as f64 / (last_write - first_write).as_secs_f64().max(1e-3) / bound_rate * 100.0
    );
    // The bound above is the limit's sustained rate. The fake's window is rolling: after the
    // outage it holds only the last 10 s of the relay's probes (503s count too), so a short
    // drain can beat the sustained rate by up to a window's worth. The tightest schedule from
    // an empty window (a window's worth at once, the next a window later, and so on) is the
    // stricter figure.
    let general_requests = upserts + associations + creates;
    let windows = general_requests.saturating_sub(1) / GENERAL.max as usize;
    let window_secs = (windows as f64 * GENERAL.interval.as_secs_f64()).max(search_secs);
    if window_secs > 0.0 {
        println!(
            "  against the rolling window's tightest schedule ({} requests at once, then as \
             each leaves the window): {window_secs:.1} s, so {:.1} %",
            GENERAL.max,
            window_secs / took * 100.0
        );
    }
    // What the relay itself asked for in the drain, and how much of each limit that used.
    let mut by_kind: BTreeMap<Kind, (usize, usize)> = BTreeMap::new();
    for (_, kind, status) in seen
        .iter()
        .filter(|(at, _, _)| *at >= outage_end && *at <= last_write)
    {
        let counted = by_kind.entry(*kind).or_default();
        counted.0 += 1;
        counted.1 += usize::from(!(200..300).contains(status));
    }
    let count = |kind: Kind| by_kind.get(&kind).map_or(0, |c| c.0);
    let general: usize = by_kind
        .iter()
        .filter(|(kind, _)| **kind != Kind::Search)
        .map(|(_, c)| c.0)
        .sum();
    println!(
        "  the relay's requests in the drain: {}; {} answered 429 (the fake's limits)",
        by_kind
            .iter()
            .map(|(kind, (n, failed))| format!("{n} {} ({failed} not 2xx)", kind.name()))
            .collect::<Vec<_>>()
            .join(", "),
        fake.stats().rate_limited - timeline.rate_limited_before_drain
    );
    println!(
        "  they used {:.1} % of the general limit and {:.1} % of the search limit over the drain \
         ({:.1} and {:.1} messages a request)",
        general as f64 / (per_second(GENERAL) * took) * 100.0,
        count(Kind::Search) as f64 / (per_second(SEARCH) * took) * 100.0,
        d as f64 / general.max(1) as f64,
        d as f64 / count(Kind::Search).max(1) as f64,
    );
    // The drain in slices of 5 s: where the limits went unused.
    let slice = Duration::from_secs(5);
    let mut from = outage_end;
    while from < last_write {
        let to = from + slice;
        let mut slice_kinds: BTreeMap<Kind, usize> = BTreeMap::new();
        for (_, kind, _) in seen.iter().filter(|(at, _, _)| *at >= from && *at < to) {
            *slice_kinds.entry(*kind).or_default() += 1;
        }
        println!(
            "    {:>5.1} s: {}",
            at(from),
            slice_kinds
                .iter()
                .map(|(kind, n)| format!("{n} {}", kind.name()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        from = to;
    }
    // Workers idle while messages wait (a wait on a claim makes no request) show as a gap.
    let mut times: Vec<Instant> = seen.iter().map(|(at, _, _)| *at).collect();
    times.sort();
    if let Some((from, to)) = times
        .windows(2)
        .map(|pair| (pair[0], pair[1]))
        .max_by_key(|(from, to)| *to - *from)
    {
        println!(
            "  the longest time HubSpot got no request while messages waited: {:.1} s (from \
             {:.1} to {:.1} s)",
            (to - from).as_secs_f64(),
            at(from),
            at(to)
        );
    }
    let total: BTreeMap<Kind, usize> = seen.iter().fold(BTreeMap::new(), |mut m, (_, k, _)| {
        *m.entry(*k).or_default() += 1;
        m
    });
    println!(
        "  the whole run: {}; 503 during the outage: {}",
        total
            .iter()
            .map(|(kind, n)| format!("{n} {}", kind.name()))
            .collect::<Vec<_>>()
            .join(", "),
        seen.iter().filter(|(_, _, status)| *status == 503).count()
    );
    Some(share)
}

/// Prints each relay process's peak memory and whether it stayed flat; answers whether every
/// one is under the goal and flat.
fn report_memory(
    fleet: &Fleet,
    origin: Instant,
    phases: Option<(Instant, Instant, Instant)>,
    (redis_peak, redis_processes): (u64, usize),
) -> bool {
    println!();
    println!(
        "memory (VmHWM: the peak; VmRSS each second: level while the backlog grows (the outage) \
         and under the drain's full load, each by its halves; and the peak of each third of its \
         life):"
    );
    let processes = fleet.processes.lock().unwrap();
    let mut all = true;
    for process in processes.iter() {
        let mib = |kib: u64| kib as f64 / 1024.0;
        let third = process.rss.len() / 3;
        let peak = |samples: &[(Instant, u64)]| samples.iter().map(|s| s.1).max().unwrap_or(0);
        let (first, middle, last) = if third == 0 {
            (peak(&process.rss), 0, peak(&process.rss))
        } else {
            (
                peak(&process.rss[..third]),
                peak(&process.rss[third..process.rss.len() - third]),
                peak(&process.rss[process.rss.len() - third..]),
            )
        };
        let thirds_flat = last as f64 <= first as f64 * 1.10 + 1024.0;
        // Level within a phase: the peak of its second half at most 10 % + 1 MiB over that of
        // its first (a phase the process lived less than 10 s of says nothing).
        let level = |from: Instant, to: Instant| -> Option<(u64, u64, bool)> {
            let samples: Vec<(Instant, u64)> = process
                .rss
                .iter()
                .copied()
                .filter(|(at, _)| *at >= from && *at < to)
                .collect();
            (samples.len() >= 10).then(|| {
                let half = samples.len() / 2;
                let (before, after) = (peak(&samples[..half]), peak(&samples[half..]));
                (before, after, after as f64 <= before as f64 * 1.10 + 1024.0)
            })
        };
        let (outage, drain) = match phases {
            Some((start, end, drained)) => (level(start, end), level(end, drained)),
            None => (None, None),
        };
        let flat = outage.is_none_or(|o| o.2) && drain.is_none_or(|d| d.2);
        let under = mib(process.hwm) < GOAL_MIB;
        all &= flat && under;
        let phase = |name: &str, level: Option<(u64, u64, bool)>| match level {
            Some((before, after, ok)) => format!(
                "{name} {:.1} / {:.1} MiB{}",
                mib(before),
                mib(after),
                if ok { "" } else { " GROWING" }
            ),
            None => format!("{name} -"),
        };
        println!(
            "  {:<20} peak {:5.1} MiB ({}); {} ({}, {}); thirds {:5.1} / {:5.1} / {:5.1} MiB \
             ({}); lived {:.0} to {:.0} s",
            process.name,
            mib(process.hwm),
            if under { "under" } else { "OVER" },
            if flat { "flat" } else { "GROWING" },
            phase("outage", outage),
            phase("drain", drain),
            mib(first),
            mib(middle),
            mib(last),
            if thirds_flat { "level" } else { "rising" },
            process
                .started
                .saturating_duration_since(origin)
                .as_secs_f64(),
            process.ended.map_or(f64::NAN, |e| e
                .saturating_duration_since(origin)
                .as_secs_f64()),
        );
        if std::env::var_os("RELAY_BENCH_RSS_TIMELINE").is_some() {
            // Each 10 s of its life, the largest VmRSS in it.
            let timeline: Vec<String> = process
                .rss
                .chunks(10)
                .map(|chunk| format!("{:.0}", mib(peak(chunk))))
                .collect();
            println!("      VmRSS by 10 s (MiB): {}", timeline.join(" "));
        }
    }
    println!(
        "  {:<20} peak {:5.1} MiB over {redis_processes} processes (its restart is another; not \
         a goal: it holds the backlog)",
        "redis-server",
        redis_peak as f64 / 1024.0
    );
    all
}

/// How each process ended, and the warnings and errors in its log.
fn report_logs(fleet: &Fleet, exits: &[(String, String)]) {
    println!();
    println!("how each process ended, and its log's warnings and errors:");
    for (name, ended) in exits {
        let log = fleet.log_of(name);
        let (mut warnings, mut errors) = (0, 0);
        let mut first_error = None;
        if let Ok(file) = File::open(&log) {
            for line in BufReader::new(file).lines().map_while(Result::ok) {
                // Either way the log is coloured or not.
                if line.contains("WARN") {
                    warnings += 1;
                } else if line.contains("ERROR") {
                    errors += 1;
                    first_error.get_or_insert(line);
                }
            }
        }
        println!(
            "  {name:<20} {ended}; {warnings} warnings, {errors} errors{}",
            first_error
                .map(|e| format!(" (the first: {})", e.chars().take(200).collect::<String>()))
                .unwrap_or_default()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The checks.

#[derive(Default)]
struct Checks {
    stored: usize,
    lost_accepted: usize,
    lost_never_accepted: usize,
    logged_twice: usize,
    wrong_contact: usize,
    wrong_content: usize,
    strays: usize,
    new_numbers_not_one_contact: usize,
    contacts_for_known_numbers: usize,
}

impl Checks {
    fn correct(&self) -> bool {
        self.lost_accepted
            + self.lost_never_accepted
            + self.logged_twice
            + self.wrong_contact
            + self.wrong_content
            + self.strays
            + self.new_numbers_not_one_contact
            + self.contacts_for_known_numbers
            == 0
    }
}

/// A stored message: its id and properties.
type Stored = (String, BTreeMap<String, String>);

/// Every message stored once, on its number's contact, with its body and channel; one contact
/// made for each new number, none for the others.
fn check(fake: &MockServer, plan: &Plan, seeded: &[String], accepted: &[bool]) -> Checks {
    let mut checks = Checks::default();
    let mut by_key: HashMap<String, Vec<Stored>> = HashMap::new();
    for (id, properties) in fake.messages() {
        let key = properties
            .get(DEFAULT_KEY_PROPERTY)
            .cloned()
            .unwrap_or_default();
        by_key.entry(key).or_default().push((id, properties));
    }
    checks.stored = by_key.values().map(Vec::len).sum();

    // The contacts the relay made, by the number they hold.
    let seeded_ids: HashSet<&String> = seeded.iter().collect();
    let number_index: HashMap<&str, usize> = plan
        .numbers
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut made: HashMap<usize, Vec<String>> = HashMap::new();
    for (id, properties) in fake.records(ObjectType::Contact) {
        if seeded_ids.contains(&id) {
            continue;
        }
        let held = ["phone", "mobilephone", "hs_whatsapp_phone_number"]
            .iter()
            .find_map(|p| properties.get(*p))
            .and_then(|phone| number_index.get(phone.as_str()).copied());
        match held {
            Some(n) if plan.is_new(n) => made.entry(n).or_default().push(id),
            _ => checks.contacts_for_known_numbers += 1,
        }
    }
    let has_messages: HashSet<u32> = plan.number_of.iter().copied().collect();
    for n in plan.existing..plan.numbers.len() {
        if has_messages.contains(&(n as u32)) && made.get(&n).map_or(0, Vec::len) != 1 {
            checks.new_numbers_not_one_contact += 1;
        }
    }

    for (j, &accepted) in accepted.iter().enumerate() {
        let Some(stored) = by_key.remove(&Plan::sid(j)) else {
            if accepted {
                checks.lost_accepted += 1;
            } else {
                checks.lost_never_accepted += 1;
            }
            continue;
        };
        checks.logged_twice += usize::from(stored.len() > 1);
        let (id, properties) = &stored[0];
        let n = plan.number_of[j] as usize;
        let on = fake.associated_records(id, ObjectType::Contact);
        let right = if plan.is_new(n) {
            on.len() == 1 && made.get(&n).is_some_and(|ids| ids.contains(&on[0]))
        } else {
            on == [seeded[n].clone()]
        };
        checks.wrong_contact += usize::from(!right);
        let channel = if Plan::whatsapp(j) {
            "WHATS_APP"
        } else {
            "SMS"
        };
        let content = properties.get("hs_communication_body") == Some(&Plan::body(j))
            && properties
                .get("hs_communication_channel_type")
                .map(String::as_str)
                == Some(channel);
        checks.wrong_content += usize::from(!content);
    }
    checks.strays = by_key.values().map(Vec::len).sum();

    let new_with_messages = (plan.existing..plan.numbers.len())
        .filter(|n| has_messages.contains(&(*n as u32)))
        .count();
    println!();
    println!(
        "checks: {} messages stored for {} sent; lost {} (accepted, then lost) + {} (never \
         accepted within Twilio's tries); logged twice {}; on a wrong contact {}; wrong body or \
         channel {}; stored but never sent {}; new numbers without exactly one contact {} of \
         {new_with_messages}; contacts made for numbers that had one {}",
        checks.stored,
        plan.number_of.len(),
        checks.lost_accepted,
        checks.lost_never_accepted,
        checks.logged_twice,
        checks.wrong_contact,
        checks.wrong_content,
        checks.strays,
        checks.new_numbers_not_one_contact,
        checks.contacts_for_known_numbers,
    );
    checks
}
