//! `hubspot-comms export FILE`: communications out of HubSpot, in the very format `import`
//! reads, so that an export imported into another account is a round trip.
//!
//! ```text
//! source (list pages │ search windows │ contacts' messages) ─▶ pages ─▶ associations and
//!   contacts' numbers, several pages at once, in order ─▶ rows ─▶ FILE.partial ─▶ FILE
//!                                                          └──▶ state (cursor, length, counts)
//! ```
//!
//! Which source: every message is read by list pages (the general rate limit; associations
//! come with them); `--since`, `--until` and `--channel` by search windows in id order, past
//! HubSpot's 10,000-result cap (the search rate limit), or by the list filtered here when they
//! keep at least half of all messages ([`ReadBy`]); `--contact` and `--numbers` by the
//! contacts' associations and batch reads of their messages. Memory is bounded whatever the
//! account's size: a few pages in flight and a bounded cache of contacts' numbers.
//!
//! ```no_run
//! use hubspot_comms::export::{ExportOptions, export};
//! use hubspot_communications::Client;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::new(std::env::var("HUBSPOT_ACCESS_TOKEN")?)?;
//! let summary = export(&client, ExportOptions::new("messages.jsonl")).await?;
//! println!("{summary}");
//! # Ok(()) }
//! ```

mod contacts;
mod error;
mod fetch;
mod progress;
mod row;
mod state;
mod write;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use futures::StreamExt;
use hubspot_communications::search::{Filter, Search};
use hubspot_communications::{
    BatchReadOptions, Channel, Client, ContactMatch, ListOptions, PhoneNumber, ReadOptions, Region,
    property,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

pub use crate::args::ReadBy;
use crate::args::{ExportArgs, ProgressArg};
use crate::input::Format;
use crate::summary::{EXIT_COULD_NOT_RUN, EXIT_NOT_LOGGED, EXIT_OK};

pub use error::ExportError;
pub use state::{Cursor, ExportState};

use contacts::ContactBook;
use fetch::{Enriching, LocalFilter, Selection, Source};
use progress::Progress;
use write::Output;

/// Pages read ahead of the writing.
const PAGES_AHEAD: usize = 4;
/// Pages whose associations and contacts are read at once.
const PAGES_AT_ONCE: usize = 8;
/// How often the state is saved while pages are written.
const SAVE_EVERY: Duration = Duration::from_secs(2);
/// Messages per search window (HubSpot's largest search page).
const SEARCH_PAGE: u32 = 200;

/// What to export, and how.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ExportOptions {
    /// The file to write.
    pub file: PathBuf,
    /// Its format (by its extension if `None`).
    pub format: Option<Format>,
    /// Only messages sent at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only messages sent before this time.
    pub until: Option<DateTime<Utc>>,
    /// Only messages of these channels (all when empty).
    pub channels: Vec<Channel>,
    /// Only the messages of these contacts (and of those of `numbers`).
    pub contacts: Vec<String>,
    /// Only the messages of the contacts holding the numbers of this file (and of those of
    /// `contacts`).
    pub numbers: Option<PathBuf>,
    /// The region of numbers without a country code.
    pub default_region: Option<Region>,
    /// The unique communication property whose value is a message's key.
    pub key_property: String,
    /// The state file (default: the file's path with `.export-state.json` added).
    pub state: Option<PathBuf>,
    /// Ignore the state of an earlier run.
    pub restart: bool,
    /// How messages selected by the filters are read.
    pub read_by: ReadBy,
    /// Stop after the page that brings the messages written to this many.
    pub max_messages: Option<u64>,
    /// How progress is shown.
    pub progress: ProgressArg,
    /// Set it to stop (Ctrl-C): what was read is written, and the state is saved.
    pub stop: Arc<AtomicBool>,
}

impl ExportOptions {
    /// Everything into `file`, keyed by the default key property, no progress shown.
    pub fn new(file: impl Into<PathBuf>) -> Self {
        Self {
            file: file.into(),
            format: None,
            since: None,
            until: None,
            channels: Vec::new(),
            contacts: Vec::new(),
            numbers: None,
            default_region: None,
            key_property: crate::DEFAULT_KEY_PROPERTY.to_owned(),
            state: None,
            restart: false,
            read_by: ReadBy::Auto,
            max_messages: None,
            progress: ProgressArg::None,
            stop: Arc::default(),
        }
    }

    /// Where the file is written until it is complete: its path with `.partial` added.
    pub fn partial_path(&self) -> PathBuf {
        with_suffix(&self.file, ".partial")
    }

    /// The state file's path.
    pub fn state_path(&self) -> PathBuf {
        self.state
            .clone()
            .unwrap_or_else(|| with_suffix(&self.file, ".export-state.json"))
    }
}

impl From<ExportArgs> for ExportOptions {
    fn from(args: ExportArgs) -> Self {
        Self {
            format: args.format,
            since: args.since,
            until: args.until,
            channels: args.channels.into_iter().map(Channel::from).collect(),
            contacts: args.contacts,
            numbers: args.numbers,
            default_region: args.default_region,
            key_property: args.key_property,
            state: args.state,
            restart: args.restart,
            read_by: args.read_by,
            max_messages: args.max_messages,
            progress: args.progress,
            ..Self::new(args.file)
        }
    }
}

/// What was exported. Kept in the state file, so that a resumed run's summary covers the
/// runs before it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExportCounts {
    /// Messages written.
    pub messages: u64,
    /// Written without a number: the message is associated with no contact.
    pub without_contact: u64,
    /// Written without a number: its contact has none.
    pub without_number: u64,
    /// Written with a number its contact holds in a form not readable as one (an
    /// extension, a national number without `--default-region`): as the contact holds it.
    pub number_as_stored: u64,
    /// Associated with several contacts: written with the first one's number (all are in
    /// `contact_ids`).
    pub several_contacts: u64,
    /// Written without a body, a date, or a channel `import` reads.
    pub incomplete: u64,
    /// Contacts whose messages were asked for (`--contact`, `--numbers`).
    pub contacts: u64,
    /// Numbers of `--numbers` no contact holds.
    pub numbers_not_found: u64,
    /// Numbers of `--numbers` several contacts hold (each one's messages are exported).
    pub numbers_ambiguous: u64,
}

impl ExportCounts {
    fn add(&mut self, other: &Self) {
        self.messages += other.messages;
        self.without_contact += other.without_contact;
        self.without_number += other.without_number;
        self.number_as_stored += other.number_as_stored;
        self.several_contacts += other.several_contacts;
        self.incomplete += other.incomplete;
    }

    /// Messages written without what an import needs (an import reports them as bad rows),
    /// and numbers asked for that no contact holds.
    pub fn lacking(&self) -> u64 {
        self.without_contact
            + self.without_number
            + self.number_as_stored
            + self.incomplete
            + self.numbers_not_found
    }
}

/// The end of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportSummary {
    /// The counts, the messages of resumed runs included.
    pub counts: ExportCounts,
    /// Whether everything was read (else `--max-messages` or a stop ended it).
    pub complete: bool,
}

impl ExportSummary {
    /// The process's exit code: 0 when every message was written with what an import needs,
    /// 2 when some were not (or numbers asked for have no contact), 1 when it stopped early.
    pub fn exit_code(&self) -> u8 {
        if !self.complete {
            EXIT_COULD_NOT_RUN
        } else if self.counts.lacking() > 0 {
            EXIT_NOT_LOGGED
        } else {
            EXIT_OK
        }
    }
}

impl fmt::Display for ExportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.counts;
        let mut line = |label: &str, count: u64| writeln!(f, "  {label:<28}{count:>10}");
        line("messages", c.messages)?;
        line("without a contact", c.without_contact)?;
        line("contact without a number", c.without_number)?;
        line("number as stored", c.number_as_stored)?;
        line("incomplete", c.incomplete)?;
        line("on several contacts", c.several_contacts)?;
        if c.contacts > 0 || c.numbers_not_found > 0 {
            line("contacts asked for", c.contacts)?;
            line("numbers without a contact", c.numbers_not_found)?;
            line("numbers of several contacts", c.numbers_ambiguous)?;
        }
        Ok(())
    }
}

/// The exit codes of `export`, for `--help`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  every message was exported with what an import needs
  1  could not run, or stopped early (bad arguments, no connection, interrupted,
     --max-messages): run it again to go on
  2  exported, but some messages lack what an import needs (a contact, its number, a body,
     a date), or numbers of --numbers have no contact: see the summary";

/// `export --help`'s long text.
pub const HELP: &str = "\
What is written (the format `import` reads; its other fields are ignored by it):
  id            the key: the --key-property value, else the message's HubSpot id
  phone         the number of the message's contact (its first; on --contact/--numbers its
                first selected one): E.164, `whatsapp:+...` on WhatsApp messages; as the
                contact holds it when it cannot be read as a number
  channel       sms, whatsapp, linkedin
  timestamp     hs_timestamp, RFC 3339 (UTC, milliseconds)
  body, owner   the text, hubspot_owner_id
  hubspot_id    the message's id
  contact_ids, company_ids, deal_ids, ticket_ids
                the records it is associated with (`;` between ids in CSV, arrays in JSON)
Messages with no contact, or whose contact has no number, are written with what they have and
counted in the summary.

Which messages: all of them (list pages), or --since/--until/--channel (searched in id
windows, past HubSpot's 10,000-result cap; or listed and filtered here when they keep at
least half of all messages: --read-by), or the messages of --contact/--numbers (and of the
filters). Written to FILE.partial and renamed to FILE when complete; a stopped export
(Ctrl-C, a kill, --max-messages, an error) goes on where it stopped when run again.

Round trip: `hubspot-comms import FILE` into another account where the same contacts exist
(found by their numbers) logs every message once, on the same contacts, with the same
channel, body, timestamp and key; importing it again logs nothing.

Environment: HUBSPOT_ACCESS_TOKEN (the communications and contacts read scopes; without it an
embedded fake HubSpot with a few demo messages is used), HUBSPOT_BASE_URL,
HUBSPOT_API_VERSION (v3, 2026-03, 2026-09).
";

/// `--since` and `--until`: a date (midnight UTC) or the times `import` reads.
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return date.and_hms_opt(0, 0, 0).map(|time| time.and_utc());
    }
    crate::row::parse_time(text)
}

/// Exports as `options` say through `client`. The file appears under its name only when
/// complete; the summary counts every message, those of the earlier runs it resumed
/// included.
///
/// An error means the export could not go on; what was written until then is kept with the
/// state file, and running it again goes on from there.
pub async fn export(client: &Client, options: ExportOptions) -> Result<ExportSummary, ExportError> {
    let format = options
        .format
        .or_else(|| Format::of(&options.file))
        .ok_or_else(|| ExportError::UnknownFormat(options.file.clone()))?;
    if let (Some(since), Some(until)) = (options.since, options.until)
        && since >= until
    {
        return Err(ExportError::EmptyPeriod);
    }
    if let Some(bad) = options
        .contacts
        .iter()
        .find(|id| id.trim().is_empty() || matches!(id.trim(), "." | ".."))
    {
        return Err(ExportError::BadContact(bad.clone()));
    }
    let numbers = match &options.numbers {
        Some(path) => Some(read_numbers(path, options.default_region)?),
        None => None,
    };
    let query = query_id(&options, format, numbers.as_deref());
    let (partial, state_path) = (options.partial_path(), options.state_path());

    // An earlier run of this export, if its state and its partial file are there.
    let earlier = if options.restart {
        None
    } else {
        ExportState::load(&state_path).map_err(ExportError::io(&state_path))?
    };
    let earlier = match earlier {
        Some(state) if state.query != query => {
            return Err(ExportError::StateMismatch { path: state_path });
        }
        Some(state) if partial.exists() => Some(state),
        _ => None,
    };
    let (mut state, output) = match earlier {
        Some(state) => {
            let output = Output::resume(&options.file, &partial, format, state.bytes)
                .map_err(ExportError::io(&partial))?;
            (state, output)
        }
        None => {
            let mut state = ExportState::new(query, Cursor::End);
            state.cursor = start(client, &options).await?;
            if let Some(numbers) = &numbers {
                let (ids, counts) = contacts_of(client, numbers).await?;
                let mut selection: Vec<String> = options.contacts.clone();
                selection.extend(ids);
                state.selection = Some(selection);
                state.counts = counts;
            } else if !options.contacts.is_empty() {
                state.selection = Some(options.contacts.clone());
            }
            if let Some(selection) = &mut state.selection {
                let sorted = Selection::new(std::mem::take(selection));
                state.counts.contacts = sorted.ids.len() as u64;
                *selection = sorted.ids;
            }
            let output = Output::create(&options.file, &partial, format)
                .map_err(ExportError::io(&partial))?;
            (state, output)
        }
    };
    run_pipeline(client, &options, &mut state, output, &state_path).await
}

/// Where a new export starts reading: the contacts' messages; every message by list pages;
/// or, with filters, the list or the search (`--read-by`; `auto` counts the messages the
/// filters keep and all of them, two searches, and lists when they keep at least half: the
/// list then reads at most twice what is kept, in no more general requests than the search
/// path's association reads alone (4 per 200 messages kept), and no search).
async fn start(client: &Client, options: &ExportOptions) -> Result<Cursor, ExportError> {
    let list = Cursor::List { after: None };
    let search_cursor = Cursor::Search { after_id: None };
    if !options.contacts.is_empty() || options.numbers.is_some() {
        return Ok(Cursor::Contacts {
            next_contact: 0,
            after_message: None,
        });
    }
    let filtered =
        options.since.is_some() || options.until.is_some() || !options.channels.is_empty();
    Ok(match (filtered, options.read_by) {
        (false, _) | (true, ReadBy::List) => list,
        (true, ReadBy::Search) => search_cursor,
        (true, ReadBy::Auto) => {
            let count = |search: Search| async move {
                client
                    .search_page(&search.page_size(1), None)
                    .await
                    .map(|found| found.total)
                    .map_err(ExportError::hubspot("counting the messages"))
            };
            let kept = count(search(options)).await?;
            let all = count(Search::new()).await?;
            if kept.saturating_mul(2) >= all {
                list
            } else {
                search_cursor
            }
        }
    })
}

/// The source that reads on from `cursor`.
fn source(options: &ExportOptions, state: &ExportState) -> Source {
    let properties = fetch::properties(&options.key_property);
    match state.cursor.clone() {
        Cursor::End => Source::Done,
        Cursor::List { after } => {
            let mut read = ReadOptions::new().properties(properties);
            for object_type in row::TYPES {
                read = read.associations(object_type);
            }
            Source::List {
                options: ListOptions::from(read),
                after,
                filter: local_filter(options),
            }
        }
        Cursor::Search { after_id } => Source::Search {
            search: search(options).properties(properties),
            after_id,
            told: false,
        },
        Cursor::Contacts {
            next_contact,
            after_message,
        } => Source::Contacts {
            selection: Arc::new(Selection::new(state.selection.clone().unwrap_or_default())),
            next_contact,
            after_message,
            filter: local_filter(options),
            read: BatchReadOptions::new().properties(properties),
            queued: None,
        },
    }
}

/// `--since`, `--until`, `--channel`, checked here (list pages, contacts' messages).
fn local_filter(options: &ExportOptions) -> LocalFilter {
    LocalFilter {
        since: options.since,
        until: options.until,
        channels: options.channels.clone(),
    }
}

/// The search of `--since`, `--until`, `--channel`.
fn search(options: &ExportOptions) -> Search {
    let mut search = Search::new().page_size(SEARCH_PAGE);
    if let Some(since) = options.since {
        search = search.filter(Filter::gte(
            property::TIMESTAMP,
            since.timestamp_millis().to_string(),
        ));
    }
    if let Some(until) = options.until {
        search = search.filter(Filter::lt(
            property::TIMESTAMP,
            until.timestamp_millis().to_string(),
        ));
    }
    let channels: BTreeSet<&str> = options.channels.iter().map(Channel::as_str).collect();
    match channels.len() {
        0 => {}
        1 => {
            search = search.filter(Filter::eq(
                property::CHANNEL,
                channels.into_iter().next().unwrap_or_default(),
            ))
        }
        _ => search = search.filter(Filter::is_in(property::CHANNEL, channels)),
    }
    search
}

/// Reads, enriches and writes from `state`'s cursor to the end (or a stop), saving the state
/// on the way.
async fn run_pipeline(
    client: &Client,
    options: &ExportOptions,
    state: &mut ExportState,
    mut output: Output,
    state_path: &Path,
) -> Result<ExportSummary, ExportError> {
    let mut progress = Progress::new(options.progress, state.counts.messages);
    if matches!(state.cursor, Cursor::List { .. }) && options.progress != ProgressArg::None {
        // The list tells no total; one search (a page of one) does.
        let count = search(options).page_size(1);
        if let Ok(found) = client.search_page(&count, None).await {
            progress.set_total(found.total);
        }
    }
    let enriching = Arc::new(Enriching {
        client: client.clone(),
        key_property: options.key_property.clone(),
        book: ContactBook::new(client.clone(), options.default_region),
    });
    let stop = Arc::new(AtomicBool::new(false));
    let (units_tx, units_rx) = mpsc::channel(PAGES_AHEAD);
    let reader =
        tokio::spawn(source(options, state).run(client.clone(), units_tx, Arc::clone(&stop)));
    let units = futures::stream::unfold(units_rx, |mut rx| async move {
        rx.recv().await.map(|unit| (unit, rx))
    });
    let ready = units
        .map(|unit| {
            let enriching = Arc::clone(&enriching);
            async move { fetch::enrich(enriching, unit?).await }
        })
        .buffered(PAGES_AT_ONCE);
    let mut ready = Box::pin(ready);

    let mut saved = Instant::now();
    let mut failure = None;
    let written_before = state.counts.messages;
    let mut stopped = false;
    while let Some(page) = ready.next().await {
        let page = match page {
            Ok(page) => page,
            Err(error) => {
                failure = Some(error);
                break;
            }
        };
        for row in &page.rows {
            output
                .write(row)
                .map_err(ExportError::io(output.partial()))?;
        }
        state.counts.add(&page.counts);
        state.cursor = page.cursor;
        if let Some(total) = page.total {
            progress.set_total(written_before + total);
        }
        let detail = match page.contacts {
            Some((done, all)) => format!("{done}/{all} contacts"),
            None => String::new(),
        };
        progress.update(state.counts.messages, detail);
        if saved.elapsed() >= SAVE_EVERY {
            save(state, &mut output, state_path)?;
            saved = Instant::now();
        }
        let limit = options
            .max_messages
            .is_some_and(|max| state.counts.messages >= max);
        if (limit || options.stop.load(Ordering::Relaxed)) && state.cursor != Cursor::End {
            stopped = true;
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    drop(ready);
    reader.abort();
    let _ = reader.await;
    progress.finish();
    if let Some(error) = failure {
        save(state, &mut output, state_path)?;
        return Err(error);
    }
    if stopped || state.cursor != Cursor::End {
        save(state, &mut output, state_path)?;
        return Ok(ExportSummary {
            counts: state.counts.clone(),
            complete: false,
        });
    }
    output.commit().map_err(ExportError::io(&options.file))?;
    ExportState::remove(state_path).map_err(ExportError::io(state_path))?;
    Ok(ExportSummary {
        counts: state.counts.clone(),
        complete: true,
    })
}

/// The file through to the disk, then the state that accounts for it.
fn save(state: &mut ExportState, output: &mut Output, path: &Path) -> Result<(), ExportError> {
    state.bytes = output.sync().map_err(ExportError::io(output.partial()))?;
    state.save(path).map_err(ExportError::io(path))
}

/// The numbers of a `--numbers` file, in E.164.
fn read_numbers(path: &Path, region: Option<Region>) -> Result<Vec<PhoneNumber>, ExportError> {
    let text = std::fs::read_to_string(path).map_err(ExportError::io(path))?;
    let mut numbers = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let number = PhoneNumber::parse(line, region).map_err(|e| ExportError::BadNumber {
            path: path.to_owned(),
            line: index as u64 + 1,
            reason: e.to_string(),
        })?;
        numbers.push(number);
    }
    Ok(numbers)
}

/// The contacts holding `numbers` (all of them, for a number several hold), and the counts of
/// the numbers none or several hold.
async fn contacts_of(
    client: &Client,
    numbers: &[PhoneNumber],
) -> Result<(Vec<String>, ExportCounts), ExportError> {
    let found = client
        .find_contacts_by_phone(numbers)
        .await
        .map_err(ExportError::hubspot("finding the contacts of the numbers"))?;
    let mut counts = ExportCounts::default();
    let mut ids = Vec::new();
    for answer in found.into_values() {
        match answer {
            ContactMatch::Found(id) | ContactMatch::Created(id) => ids.push(id),
            ContactMatch::Ambiguous(several) => {
                counts.numbers_ambiguous += 1;
                ids.extend(several);
            }
            _ => counts.numbers_not_found += 1,
        }
    }
    Ok((ids, counts))
}

/// What identifies an export: its filters, selection, format and key property.
fn query_id(options: &ExportOptions, format: Format, numbers: Option<&[PhoneNumber]>) -> String {
    let mut contacts = options.contacts.clone();
    contacts.sort();
    contacts.dedup();
    let numbers: BTreeSet<&str> = numbers
        .into_iter()
        .flatten()
        .map(PhoneNumber::as_str)
        .collect();
    let channels: BTreeSet<&str> = options.channels.iter().map(Channel::as_str).collect();
    let description = serde_json::json!({
        "format": format!("{format:?}"),
        "since": options.since.map(|t| t.timestamp_millis()),
        "until": options.until.map(|t| t.timestamp_millis()),
        "channels": channels,
        "contacts": contacts,
        "numbers": numbers,
        "region": options.default_region.map(|r| r.as_str().to_owned()),
        "key_property": options.key_property,
    });
    hex::encode(Sha256::digest(description.to_string().as_bytes()))
}

/// `path` with `suffix` added to its file name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name: OsString = path.file_name().unwrap_or_default().to_owned();
    name.push(suffix);
    path.with_file_name(name)
}

/// `hubspot-comms export`: connects as the environment says (the embedded fake, with a few
/// demo messages, without a token), exports, prints the summary; answers the exit code.
pub async fn run(args: ExportArgs) -> u8 {
    let mut options = ExportOptions::from(args);
    let connection = match crate::connect::connect(&options.key_property).await {
        Ok(connection) => connection,
        Err(error) => {
            eprintln!("hubspot-comms: could not connect: {error}");
            return EXIT_COULD_NOT_RUN;
        }
    };
    if let Some(fake) = &connection.fake {
        seed_demo_messages(fake, &options.key_property);
    }
    eprintln!(
        "hubspot-comms: exporting from {} to {}",
        connection.description,
        options.file.display()
    );
    let stop = Arc::new(AtomicBool::new(false));
    options.stop = Arc::clone(&stop);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!(
                "hubspot-comms: stopping after the pages in flight (Ctrl-C again to quit now)"
            );
            stop.store(true, Ordering::Relaxed);
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(EXIT_COULD_NOT_RUN.into());
            }
        }
    });
    let (file, state) = (options.file.clone(), options.state_path());
    match export(&connection.client, options).await {
        Ok(summary) => {
            if summary.complete {
                println!("hubspot-comms export done: {}\n{summary}", file.display());
            } else {
                println!(
                    "hubspot-comms export stopped before the end:\n{summary}Progress is kept in {}: \
                     run the same command again to go on.",
                    state.display()
                );
            }
            summary.exit_code()
        }
        Err(error) => {
            eprintln!("hubspot-comms: {error}");
            if state.exists() {
                eprintln!(
                    "Progress is kept in {}: run the same command again to go on.",
                    state.display()
                );
            }
            EXIT_COULD_NOT_RUN
        }
    }
}

/// A few messages on the embedded fake's demo contacts, so that an export without a token
/// shows something.
fn seed_demo_messages(fake: &hubspot_communications_mock::MockServer, key_property: &str) {
    use hubspot_communications_mock::ObjectType;
    let mut contacts = fake.records(ObjectType::Contact);
    contacts.sort_by(|(a, _), (b, _)| row::by_id(a, b));
    for (i, (id, properties)) in contacts.iter().enumerate() {
        let name = properties.get("firstname").map_or("them", String::as_str);
        for (j, (channel, body)) in [
            ("SMS", format!("Hi {name}, is the contract ready?")),
            ("WHATS_APP", format!("Thanks {name}, signed and sent.")),
        ]
        .iter()
        .enumerate()
        {
            let time = format!("2026-11-0{}T09:{:02}:00Z", 2 + j, i);
            let key = format!("demo-{i}-{j}");
            fake.seed_message(
                &[
                    ("hs_communication_channel_type", channel),
                    ("hs_communication_logged_from", "CRM"),
                    ("hs_communication_body", body),
                    ("hs_timestamp", &time),
                    (key_property, &key),
                ],
                &[(ObjectType::Contact, id.as_str())],
            );
        }
    }
}
