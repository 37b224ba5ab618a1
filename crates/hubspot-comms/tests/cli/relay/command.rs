//! `hubspot-comms relay` as operators run it: the real binary, receivers and workers as
//! separate processes on one Redis, stopped by SIGTERM or killed by SIGKILL; `--demo`; the
//! operator's subcommands; `/metrics`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hubspot_communications_mock::{FaultKind, Faults, MockServer, ObjectType};
use hubspot_communications_tests::redis_server::RedisServer;

use super::super::common::{self, TOKEN};
use super::{AUTH_TOKEN, config, eventually, logged_once, twilio_params};
use hubspot_comms::relay::receive::{TWILIO_PATH, twilio_signature};
use hubspot_comms::relay::status::status;
use hubspot_comms::relay::{AccountName, Streams};

/// The binary with no HubSpot, Twilio or relay settings from the test's own environment.
fn relay_command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hubspot-comms"));
    command.arg("relay").args(args);
    for variable in [
        "HUBSPOT_ACCESS_TOKEN",
        "HUBSPOT_BASE_URL",
        "HUBSPOT_API_VERSION",
        "TWILIO_AUTH_TOKEN",
        "RELAY_PUBLIC_URL",
        "RELAY_JSON_SECRET",
        "RELAY_REDIS_URL",
    ] {
        command.env_remove(variable);
    }
    command
}

/// A relay process, its standard error read as it comes.
struct Process {
    child: Child,
    stderr: Arc<Mutex<Vec<String>>>,
    stdout: Arc<Mutex<Vec<String>>>,
}

impl Process {
    fn spawn(mut command: Command) -> Self {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let stderr = read_lines(child.stderr.take().expect("piped"));
        let stdout = read_lines(child.stdout.take().expect("piped"));
        Self {
            child,
            stderr,
            stdout,
        }
    }

    /// What follows `prefix` on the first line of standard error that starts with it.
    async fn after(&self, prefix: &str) -> String {
        self.find(&self.stderr, prefix).await
    }

    /// The first line of standard output that starts with `prefix`.
    async fn printed(&self, prefix: &str) -> String {
        let rest = self.find(&self.stdout, prefix).await;
        format!("{prefix}{rest}")
    }

    async fn find(&self, lines: &Arc<Mutex<Vec<String>>>, prefix: &str) -> String {
        let started = Instant::now();
        loop {
            if let Some(rest) = lines
                .lock()
                .unwrap()
                .iter()
                .find_map(|line| line.strip_prefix(prefix))
            {
                return rest.to_owned();
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no line {prefix:?} within a minute; stderr: {:?}",
                self.stderr.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Sends SIGTERM, and answers its exit code once it has stopped.
    async fn terminate(mut self) -> (i32, Vec<String>) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // The readers reach the end of the pipes soon after the exit.
                tokio::time::sleep(Duration::from_millis(100)).await;
                let lines = self.stderr.lock().unwrap().clone();
                return (status.code().unwrap_or(-1), lines);
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "it did not stop within a minute of SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL: a crash.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_lines(pipe: impl std::io::Read + Send + 'static) -> Arc<Mutex<Vec<String>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let filled = Arc::clone(&lines);
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { return };
            filled.lock().unwrap().push(line);
        }
    });
    lines
}

/// `relay status`'s backlog, pending and dead letters of `account`.
fn figures(stdout: &str, account: &str) -> Vec<String> {
    let line = stdout
        .lines()
        .find(|line| line.split_whitespace().next() == Some(account))
        .unwrap_or_else(|| panic!("no line of {account}: {stdout}"));
    line.split_whitespace()
        .skip(1)
        .take(3)
        .map(str::to_owned)
        .collect()
}

/// A receiver process (no worker) of the fake's account on `redis`; its base URL.
async fn receiver(fake: &MockServer, redis: &str) -> (Process, String) {
    let mut command = relay_command(&["--redis", redis, "--no-work", "--listen", "127.0.0.1:0"]);
    command
        .env("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
        .env("HUBSPOT_BASE_URL", fake.base_url());
    receiving(command).await
}

/// A receiving relay started from `command`; its base URL once it listens.
async fn receiving(command: Command) -> (Process, String) {
    let process = Process::spawn(command);
    let url = process
        .after("hubspot-comms relay: receiving at ")
        .await
        .trim()
        .to_owned();
    (process, url)
}

/// A worker process (no receiver) logging into `fake`, with its metrics on a port of its own;
/// its metrics' URL.
async fn worker(fake: &MockServer, redis: &str) -> (Process, String) {
    let mut command = relay_command(&[
        "--redis",
        redis,
        "--no-receive",
        "--claim-after",
        "2",
        "--metrics-listen",
        "127.0.0.1:0",
    ]);
    command
        .env("HUBSPOT_ACCESS_TOKEN", TOKEN)
        .env("HUBSPOT_BASE_URL", fake.base_url());
    let process = Process::spawn(command);
    let metrics = process
        .after("hubspot-comms relay: metrics at ")
        .await
        .trim()
        .to_owned();
    process.after("hubspot-comms relay: working for ").await;
    (process, metrics)
}

/// Posts a signed Twilio webhook of `sid` to the receiver at `url`; its status.
async fn post(http: &reqwest::Client, url: &str, sid: &str, from: &str) -> u16 {
    let params = twilio_params(sid, from, &format!("message {sid}"));
    let target = format!("{url}{TWILIO_PATH}");
    let signature = twilio_signature(AUTH_TOKEN, &target, &params);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish();
    http.post(&target)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", signature)
        .body(body)
        .send()
        .await
        .expect("the receiver answers")
        .status()
        .as_u16()
}

/// A command line, its environment, and what its refusal must say.
type Refused = (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
);

#[tokio::test]
async fn the_relay_does_not_start_without_redis_a_token_or_anything_to_receive() {
    let cases: [Refused; 4] = [
        (&[], &[("TWILIO_AUTH_TOKEN", "t")], &["--redis", "--demo"]),
        (
            &["--redis", "redis://127.0.0.1:1/"],
            &[("TWILIO_AUTH_TOKEN", "t")],
            &["HUBSPOT_ACCESS_TOKEN", "--no-work", "--demo"],
        ),
        (
            &["--redis", "redis://127.0.0.1:1/", "--no-work"],
            &[("TWILIO_AUTH_TOKEN", "  ")],
            &["nothing to receive", "TWILIO_AUTH_TOKEN"],
        ),
        (
            &[
                "--redis",
                "redis://127.0.0.1:1/",
                "--no-work",
                "--no-receive",
            ],
            &[],
            &["nothing to run"],
        ),
    ];
    for (args, environment, said) in cases {
        let mut command = relay_command(args);
        command.envs(environment.iter().copied());
        let run = common::run(command).await;
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        for words in said {
            assert!(run.stderr.contains(words), "{args:?}: {}", run.stderr);
        }
        assert!(!run.stderr.contains("receiving at"), "{}", run.stderr);
    }
    // A subcommand needs Redis too.
    let run = common::run(relay_command(&["status"])).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("--redis"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn demo_relays_its_webhooks_once_and_stops_on_sigterm() {
    let process = Process::spawn(relay_command(&["--demo", "--listen", "127.0.0.1:0"]));
    let sent = process.printed("Sent 3 demo webhooks").await;
    assert!(
        sent.contains("[200, 200, 200]") && sent.contains("answered 200: stored once"),
        "{sent}"
    );
    assert!(sent.contains("forged one (answered 403)"), "{sent}");
    // Five demo contacts, and one for the new number however close its two messages came.
    let holds = process.printed("The fake HubSpot now holds").await;
    assert!(holds.contains("3 message(s) and 6 contact(s)"), "{holds}");
    let (code, stderr) = process.terminate().await;
    assert_eq!(code, 0, "{stderr:?}");
    assert!(
        stderr
            .iter()
            .any(|line| line.contains("stopped; every message taken")),
        "{stderr:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn receivers_and_workers_as_processes_lose_nothing_when_a_worker_is_killed() {
    let fake = common::fake(config()).await;
    // Half the numbers have contacts; the others are new.
    let numbers: Vec<String> = (0..10).map(|i| format!("+1415555{:04}", 300 + i)).collect();
    for number in &numbers[..5] {
        common::contact(&fake, &[("phone", number)]);
    }
    let redis = RedisServer::start_aof();
    let redis_url = redis.url();
    let (receiving, url) = receiver(&fake, &redis_url).await;
    let mut first = Some(worker(&fake, &redis_url).await.0);

    let http = reqwest::Client::new();
    for i in 0..40 {
        let status = post(
            &http,
            &url,
            &format!("SM{i:032}"),
            &numbers[i % numbers.len()],
        )
        .await;
        assert_eq!(status, 200);
        if i == 20 {
            // A crash mid-stream: what it held is claimed by the next worker after 2 s.
            first.take().expect("running").kill();
        }
    }
    // A repeated delivery, answered as the first and stored once.
    assert_eq!(
        post(&http, &url, &format!("SM{:032}", 3), &numbers[3]).await,
        200
    );
    let (second, metrics) = worker(&fake, &redis_url).await;
    eventually("every message logged", Duration::from_secs(60), || async {
        fake.message_count() == 40
    })
    .await;
    // Logged is not yet settled: the killed worker's entries may be in HubSpot already, and
    // are acknowledged once the second worker has claimed them (after 2 s) and logged them
    // again, once.
    let streams = Streams::connect(&redis_url).await.unwrap();
    eventually(
        "every entry acknowledged",
        Duration::from_secs(60),
        || async {
            let now = status(&streams, [&AccountName::default()]).await.unwrap();
            now[0].backlog == 0 && now[0].pending == 0
        },
    )
    .await;
    let logged = logged_once(&fake);
    assert_eq!(logged.len(), 40);
    let contacts = fake.records(ObjectType::Contact);
    assert_eq!(contacts.len(), 10, "one contact per number");
    for (key, stored) in &logged {
        let i: usize = key.trim_start_matches("SM").parse().unwrap();
        let contact = &stored.contacts;
        assert_eq!(contact.len(), 1, "{key}: {contact:?}");
        let phone = contacts
            .iter()
            .find(|(id, _)| *id == contact[0])
            .and_then(|(_, c)| c.get("phone"))
            .expect("its contact");
        assert_eq!(
            phone,
            &numbers[i % numbers.len()],
            "{key} on a wrong contact"
        );
    }

    // The operator's look, from another process.
    let status = common::run(relay_command(&["status", "--redis", &redis_url])).await;
    assert_eq!(status.code, 0, "{}", status.stderr);
    assert_eq!(figures(&status.stdout, "default"), ["0", "0", "0"]);

    // The worker counted what it did.
    let text = http
        .get(&metrics)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let logged_by_second: f64 = text
        .lines()
        .find(|line| line.starts_with("relay_logged_total{account=\"default\"}"))
        .and_then(|line| line.split_whitespace().last())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{text}"));
    assert!(logged_by_second >= 1.0, "{text}");
    assert!(
        text.contains("relay_hubspot_requests_total{account=\"default\",status=\"200\"}"),
        "{text}"
    );
    // The gauges are read from Redis every 5 s: there, whatever their figure now.
    assert!(
        text.contains("relay_backlog{account=\"default\"} "),
        "{text}"
    );

    for process in [receiving, second] {
        let (code, stderr) = process.terminate().await;
        assert_eq!(code, 0, "{stderr:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn dead_letters_are_listed_and_retried_from_the_command_line() {
    let fake = common::fake(config()).await;
    let redis = RedisServer::start_aof();
    let redis_url = redis.url();
    let (receiving, url) = receiver(&fake, &redis_url).await;
    let (working, _) = worker(&fake, &redis_url).await;
    let http = reqwest::Client::new();
    // A number no country has: the worker cannot read it, and says so in a dead letter.
    assert_eq!(post(&http, &url, "SMdead", "+999 1").await, 200);
    assert_eq!(post(&http, &url, "SMgood", "+14155550300").await, 200);
    eventually("one logged", Duration::from_secs(30), || async {
        fake.message_count() == 1
    })
    .await;
    let (code, _) = working.terminate().await;
    assert_eq!(code, 0);

    let listed = common::run(relay_command(&["dead-letters", "--redis", &redis_url])).await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert!(
        listed.stdout.contains("default: 1 shown"),
        "{}",
        listed.stdout
    );
    assert!(
        listed.stdout.contains("key SMdead from +999 1") && listed.stdout.contains("number"),
        "{}",
        listed.stdout
    );

    let retried = common::run(relay_command(&[
        "retry-dead-letters",
        "--redis",
        &redis_url,
    ]))
    .await;
    assert_eq!(retried.code, 0, "{}", retried.stderr);
    assert!(
        retried
            .stdout
            .contains("default: 1 dead letter(s) moved back"),
        "{}",
        retried.stdout
    );
    let status = common::run(relay_command(&["status", "--redis", &redis_url])).await;
    assert_eq!(
        figures(&status.stdout, "default"),
        ["1", "0", "0"],
        "back in the backlog"
    );
    drop(receiving);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn sigterm_lets_the_batch_in_flight_finish_and_acknowledges_it() {
    // Every answer of HubSpot takes a second: SIGTERM comes while the batch is in flight.
    let faults = Faults::seeded(1)
        .with(FaultKind::Slow, 1.0)
        .slow_delay(Duration::from_secs(1));
    let fake = common::fake(config().faults(faults)).await;
    let redis = RedisServer::start_aof();
    let redis_url = redis.url();
    let (receiving, url) = receiver(&fake, &redis_url).await;
    let http = reqwest::Client::new();
    for i in 0..10 {
        let sid = format!("SMterm{i}");
        assert_eq!(post(&http, &url, &sid, "+14155550400").await, 200);
    }
    let (working, _) = worker(&fake, &redis_url).await;
    let streams = Streams::connect(&redis_url).await.unwrap();
    eventually("the batch taken", Duration::from_secs(30), || async {
        status(&streams, [&AccountName::default()]).await.unwrap()[0].pending > 0
    })
    .await;
    let (code, stderr) = working.terminate().await;
    assert_eq!(code, 0, "{stderr:?}");
    // Nothing left held: logged and acknowledged before it exited, each once.
    let now = status(&streams, [&AccountName::default()]).await.unwrap();
    assert_eq!((now[0].backlog, now[0].pending), (0, 0), "{now:?}");
    assert_eq!(logged_once(&fake).len(), 10);
    drop(receiving);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn a_routing_file_checks_each_twilio_accounts_own_token() {
    let fake = common::fake(config()).await;
    let redis = RedisServer::start_aof();
    let redis_url = redis.url();
    let directory = tempfile::tempdir().unwrap();
    let file = common::write(
        directory.path(),
        "accounts.toml",
        r#"
[[account]]
name = "acme"
access_token_env = "RELAY_TEST_HUBSPOT"
twilio_account_sids = ["AC1"]
twilio_auth_token_env = "RELAY_TEST_TWILIO_ONE"

[[account]]
name = "globex"
access_token_env = "RELAY_TEST_HUBSPOT"
twilio_account_sids = ["AC2"]
twilio_auth_token_env = "RELAY_TEST_TWILIO_TWO"
"#,
    );
    let file = file.to_str().unwrap();
    // No TWILIO_AUTH_TOKEN: only the file's Twilio accounts, each with its own token.
    let mut command = relay_command(&[
        "--redis",
        &redis_url,
        "--no-work",
        "--listen",
        "127.0.0.1:0",
        "--routing-file",
        file,
    ]);
    command
        .env("RELAY_TEST_TWILIO_ONE", "token-one")
        .env("RELAY_TEST_TWILIO_TWO", "token-two")
        .env("HUBSPOT_BASE_URL", fake.base_url());
    let (process, url) = receiving(command).await;
    let http = reqwest::Client::new();
    let send = |sid: &str, account: &str, token: &str| {
        let mut params = twilio_params(sid, "+14155550500", "hello");
        for (name, value) in &mut params {
            if name == "AccountSid" {
                *value = account.to_owned();
            }
        }
        let target = format!("{url}{TWILIO_PATH}");
        let signature = twilio_signature(token, &target, &params);
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&params)
            .finish();
        let request = http
            .post(target)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("X-Twilio-Signature", signature)
            .body(body);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(send("SMone", "AC1", "token-one").await, 200);
    assert_eq!(send("SMtwo", "AC2", "token-two").await, 200);
    assert_eq!(
        send("SMcross", "AC1", "token-two").await,
        403,
        "another account's token"
    );
    assert_eq!(
        send("SMother", "AC3", "token-one").await,
        403,
        "an account of no route"
    );

    let status = common::run(relay_command(&[
        "status",
        "--redis",
        &redis_url,
        "--routing-file",
        file,
    ]))
    .await;
    assert_eq!(status.code, 0, "{}", status.stderr);
    for account in ["acme", "globex"] {
        let figures = figures(&status.stdout, account);
        assert_eq!(figures[0], "1", "one message stored for {account}");
    }
    drop(process);
}
