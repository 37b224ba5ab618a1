//! An import from start to end: the four stages (read, find contacts, log, settle) joined by
//! bounded channels, the report and the state file, and what stops it.
//!
//! ```text
//! file ─read─▶ rows ─find contacts─▶ ready rows ─log (keyed upserts)─▶ settled rows ─▶ report,
//!                        └──── bad rows, no contact ─────────────────▶          state, counts
//! ```

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use hubspot_communications::{Client, ObjectType};
use tokio::sync::mpsc;

use super::error::ImportError;
use super::known::Known;
use super::options::ImportOptions;
use super::read::{self, Reading};
use super::report::Report;
use super::resolve::{self, Resolving};
use super::row::Defaults;
use super::settle::Settler;
use super::state::{self, State};
use super::summary::Summary;
use super::write::{self, Writing};
use crate::input::Format;
use crate::progress::{Progress, Unit};
use crate::resume::StateFile;

/// The object type of the messages, in HubSpot's paths.
// The bounded channels between the stages.
const PARSED_ROWS: usize = 4_096;
const READY_ROWS: usize = 10_000;
const SETTLED_ROWS: usize = 10_000;
/// What the progress display counts.
const ROWS: Unit = Unit {
    noun: "rows",
    done: "settled",
    total_of: Some("the file"),
};

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
    let earlier = if options.dry_run || options.run.restart {
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

    // Measured in bytes of the file settled, known from the start, unlike the rows.
    let mut progress = Progress::new(
        options.run.progress,
        ROWS,
        state.settled_bytes,
        state.counts.rows,
    );
    progress.set_total(total_bytes);
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
        stop: Arc::clone(&options.run.stop),
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
        .property(ObjectType::Communication, key_property)
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
