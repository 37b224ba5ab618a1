//! An export from start to end:
//!
//! ```text
//! source (list pages │ search windows │ contacts' messages) ─▶ pages ─▶ associations and
//!   contacts' numbers, several pages at once, in order ─▶ rows ─▶ FILE.partial ─▶ FILE
//!                                                          └──▶ state (cursor, length, counts)
//! ```

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use hubspot_communications::Client;
use tokio::sync::mpsc;

use super::contacts::ContactBook;
use super::error::ExportError;
use super::fetch::{self, Enriching, Selection};
use super::options::ExportOptions;
use super::select;
use super::state::{Cursor, ExportState};
use super::summary::ExportSummary;
use super::write::Output;
use crate::input::Format;
use crate::progress::{Progress, ShowProgress, Unit};
use crate::resume::StateFile;

/// Pages read ahead of the writing.
const PAGES_AHEAD: usize = 4;
/// Pages whose associations and contacts are read at once.
const PAGES_AT_ONCE: usize = 8;
/// How often the state is saved while pages are written.
const SAVE_EVERY: Duration = Duration::from_secs(2);
/// What the progress display counts.
const MESSAGES: Unit = Unit {
    noun: "messages",
    done: "exported",
    total_of: None,
};

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
        Some(path) => Some(select::read_numbers(path, options.default_region)?),
        None => None,
    };
    let query = select::query_id(&options, format, numbers.as_deref());
    let (partial, state_path) = (options.partial_path(), options.state_path());

    // An earlier run of this export, if its state and its partial file are there.
    let earlier = if options.run.restart {
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
            state.cursor = select::start(client, &options).await?;
            if let Some(numbers) = &numbers {
                let (ids, counts) = select::contacts_of(client, numbers).await?;
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

/// Reads, enriches and writes from `state`'s cursor to the end (or a stop), saving the state
/// on the way.
async fn run_pipeline(
    client: &Client,
    options: &ExportOptions,
    state: &mut ExportState,
    mut output: Output,
    state_path: &Path,
) -> Result<ExportSummary, ExportError> {
    let messages = state.counts.messages;
    let mut progress = Progress::new(options.run.progress, MESSAGES, messages, messages);
    if matches!(state.cursor, Cursor::List { .. }) && options.run.progress != ShowProgress::None {
        // The list tells no total; one search (a page of one) does.
        let count = select::search(options).page_size(1);
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
    let reader = tokio::spawn(select::source(options, state).run(
        client.clone(),
        units_tx,
        Arc::clone(&stop),
    ));
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
        let messages = state.counts.messages;
        progress.update(messages, messages, detail);
        if saved.elapsed() >= SAVE_EVERY {
            save(state, &mut output, state_path)?;
            saved = Instant::now();
        }
        let limit = options
            .max_messages
            .is_some_and(|max| state.counts.messages >= max);
        if (limit || options.run.stop.load(Ordering::Relaxed)) && state.cursor != Cursor::End {
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
