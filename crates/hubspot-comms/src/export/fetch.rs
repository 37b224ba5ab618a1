//! Reading the messages: a source of pages in a fixed order (list pages, search windows, or
//! the selected contacts' messages), each page with the cursor that goes on after it; then,
//! several pages at a time and handed on in order, what each page's rows need: the records
//! its messages are associated with (association batch reads, up to 1,000 messages a request:
//! a search path's page gathers 5 windows) and their contacts' numbers (contact batch reads,
//! 100 a request, each contact once while remembered). Everything through the facade.

use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use futures::future::try_join_all;
use hubspot_communications::search::Search;
use hubspot_communications::{
    AssociatedRecord, BatchError, BatchReadOptions, Channel, Client, InvalidResponse, ListOptions,
    MAX_ASSOCIATION_BATCH_SIZE, MAX_BATCH_SIZE, Message, ObjectType, Operation, ResponseProblem,
};
use tokio::sync::mpsc;

use super::contacts::ContactBook;
use super::error::ExportError;
use super::row::{self, Numbers, OutRow, Records, TYPES, by_id};
use super::state::Cursor;
use super::summary::ExportCounts;

/// Contacts whose messages are gathered at once (their message ids are held together).
pub(crate) const CONTACTS_AT_ONCE: usize = 100;

/// The messages' properties an export reads.
pub(crate) fn properties(key_property: &str) -> Vec<String> {
    use hubspot_communications::property;
    [
        property::CHANNEL,
        property::BODY,
        property::TIMESTAMP,
        property::OWNER,
        key_property,
    ]
    .iter()
    .map(|p| (*p).to_owned())
    .collect()
}

/// The contacts whose messages are exported (`--contact`, `--numbers`).
#[derive(Debug)]
pub(crate) struct Selection {
    /// In id order.
    pub ids: Vec<String>,
    /// Each id's place in `ids`.
    pub place: HashMap<String, usize>,
}

impl Selection {
    pub(crate) fn new(mut ids: Vec<String>) -> Self {
        ids.sort_by(|a, b| by_id(a, b));
        ids.dedup();
        let place = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), i))
            .collect();
        Self { ids, place }
    }
}

/// What the contacts' path checks itself (the other paths ask the search).
#[derive(Debug, Clone, Default)]
pub(crate) struct LocalFilter {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub channels: Vec<Channel>,
}

impl LocalFilter {
    fn keeps(&self, message: &Message) -> bool {
        let time_ok = match (self.since, self.until, message.timestamp) {
            (None, None, _) => true,
            (_, _, None) => false,
            (since, until, Some(time)) => {
                since.is_none_or(|since| time >= since) && until.is_none_or(|until| time < until)
            }
        };
        let channel_ok = self.channels.is_empty()
            || message
                .channel
                .as_ref()
                .is_some_and(|c| self.channels.contains(c));
        time_ok && channel_ok
    }
}

/// Where the messages come from.
pub(crate) enum Source {
    /// Every message: list pages, their associations with them.
    List {
        options: ListOptions,
        after: Option<String>,
        /// The filters, checked here (none: every message).
        filter: LocalFilter,
    },
    /// A search, read past HubSpot's 10,000-result cap by id windows.
    Search {
        search: Search,
        after_id: Option<String>,
        /// Whether the total was told (with the first page this run reads).
        told: bool,
    },
    /// The selected contacts' messages.
    Contacts {
        selection: Arc<Selection>,
        next_contact: usize,
        after_message: Option<String>,
        filter: LocalFilter,
        read: BatchReadOptions,
        /// The current chunk's message ids still to read (`None` before they are listed).
        queued: Option<VecDeque<String>>,
    },
    /// Nothing left.
    Done,
}

/// A page of messages, in the export's order.
pub(crate) struct Unit {
    pub messages: Vec<Message>,
    /// Whether their associations are to be read (a search or a batch read returns none);
    /// else they came with them, and only those HubSpot answered in part are read.
    pub read_associations: bool,
    /// On the contacts' path: the contacts of the chunk it belongs to (by place in the
    /// selection). A message is written with the first selected contact it has, so that a
    /// message of several selected contacts is written once.
    pub chunk: Option<(Arc<Selection>, Range<usize>)>,
    /// Where reading goes on after it.
    pub cursor: Cursor,
    /// How many messages there are from where this run started, when the source can tell
    /// (with its first page).
    pub total: Option<u64>,
    /// Contacts done (the contacts' path), and how many are selected.
    pub contacts: Option<(usize, usize)>,
}

/// A page ready to write.
pub(crate) struct Ready {
    pub rows: Vec<OutRow>,
    pub counts: ExportCounts,
    pub cursor: Cursor,
    pub total: Option<u64>,
    pub contacts: Option<(usize, usize)>,
}

impl Source {
    /// Sends the pages to `units` in order until the last, an error, `stop`, or nobody
    /// listening.
    pub(crate) async fn run(
        mut self,
        client: Client,
        units: mpsc::Sender<Result<Unit, ExportError>>,
        stop: Arc<AtomicBool>,
    ) {
        while !stop.load(Ordering::Relaxed) {
            let unit = match self.next(&client).await {
                Ok(Some(unit)) => unit,
                Ok(None) => return,
                Err(error) => {
                    let _ = units.send(Err(error)).await;
                    return;
                }
            };
            if units.send(Ok(unit)).await.is_err() {
                return;
            }
        }
    }

    /// The next page; `None` after the last.
    async fn next(&mut self, client: &Client) -> Result<Option<Unit>, ExportError> {
        match self {
            Self::Done => Ok(None),
            Self::List {
                options,
                after,
                filter,
            } => {
                let mut page = client
                    .list_page(options, after.as_deref())
                    .await
                    .map_err(ExportError::hubspot("listing the messages"))?;
                page.items.retain(|message| filter.keeps(message));
                let cursor = match page.next.clone() {
                    Some(next) => Cursor::List {
                        after: Some(next.clone()),
                    },
                    None => Cursor::End,
                };
                match page.next {
                    Some(next) => *after = Some(next),
                    None => *self = Self::Done,
                }
                Ok(Some(Unit {
                    messages: page.items,
                    read_associations: false,
                    chunk: None,
                    cursor,
                    total: None,
                    contacts: None,
                }))
            }
            Self::Search {
                search,
                after_id,
                told,
            } => {
                // Windows until a page holds as many messages as one association batch read
                // takes (5 of 200): the windows are read one after another anyway, and the
                // associations then take 4 requests a 1,000 messages, not a 200.
                let mut messages = Vec::new();
                let mut total = None;
                let mut next = after_id.clone();
                loop {
                    let found = client
                        .search_past_cap_page(search, next.as_deref())
                        .await
                        .map_err(ExportError::hubspot("searching the messages"))?;
                    if !*told {
                        total = Some(found.total);
                        *told = true;
                    }
                    messages.extend(found.page.items);
                    next = found.page.next;
                    if next.is_none() || messages.len() >= MAX_ASSOCIATION_BATCH_SIZE {
                        break;
                    }
                }
                let cursor = match next.clone() {
                    Some(next) => Cursor::Search {
                        after_id: Some(next),
                    },
                    None => Cursor::End,
                };
                match next {
                    Some(next) => *after_id = Some(next),
                    None => *self = Self::Done,
                }
                Ok(Some(Unit {
                    messages,
                    read_associations: true,
                    chunk: None,
                    cursor,
                    total,
                    contacts: None,
                }))
            }
            Self::Contacts { .. } => self.next_of_contacts(client).await,
        }
    }

    /// The next page of the selected contacts' messages: a chunk of contacts' message ids
    /// (one association batch read for the chunk), read 100 messages a batch read, in id
    /// order.
    async fn next_of_contacts(&mut self, client: &Client) -> Result<Option<Unit>, ExportError> {
        let Self::Contacts {
            selection,
            next_contact,
            after_message,
            filter,
            read,
            queued,
        } = self
        else {
            return Ok(None);
        };
        let all = selection.ids.len();
        if *next_contact >= all {
            *self = Self::Done;
            return Ok(None);
        }
        let chunk = *next_contact..(*next_contact + CONTACTS_AT_ONCE).min(all);
        if queued.is_none() {
            let ids = &selection.ids[chunk.clone()];
            let associated =
                all_associations(client, ObjectType::Contact, ids, ObjectType::Communication)
                    .await
                    .map_err(ExportError::hubspot_shared(
                        "reading the contacts' messages",
                    ))?;
            let mut messages: Vec<String> = associated
                .into_values()
                .flatten()
                .map(|record| record.id)
                .collect();
            messages.sort_by(|a, b| by_id(a, b));
            messages.dedup();
            if let Some(after) = after_message.as_deref() {
                messages.retain(|id| by_id(id, after).is_gt());
            }
            *queued = Some(messages.into());
        }
        let queue = queued.get_or_insert_with(VecDeque::new);
        let batch: Vec<String> = queue.drain(..queue.len().min(MAX_BATCH_SIZE)).collect();
        let last_of_chunk = queue.is_empty();
        let cursor = if last_of_chunk {
            *next_contact = chunk.end;
            *after_message = None;
            *queued = None;
            if chunk.end >= all {
                Cursor::End
            } else {
                Cursor::Contacts {
                    next_contact: chunk.end,
                    after_message: None,
                }
            }
        } else {
            *after_message = batch.last().cloned();
            Cursor::Contacts {
                next_contact: chunk.start,
                after_message: after_message.clone(),
            }
        };
        let mut found = Vec::with_capacity(batch.len());
        if !batch.is_empty() {
            let outcome = client.read_batch(&batch, read).await;
            for failure in outcome.failed {
                if let BatchError::Request(error) = failure.error {
                    return Err(ExportError::HubSpot {
                        what: "reading the contacts' messages",
                        error,
                    });
                }
                // Not found: archived since the association was read.
            }
            found = outcome.succeeded.into_iter().map(|s| s.value).collect();
        }
        found.sort_by(|a: &Message, b: &Message| by_id(&a.id, &b.id));
        found.retain(|message| filter.keeps(message));
        let done = if last_of_chunk {
            chunk.end
        } else {
            chunk.start
        };
        let unit = Unit {
            messages: found,
            read_associations: true,
            chunk: Some((Arc::clone(selection), chunk)),
            cursor,
            total: None,
            contacts: Some((done, all)),
        };
        if matches!(unit.cursor, Cursor::End) {
            *self = Self::Done;
        }
        Ok(Some(unit))
    }
}

/// What every page's rows are made with.
pub(crate) struct Enriching {
    pub client: Client,
    pub key_property: String,
    pub book: Arc<ContactBook>,
}

/// A page's rows: its messages' records and contacts' numbers read, each message written with
/// the number of its first contact (on the contacts' path, its first selected contact), in
/// id order.
pub(crate) async fn enrich(enriching: Arc<Enriching>, unit: Unit) -> Result<Ready, ExportError> {
    let Unit {
        messages,
        read_associations,
        chunk,
        cursor,
        total,
        contacts,
    } = unit;
    let client = &enriching.client;
    let mut records: Vec<Records> = if read_associations {
        vec![Records::default(); messages.len()]
    } else {
        messages.iter().map(Records::inline).collect()
    };
    let reads = TYPES.iter().enumerate().map(|(index, object_type)| {
        let ids: Vec<String> = messages
            .iter()
            .filter(|m| read_associations || m.partial_associations.contains(object_type))
            .map(|m| m.id.clone())
            .collect();
        async move {
            if ids.is_empty() {
                return Ok((index, HashMap::new()));
            }
            all_associations(client, ObjectType::Communication, &ids, object_type.clone())
                .await
                .map(|found| (index, found))
        }
    });
    let read = try_join_all(reads)
        .await
        .map_err(ExportError::hubspot_shared(
            "reading the messages' associations",
        ))?;
    for (index, mut found) in read {
        for (message, records) in messages.iter().zip(records.iter_mut()) {
            if let Some(associated) = found.remove(&message.id) {
                records.set(index, associated.into_iter().map(|a| a.id));
            }
        }
    }

    // Whose number each message is written with; on the contacts' path, only the messages
    // whose first selected contact is of this chunk (the others were, or will be, written
    // with theirs).
    let mut written: Vec<(Message, Records, Option<String>)> = Vec::with_capacity(messages.len());
    for (message, records) in messages.into_iter().zip(records) {
        let contact = match &chunk {
            None => records.contacts().first().cloned(),
            Some((selection, range)) => {
                let first = records
                    .contacts()
                    .iter()
                    .filter_map(|id| selection.place.get(id).map(|place| (*place, id)))
                    .min();
                match first {
                    Some((place, _)) if !range.contains(&place) => continue,
                    Some((_, id)) => Some(id.clone()),
                    // Associated with the contact when read, no more: written with what it
                    // has.
                    None => records.contacts().first().cloned(),
                }
            }
        };
        written.push((message, records, contact));
    }
    let wanted: Vec<String> = written
        .iter()
        .filter_map(|(_, _, contact)| contact.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let numbers = enriching.book.numbers(&wanted).await?;
    let mut counts = ExportCounts::default();
    let unknown = Numbers::default();
    let rows = written
        .into_iter()
        .map(|(message, records, contact)| {
            // A contact the book has no entry for (it cannot happen) has no numbers.
            let numbers = contact.map(|id| numbers.get(&id).map_or(&unknown, |n| n.as_ref()));
            row::build(
                &message,
                &enriching.key_property,
                records,
                numbers,
                &mut counts,
            )
        })
        .collect();
    Ok(Ready {
        rows,
        counts,
        cursor,
        total,
        contacts,
    })
}

/// The records each of `ids` is associated with, by id, or the first failure: the export
/// needs every page's associations whole, so one failed input fails the page (it is read
/// again when the export resumes).
async fn all_associations(
    client: &Client,
    from: ObjectType,
    ids: &[String],
    to: ObjectType,
) -> Result<HashMap<String, Vec<AssociatedRecord>>, Arc<hubspot_communications::Error>> {
    let outcome = client.read_associations(from, ids, to).await;
    if let Some(failure) = outcome.failed.into_iter().next() {
        return Err(match failure.error {
            BatchError::Request(error) => error,
            // The association read fails whole requests only; a per-input refusal would be an
            // answer it does not give.
            item => Arc::new(hubspot_communications::Error::InvalidResponse(Box::new(
                InvalidResponse::new(
                    Operation::BatchReadAssociations,
                    None,
                    ResponseProblem::Undecodable(format!("{item:?}")),
                ),
            ))),
        });
    }
    let mut found = HashMap::with_capacity(ids.len());
    for read in outcome.succeeded {
        if let Some(id) = read.input.and_then(|index| ids.get(index)) {
            found.insert(id.clone(), read.value);
        }
    }
    Ok(found)
}
