//! Which messages an export reads, and from where: the cursor a new export starts from (the
//! contacts' messages, list pages or search windows), the source that reads on from a cursor,
//! the filters as a search or as a check here, the contacts of `--numbers`, and what identifies
//! the selection (a state file of another selection is refused).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use hubspot_communications::search::{Filter, Search};
use hubspot_communications::{
    BatchReadOptions, Channel, Client, ContactMatch, ListOptions, PhoneNumber, ReadOptions, Region,
    property,
};
use sha2::{Digest, Sha256};

use super::error::ExportError;
use super::fetch::{self, LocalFilter, Selection, Source};
use super::options::{ExportOptions, ReadBy};
use super::row;
use super::state::{Cursor, ExportState};
use super::summary::ExportCounts;
use crate::input::Format;

/// Messages per search window (HubSpot's largest search page).
const SEARCH_PAGE: u32 = 200;

/// Where a new export starts reading: the contacts' messages; every message by list pages;
/// or, with filters, the list or the search (`--read-by`; `auto` counts the messages the
/// filters keep and all of them, two searches, and lists when they keep at least half: the
/// list then reads at most twice what is kept, in no more general requests than the search
/// path's association reads alone (4 per 200 messages kept), and no search).
pub(crate) async fn start(client: &Client, options: &ExportOptions) -> Result<Cursor, ExportError> {
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
pub(crate) fn source(options: &ExportOptions, state: &ExportState) -> Source {
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
pub(crate) fn search(options: &ExportOptions) -> Search {
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

/// The numbers of a `--numbers` file, in E.164.
pub(crate) fn read_numbers(
    path: &Path,
    region: Option<Region>,
) -> Result<Vec<PhoneNumber>, ExportError> {
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
pub(crate) async fn contacts_of(
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
pub(crate) fn query_id(
    options: &ExportOptions,
    format: Format,
    numbers: Option<&[PhoneNumber]>,
) -> String {
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
