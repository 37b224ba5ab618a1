//! What the suites share: a fake HubSpot started by the test, the real binary run against it,
//! and readers of what the fake stored.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hubspot_comms::DEFAULT_KEY_PROPERTY;
use hubspot_communications_mock::{
    Config, MockServer, ObjectType, PropertyDefinition, PropertyOwner,
};

/// The token the tests' fakes accept.
pub const TOKEN: &str = "pat-test-token";

/// A fake whose communications have the importer's unique key property.
pub fn config() -> Config {
    Config::default().token(TOKEN).property(
        PropertyOwner::Communication,
        PropertyDefinition::string(DEFAULT_KEY_PROPERTY).unique(),
    )
}

pub async fn fake(config: Config) -> MockServer {
    MockServer::start_with(config)
        .await
        .expect("the fake starts")
}

/// Adds a contact with these properties; answers its id.
pub fn contact(fake: &MockServer, properties: &[(&str, &str)]) -> String {
    fake.seed_record(ObjectType::Contact, properties)
}

/// The binary, with the environment that points it at `fake`, run in `directory`.
pub fn command(fake: &MockServer, directory: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hubspot-comms"));
    command
        .current_dir(directory)
        .env("HUBSPOT_ACCESS_TOKEN", TOKEN)
        .env("HUBSPOT_BASE_URL", fake.base_url())
        .env_remove("HUBSPOT_API_VERSION");
    command
}

/// The binary run in `directory` with no token, no base URL and no API version in its
/// environment, whatever the test's own environment holds.
pub fn without_token(directory: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hubspot-comms"));
    command
        .current_dir(directory)
        .env_remove("HUBSPOT_ACCESS_TOKEN")
        .env_remove("HUBSPOT_BASE_URL")
        .env_remove("HUBSPOT_API_VERSION");
    command
}

/// Runs `command` to its end.
pub async fn run(mut command: Command) -> Run {
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the run is joined")
        .expect("the binary runs");
    Run::from(output)
}

/// Runs `hubspot-comms import FILE ARGS...` against `fake` to its end.
pub async fn import(fake: &MockServer, directory: &Path, file: &str, args: &[&str]) -> Run {
    let mut command = command(fake, directory);
    command.arg("import").arg(file).args(args);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the run is joined")
        .expect("the binary runs");
    Run::from(output)
}

/// Runs `hubspot-comms export FILE ARGS...` against `fake` to its end.
pub async fn export(fake: &MockServer, directory: &Path, file: &str, args: &[&str]) -> Run {
    let mut command = command(fake, directory);
    command
        .arg("export")
        .arg(file)
        .args(["--progress", "none"])
        .args(args);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the run is joined")
        .expect("the binary runs");
    Run::from(output)
}

/// Adds a message with these properties, associated with these records (no request).
pub fn message(
    fake: &MockServer,
    properties: &[(&str, &str)],
    records: &[(ObjectType, &str)],
) -> String {
    fake.seed_message(properties, records)
}

/// The records of a JSON Lines file.
pub fn jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|line| serde_json::from_str(line).expect("a line is JSON"))
        .collect()
}

/// A finished run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    /// The count the summary gives for `label` (e.g. "logged").
    pub fn count(&self, label: &str) -> u64 {
        self.stdout
            .lines()
            .find_map(|line| {
                let line = line.trim();
                let rest = line.strip_prefix(label)?;
                rest.trim().parse().ok().filter(|_| rest.starts_with(' '))
            })
            .unwrap_or_else(|| panic!("no {label:?} in the summary:\n{self:?}"))
    }
}

/// A stored message.
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: String,
    pub properties: BTreeMap<String, String>,
    /// The contacts it is associated with.
    pub contacts: Vec<String>,
}

/// The stored messages by key, each key with every message holding it.
pub fn messages_by_key(fake: &MockServer) -> BTreeMap<String, Vec<Stored>> {
    let mut by_key: BTreeMap<String, Vec<Stored>> = BTreeMap::new();
    for (id, properties) in fake.messages() {
        let key = properties
            .get(DEFAULT_KEY_PROPERTY)
            .cloned()
            .unwrap_or_default();
        let contacts = fake.associated_records(&id, ObjectType::Contact);
        by_key.entry(key).or_default().push(Stored {
            id,
            properties,
            contacts,
        });
    }
    by_key
}

/// The one message of each key; fails on a key stored twice.
pub fn one_per_key(fake: &MockServer) -> BTreeMap<String, Stored> {
    messages_by_key(fake)
        .into_iter()
        .map(|(key, mut stored)| {
            assert_eq!(
                stored.len(),
                1,
                "key {key:?} is stored {} times",
                stored.len()
            );
            (key, stored.remove(0))
        })
        .collect()
}

/// The report's lines.
pub fn report(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|line| serde_json::from_str(line).expect("a report line is JSON"))
        .collect()
}

/// `name` in `directory`, written with `text`.
pub fn write(directory: &Path, name: &str, text: &str) -> PathBuf {
    let path = directory.join(name);
    std::fs::write(&path, text).expect("the input is written");
    path
}
