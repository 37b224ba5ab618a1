//! `hubspot-comms relay --demo`, and the webhook example: a `redis-server` of the relay's own
//! (with the persistence it needs), and a few signed demo webhooks sent to its receivers.
//! Only ever on request: the relay never falls back to either.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::error::RelayError;
use super::receive::{TWILIO_PATH, twilio_signature};

/// The Twilio auth token the demo's webhooks are signed with.
pub const DEMO_AUTH_TOKEN: &str = "demo-auth-token";

/// A `redis-server` started for the relay: on a Unix socket in a directory of its own, with AOF
/// `appendfsync always` (the persistence the relay needs, see the [`relay`](super)'s docs),
/// no TCP port. Stopped, and its directory removed, when dropped.
#[derive(Debug)]
pub struct LocalRedis {
    child: Child,
    dir: PathBuf,
    url: String,
}

impl LocalRedis {
    /// Starts `redis-server` (from the `PATH`) and waits until it takes connections.
    pub fn start() -> Result<Self, RelayError> {
        let dir = std::env::temp_dir().join(format!(
            "hubspot-comms-relay-{}-{:08x}",
            std::process::id(),
            super::work::random() as u32
        ));
        // A new directory of its own (one already there is an error: nobody else's to reuse),
        // readable by this user only.
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir).map_err(|error| {
            RelayError::Setting(format!("a directory for redis-server: {error}"))
        })?;
        let socket = dir.join("redis.sock");
        let mut command = Command::new("redis-server");
        command
            .args(["--port", "0", "--unixsocket"])
            .arg(&socket)
            .args([
                "--unixsocketperm",
                "700",
                "--save",
                "",
                "--appendonly",
                "yes",
            ])
            .args(["--appendfsync", "always", "--loglevel", "warning", "--dir"])
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        // Its own process group: a Ctrl-C (or a signal to the relay's group) must not stop it
        // before the relay has drained; the relay stops it when done.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let spawned = command.spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(error) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(RelayError::Setting(format!(
                    "redis-server could not be started ({error}): install it (Debian: apt-get install redis-server)"
                )));
            }
        };
        let url = format!("redis+unix://{}", socket.display());
        let server = Self { child, dir, url };
        let started = Instant::now();
        while !answers(&socket) {
            if started.elapsed() > Duration::from_secs(10) {
                return Err(RelayError::Setting(
                    "redis-server did not start within 10 s".into(),
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(server)
    }

    /// Its URL (`redis+unix://…`).
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for LocalRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Whether a server takes connections on `socket`.
#[cfg(unix)]
fn answers(socket: &std::path::Path) -> bool {
    std::os::unix::net::UnixStream::connect(socket).is_ok()
}

/// No Unix sockets here: the wait ends in its timeout, with why.
#[cfg(not(unix))]
fn answers(_: &std::path::Path) -> bool {
    false
}

/// The demo's webhooks: (MessageSid, From, Body). The first is a demo contact's number, the
/// others a number new to the account, twice within a second (the search-lag race: one contact
/// all the same).
pub const DEMO_MESSAGES: [(&str, &str, &str); 3] = [
    (
        "SM00000000000000000000000000000001",
        "+1 415-555-0100",
        "Hi! Is the contract ready to sign?",
    ),
    (
        "SM00000000000000000000000000000002",
        "whatsapp:+14155550123",
        "Hello, I'd like a quote.",
    ),
    (
        "SM00000000000000000000000000000003",
        "whatsapp:+14155550123",
        "For 40 seats, please.",
    ),
];

/// What the demo's webhooks were answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAnswers {
    /// The status of each of [`DEMO_MESSAGES`], in order.
    pub messages: Vec<u16>,
    /// The status of the first message delivered again (as Twilio does when an answer is
    /// slow): stored once all the same.
    pub repeated: u16,
    /// The status of a webhook with a forged signature (refused: 403).
    pub forged: u16,
}

/// Sends [`DEMO_MESSAGES`] to the receivers at `base` (`http://127.0.0.1:3000`), signed with
/// [`DEMO_AUTH_TOKEN`] for `public_url` (what Twilio would have called), then the first one
/// again, then a forged one.
pub async fn send_demo_webhooks(base: &str, public_url: &str) -> Result<DemoAnswers, RelayError> {
    let client = reqwest_client()?;
    let url = format!("{}{TWILIO_PATH}", base.trim_end_matches('/'));
    let signed_url = format!("{}{TWILIO_PATH}", public_url.trim_end_matches('/'));
    let post = |params: Vec<(String, String)>, signature: String| {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&params)
            .finish();
        let request = client
            .post(&url)
            .header("X-Twilio-Signature", signature)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form);
        async move {
            request
                .send()
                .await
                .map(|answer| answer.status().as_u16())
                .map_err(|error| RelayError::Setting(format!("a demo webhook: {error}")))
        }
    };
    let mut messages = Vec::new();
    for (sid, from, body) in DEMO_MESSAGES {
        let params = params(sid, from, body);
        let signature = twilio_signature(DEMO_AUTH_TOKEN, &signed_url, &params);
        messages.push(post(params, signature).await?);
    }
    let (sid, from, body) = DEMO_MESSAGES[0];
    let first = params(sid, from, body);
    let repeated = post(
        first.clone(),
        twilio_signature(DEMO_AUTH_TOKEN, &signed_url, &first),
    )
    .await?;
    let forged = post(
        params(
            "SM00000000000000000000000000000009",
            "+15550000000",
            "Trust me",
        ),
        twilio_signature("not-the-token", &signed_url, &first),
    )
    .await?;
    Ok(DemoAnswers {
        messages,
        repeated,
        forged,
    })
}

/// A client for loopback (the demo's webhooks go to the relay itself).
fn reqwest_client() -> Result<reqwest::Client, RelayError> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .map_err(|error| RelayError::Setting(format!("an HTTP client: {error}")))
}

/// A Twilio "a message comes in" webhook's form.
fn params(sid: &str, from: &str, body: &str) -> Vec<(String, String)> {
    let to = if from.starts_with("whatsapp:") {
        "whatsapp:+14155550199"
    } else {
        "+14155550199"
    };
    [
        ("MessageSid", sid),
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("From", from),
        ("To", to),
        ("Body", body),
        ("NumMedia", "0"),
    ]
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .into()
}
