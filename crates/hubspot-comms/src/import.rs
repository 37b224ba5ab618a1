//! An import from start to end: the four stages (read, find contacts, log, settle) joined by
//! bounded channels, the report and the state file, and what stops it.
//!
//! ```text
//! file ─read─▶ rows ─find contacts─▶ ready rows ─log (keyed upserts)─▶ settled rows ─▶ report,
//!                        └──── bad rows, no contact ─────────────────▶          state, counts
//! ```

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64};

use hubspot_communications::{Channel, Client, Region};
use tokio::sync::mpsc;

use crate::args::{ImportArgs, ProgressArg};
use crate::error::ImportError;
use crate::input::Format;
use crate::known::Known;
use crate::progress::Progress;
use crate::read::{self, Reading};
use crate::report::Report;
use crate::resolve::{self, Resolving};
use crate::row::Defaults;
use crate::settle::Settler;
use crate::state::{self, State};
use crate::summary::Summary;
use crate::write::{self, Writing};

/// What to import, and how.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ImportOptions {
    /// The file.
    pub file: PathBuf,
    /// Its format (by its extension if `None`).
    pub format: Option<Format>,
    /// The region of numbers without a country code.
    pub default_region: Option<Region>,
    /// The channel of rows that name none.
    pub channel: Channel,
    /// The report (default: the file's path with `.report.jsonl` added; `.dry-run.report.jsonl`
    /// for a dry run).
    pub report: Option<PathBuf>,
    /// The state file (default: the report's path with `.state.json` added).
    pub state: Option<PathBuf>,
    /// Ignore the state of an earlier run.
    pub restart: bool,
    /// Log nothing.
    pub dry_run: bool,
    /// Create contacts for numbers no contact holds.
    pub create_missing_contacts: bool,
    /// The unique communication property the keys go in.
    pub key_property: String,
    /// Read at most this many rows.
    pub max_rows: Option<u64>,
    /// How progress is shown.
    pub progress: ProgressArg,
    /// Set it to stop reading (Ctrl-C): what was read settles, and the state is saved.
    pub stop: Arc<AtomicBool>,
}

impl ImportOptions {
    /// The defaults for `file`: SMS, no default region, the default key property, no progress.
    pub fn new(file: impl Into<PathBuf>) -> Self {
        Self {
            file: file.into(),
            format: None,
            default_region: None,
            channel: Channel::Sms,
            report: None,
            state: None,
            restart: false,
            dry_run: false,
            create_missing_contacts: false,
            key_property: crate::DEFAULT_KEY_PROPERTY.to_owned(),
            max_rows: None,
            progress: ProgressArg::None,
            stop: Arc::default(),
        }
    }

    /// The report's path.
    pub fn report_path(&self) -> PathBuf {
        let suffix = if self.dry_run {
            ".dry-run.report.jsonl"
        } else {
            ".report.jsonl"
        };
        self.report
            .clone()
            .unwrap_or_else(|| with_suffix(&self.file, suffix))
    }

    /// The state file's path.
    pub fn state_path(&self) -> PathBuf {
        self.state
            .clone()
            .unwrap_or_else(|| with_suffix(&self.report_path(), ".state.json"))
    }
}

impl From<ImportArgs> for ImportOptions {
    fn from(args: ImportArgs) -> Self {
        Self {
            format: args.format,
            default_region: args.default_region,
            channel: args.channel.into(),
            report: args.report,
            state: args.state,
            restart: args.restart,
            dry_run: args.dry_run,
            create_missing_contacts: args.create_missing_contacts,
            key_property: args.key_property,
            max_rows: args.max_rows,
            progress: args.progress,
            ..Self::new(args.file)
        }
    }
}

/// The object type of the messages, in HubSpot's paths.
const COMMUNICATIONS: &str = "communications";
const PARSED_ROWS: usize = 4_096;
const READY_ROWS: usize = 10_000;
const SETTLED_ROWS: usize = 10_000;

/// Imports `options.file` through `client`. Rows that were not logged are in the report; the
/// summary counts every row, those of the earlier runs it resumed included.
///
/// An error means the import could not go on; what was settled until then is in the report
/// and the state file, and running it again resumes.
pub async fn import(client: &Client, options: ImportOptions) -> Result<Summary, ImportError> {
    let format = options
        .format
        .or_else(|| Format::of(&options.file))
        .ok_or_else(|| ImportError::UnknownFormat(options.file.clone()))?;
    let (report_path, state_path) = (options.report_path(), options.state_path());
    let file = &options.file;
    let total_bytes = std::fs::metadata(file)
        .map_err(ImportError::io(file))?
        .len();
    let fingerprint = state::fingerprint(file).map_err(ImportError::io(file))?;
    let earlier = if options.dry_run || options.restart {
        None
    } else {
        State::load(&state_path).map_err(ImportError::io(&state_path))?
    };
    check_key_property(client, &options.key_property).await?;
    let resuming = earlier.is_some();
    let (state, report) = match earlier {
        Some(state) if state.input == fingerprint && state.key_property == options.key_property => {
            let report = Report::resume(&report_path, state.report_bytes)
                .map_err(ImportError::io(&report_path))?;
            (state, report)
        }
        Some(_) => return Err(ImportError::StateMismatch { path: state_path }),
        None => {
            let state = State::new(fingerprint.clone(), options.key_property.clone());
            let report = Report::create(&report_path).map_err(ImportError::io(&report_path))?;
            (state, report)
        }
    };
    // What earlier runs learned about numbers (a resumed run searches none of them again).
    let known_path = Known::path_of(&state_path);
    let (journal, known) = match (options.dry_run, resuming) {
        (true, _) => (None, HashMap::new()),
        (false, true) => {
            let (journal, known) = Known::resume(&known_path, &fingerprint, &options.key_property)
                .map_err(ImportError::io(&known_path))?;
            (Some(journal), known)
        }
        (false, false) => {
            let journal = Known::create(&known_path, &fingerprint, &options.key_property)
                .map_err(ImportError::io(&known_path))?;
            (Some(journal), HashMap::new())
        }
    };
    let journal_sync = match &journal {
        Some(journal) => Some(journal.syncer().map_err(ImportError::io(&known_path))?),
        None => None,
    };

    let progress = Progress::new(
        options.progress,
        total_bytes,
        state.settled_bytes,
        state.counts.rows,
    );
    let created = Arc::new(AtomicU64::new(0));
    let (parsed_tx, parsed_rx) = mpsc::channel(PARSED_ROWS);
    let (ready_tx, ready_rx) = mpsc::channel(READY_ROWS);
    let (settled_tx, mut settled_rx) = mpsc::channel(SETTLED_ROWS);
    let reading = Reading {
        path: file.clone(),
        format,
        defaults: Defaults {
            region: options.default_region,
            channel: options.channel.clone(),
        },
        skip_through_line: state.settled_line,
        done: state.done.clone(),
        max_rows: options.max_rows,
        stop: Arc::clone(&options.stop),
    };
    let reader = tokio::task::spawn_blocking(move || read::read(reading, &parsed_tx));
    let resolving = Resolving {
        client: client.clone(),
        create_missing: options.create_missing_contacts,
        dry_run: options.dry_run,
        created: Arc::clone(&created),
        known,
        journal,
    };
    let resolver = tokio::spawn(resolve::resolve(
        resolving,
        parsed_rx,
        ready_tx,
        settled_tx.clone(),
    ));
    let writer = if options.dry_run {
        drop((ready_rx, settled_tx));
        None
    } else {
        let writing = Writing {
            client: client.clone(),
            key_property: options.key_property.clone(),
        };
        Some(tokio::spawn(write::write(writing, ready_rx, settled_tx)))
    };

    let state_file = (!options.dry_run).then(|| state_path.clone());
    let mut settler = Settler::new(report, state, state_file, progress, created);
    settler.keep_numbers_in(journal_sync);
    let mut failure = None;
    while let Some(settled) = settled_rx.recv().await {
        if let Err(error) = settler.accept(settled) {
            failure = Some(error);
            break;
        }
    }
    drop(settled_rx);

    // The stages' ends, the most telling failure first: a stage that failed on its own
    // before one that failed because another ended early.
    let mut errors = Vec::new();
    if let Some(writer) = writer {
        errors.push(joined(writer.await));
    }
    errors.push(joined(resolver.await));
    let read_to_end = match reader.await {
        Ok(Ok(read_to_end)) => read_to_end,
        Ok(Err(error)) => {
            errors.push(Err(ImportError::io(file)(error)));
            false
        }
        Err(error) => {
            errors.push(Err(ImportError::Internal(error.to_string())));
            false
        }
    };
    let mut errors: Vec<ImportError> = errors.into_iter().filter_map(Result::err).collect();
    errors.sort_by_key(|e| matches!(e, ImportError::Internal(_)));
    let failure = failure.or_else(|| errors.into_iter().next());

    settler.save()?;
    settler.progress().finish();
    if let Some(error) = failure {
        return Err(error);
    }
    let summary = Summary {
        counts: settler.state().counts.clone(),
        complete: read_to_end,
        dry_run: options.dry_run,
    };
    if summary.complete && !options.dry_run {
        State::remove(&state_path).map_err(ImportError::io(&state_path))?;
        Known::remove(&known_path).map_err(ImportError::io(&known_path))?;
    }
    Ok(summary)
}

fn joined(
    result: Result<Result<(), ImportError>, tokio::task::JoinError>,
) -> Result<(), ImportError> {
    result.unwrap_or_else(|e| Err(ImportError::Internal(e.to_string())))
}

/// Fails early, and clearly, when the account's communications have no unique text property
/// of that name to key messages by: its definition, read through the Properties API (a read:
/// a dry run does it too).
async fn check_key_property(client: &Client, key_property: &str) -> Result<(), ImportError> {
    let found = client
        .property(COMMUNICATIONS, key_property)
        .await
        .map_err(|error| ImportError::HubSpot {
            what: "reading the key property's definition",
            error: Arc::new(error),
        })?;
    let Some(definition) = found else {
        return Err(ImportError::KeyPropertyMissing {
            name: key_property.to_owned(),
        });
    };
    let reason = if !definition.is_text() {
        format!(
            "it holds {} values, not text (string)",
            definition.property_type
        )
    } else if !definition.has_unique_value {
        "it does not require unique values (HubSpot cannot make an existing property unique)"
            .to_owned()
    } else {
        return Ok(());
    };
    Err(ImportError::KeyPropertyUnusable {
        name: key_property.to_owned(),
        reason,
    })
}

/// `path` with `suffix` added to its file name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name: OsString = path.file_name().unwrap_or_default().to_owned();
    name.push(suffix);
    path.with_file_name(name)
}
