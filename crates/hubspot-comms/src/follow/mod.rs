//! `hubspot-comms follow`: HubSpot's webhooks journal as JSON Lines on standard output, one line
//! per event, each carrying its entry's offset, from a starting point or from where the last
//! run stopped.
//!
//! Each entry is written whole (one write of all its lines, flushed), and only then is its
//! offset saved in the checkpoint file (written atomically): a run killed at any moment has
//! written every entry up to the checkpoint's and at most the one after it, which the next run
//! writes again, with the same offset and indexes. A reader that drops lines whose
//! `(offset, index)` it has seen gets every event once, in the journal's order.
//!
//! A line: `{"offset":"…","index":0,"event":{…the event as HubSpot's file holds it…}}`.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::StreamExt;
use hubspot_communications::journal::{Checkpoint, FileCheckpoint, JournalEntry, JournalStart};
use hubspot_communications::{ApiVersion, Client, Error};
use serde_json::Value;

use crate::connect::{AppTarget, connect_app};
use crate::exit;

/// What `follow` does.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FollowOptions {
    /// Where to start when the checkpoint holds no offset (or without a checkpoint).
    pub from: JournalStart,
    /// The checkpoint file: where the last entry written is kept, and where a run goes on
    /// from.
    pub checkpoint: Option<PathBuf>,
    /// One account's journal, instead of every account the app is installed in.
    pub account: Option<u64>,
    /// Stop once caught up, instead of waiting for more.
    pub until_caught_up: bool,
    /// How long to wait, once caught up, before asking again.
    pub poll_interval: Duration,
    /// Set to stop after the entry in flight (the first Ctrl-C).
    pub stop: Arc<AtomicBool>,
}

impl Default for FollowOptions {
    /// From the earliest entry, no checkpoint, every account, for ever, asking every second.
    fn default() -> Self {
        Self {
            from: JournalStart::Earliest,
            checkpoint: None,
            account: None,
            until_caught_up: false,
            poll_interval: Duration::from_secs(1),
            stop: Arc::default(),
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FollowSummary {
    /// Entries written.
    pub entries: u64,
    /// Events (lines) written.
    pub events: u64,
}

/// Why a run stopped early.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FollowError {
    /// HubSpot, the checkpoint or the journal failed ([`Error::JournalOffsetGone`]: the
    /// checkpoint's offset is past HubSpot's 3 days).
    #[error("{0}")]
    Journal(#[from] Error),
    /// Standard output could not be written (closed, full).
    #[error("cannot write the events: {0}")]
    Output(#[from] std::io::Error),
}

/// The lines of an entry, each ending with a newline.
pub fn lines(entry: &JournalEntry) -> Vec<u8> {
    // The offset first, so that a line says at once which entry it is of.
    let offset = Value::String(entry.offset.as_str().to_owned()).to_string();
    let mut out = Vec::new();
    for (index, event) in entry.events.iter().enumerate() {
        let event = Value::Object(event.raw.clone());
        let _ = writeln!(
            out,
            "{{\"offset\":{offset},\"index\":{index},\"event\":{event}}}"
        );
    }
    out
}

/// Writes the journal's events to `out` as [`lines`], saving each entry's offset in the
/// checkpoint after its lines are written and flushed, until caught up (if asked), stopped
/// (`options.stop`), or failed.
pub async fn follow(
    client: &Client,
    options: &FollowOptions,
    out: &mut (impl Write + Send),
) -> Result<FollowSummary, FollowError> {
    let checkpoint = options.checkpoint.as_ref().map(FileCheckpoint::new);
    let start = match &checkpoint {
        Some(checkpoint) => checkpoint.start_or(options.from.clone()).await?,
        None => options.from.clone(),
    };
    let mut reader = client
        .journal()
        .start(start)
        .poll_interval(options.poll_interval);
    if options.until_caught_up {
        reader = reader.until_caught_up();
    }
    if let Some(account) = options.account {
        reader = reader.account(account);
    }
    let mut entries = reader.stream();
    let mut summary = FollowSummary::default();
    loop {
        let next = tokio::select! {
            next = entries.next() => next,
            () = stopped(&options.stop) => None,
        };
        let Some(entry) = next else {
            return Ok(summary);
        };
        let entry = entry?;
        out.write_all(&lines(&entry))?;
        out.flush()?;
        if let Some(checkpoint) = &checkpoint {
            checkpoint.save(&entry.offset).await?;
        }
        summary.entries += 1;
        summary.events += entry.events.len() as u64;
    }
}

/// Resolves once `stop` is set.
async fn stopped(stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `hubspot-comms follow`: connects as the app (or `--demo`), follows, and answers the exit
/// code; what went wrong is said on stderr.
pub async fn run(target: &AppTarget, version: ApiVersion, mut options: FollowOptions) -> u8 {
    let connection = match connect_app(target, version).await {
        Ok(connection) => connection,
        Err(error) => {
            eprintln!("hubspot-comms: could not run: {error}");
            return exit::COULD_NOT_RUN;
        }
    };
    eprintln!(
        "hubspot-comms: following the webhooks journal of {}",
        connection.description
    );
    options.stop = crate::shutdown::on_ctrl_c("entry");
    let mut out = std::io::stdout();
    match follow(&connection.client, &options, &mut out).await {
        Ok(summary) => {
            eprintln!(
                "hubspot-comms: wrote {} events of {} entries",
                summary.events, summary.entries
            );
            exit::OK
        }
        Err(FollowError::Journal(Error::JournalOffsetGone { offset })) => {
            eprintln!(
                "hubspot-comms: the journal no longer holds offset {offset} (HubSpot keeps entries \
                 3 days): the changes since are lost to it. Read your objects' state again, then \
                 follow with a new checkpoint (--from latest)."
            );
            exit::OFFSET_GONE
        }
        Err(error) => {
            eprintln!("hubspot-comms: stopped: {error}");
            if options.checkpoint.is_some() {
                eprintln!("hubspot-comms: run the same command again to go on from the checkpoint");
            }
            exit::COULD_NOT_RUN
        }
    }
}
