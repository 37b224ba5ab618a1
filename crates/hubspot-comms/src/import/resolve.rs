//! The contact stage: finds the contact of each row's number, many numbers per search, and
//! hands rows on as soon as their contact is known, in whatever order that is.
//!
//! Numbers are searched 100 to a request (the facade's `find_contacts_by_phone`), each number
//! once per run (answers are cached), and never again in a resumed run: each lookup's answers
//! go to the state's journal of numbers (`known`), which a resumed run starts its cache from.
//! The stage reads ahead of the searches, up to [`MAX_WAITING_ROWS`] rows waiting for their
//! number, so that searches are always full and always in flight while rows whose contact is
//! known flow on to be logged: searching and writing overlap, each at its own rate limit.
//!
//! Memory: the cache holds every distinct number of the file with its answer (about 100 bytes
//! each); at most [`MAX_WAITING_ROWS`] rows wait here.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use hubspot_communications::{
    Association, Client, ContactMatch, Error, MAX_NUMBERS_PER_SEARCH, PhoneNumber,
};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::error::ImportError;
use super::flow::{Fate, Parsed, Ready, Settled};
use super::known::Known;

/// The most rows held while their number is looked up.
pub const MAX_WAITING_ROWS: usize = 20_000;
/// The most lookups in flight. The client's search limiter paces them (5 a second); a few
/// seconds' worth waiting at it keeps it busy through a moment when this stage is not
/// scheduled (a busy machine).
const MAX_LOOKUPS: usize = 16;

/// What the stage does with what it finds.
pub(crate) struct Resolving {
    pub client: Client,
    /// Create a contact for numbers no contact holds.
    pub create_missing: bool,
    /// Log nothing (and create nothing): rows with a contact settle as "would log".
    pub dry_run: bool,
    /// Counts the contacts created.
    pub created: Arc<AtomicU64>,
    /// What earlier runs of this import learned about numbers: not looked up again.
    pub known: HashMap<PhoneNumber, ContactMatch>,
    /// Where this run keeps what it learns (none for a dry run).
    pub journal: Option<Known>,
}

type Lookup = JoinHandle<(
    Vec<PhoneNumber>,
    Result<HashMap<PhoneNumber, ContactMatch>, Error>,
)>;

struct Stage {
    resolving: Resolving,
    ready: mpsc::Sender<Ready>,
    settled: mpsc::Sender<Settled>,
    answers: HashMap<PhoneNumber, ContactMatch>,
    /// Rows waiting for their number's answer.
    waiting: HashMap<PhoneNumber, Vec<Parsed>>,
    waiting_rows: usize,
    /// Numbers no lookup has asked for yet.
    queued: Vec<PhoneNumber>,
    lookups: FuturesUnordered<Lookup>,
}

/// Runs the stage until every row of `rows` is handed on: to `ready` with its contact, or to
/// `settled` (bad rows, numbers without one contact).
pub(crate) async fn resolve(
    resolving: Resolving,
    mut rows: mpsc::Receiver<Parsed>,
    ready: mpsc::Sender<Ready>,
    settled: mpsc::Sender<Settled>,
) -> Result<(), ImportError> {
    let mut resolving = resolving;
    let mut answers = std::mem::take(&mut resolving.known);
    if resolving.create_missing && !resolving.dry_run {
        // An earlier run without --create-missing-contacts found no contact for these: this
        // one creates them.
        answers.retain(|_, answer| *answer != ContactMatch::NotFound);
    }
    let mut stage = Stage {
        resolving,
        ready,
        settled,
        answers,
        waiting: HashMap::new(),
        waiting_rows: 0,
        queued: Vec::new(),
        lookups: FuturesUnordered::new(),
    };
    let mut read_all = false;
    loop {
        // Full lookups whenever there are 100 numbers; a partial one only when nothing else
        // can come of waiting: the file is read, the read-ahead is full, or all is idle.
        while stage.queued.len() >= MAX_NUMBERS_PER_SEARCH && stage.lookups.len() < MAX_LOOKUPS {
            stage.look_up();
        }
        let starved = read_all
            || stage.waiting_rows >= MAX_WAITING_ROWS
            || (stage.lookups.is_empty() && rows.is_empty());
        if starved && !stage.queued.is_empty() && stage.lookups.len() < MAX_LOOKUPS {
            stage.look_up();
        }
        if read_all && stage.lookups.is_empty() {
            debug_assert!(stage.waiting.is_empty() && stage.queued.is_empty());
            return Ok(());
        }
        let may_read = !read_all && stage.waiting_rows < MAX_WAITING_ROWS;
        tokio::select! {
            biased;
            Some(done) = stage.lookups.next(), if !stage.lookups.is_empty() => {
                let (numbers, answers) = done.map_err(|e| ImportError::Internal(e.to_string()))?;
                let answers = answers.map_err(|error| ImportError::HubSpot {
                    what: "finding the contacts of the numbers",
                    error: Arc::new(error),
                })?;
                stage.answered(numbers, answers).await?;
            }
            row = rows.recv(), if may_read => match row {
                Some(row) => stage.take(row).await?,
                None => read_all = true,
            },
        }
    }
}

impl Stage {
    /// A row from the file: settled, handed on, or waiting for its number.
    async fn take(&mut self, mut parsed: Parsed) -> Result<(), ImportError> {
        if let Some(fate) = parsed.done.take() {
            return self.settle(Settled::row(parsed, fate)).await;
        }
        let number = match &parsed.row {
            Err(reason) => {
                let fate = Fate::Bad(reason.clone());
                return self.settle(Settled::row(parsed, fate)).await;
            }
            Ok(row) => row.number.clone(),
        };
        if let Some(answer) = self.answers.get(&number).cloned() {
            return self.route(parsed, &answer).await;
        }
        match self.waiting.get_mut(&number) {
            Some(rows) => rows.push(parsed),
            None => {
                self.waiting.insert(number.clone(), vec![parsed]);
                self.queued.push(number);
            }
        }
        self.waiting_rows += 1;
        Ok(())
    }

    /// Starts a lookup of up to 100 queued numbers.
    fn look_up(&mut self) {
        let rest = self
            .queued
            .split_off(self.queued.len().min(MAX_NUMBERS_PER_SEARCH));
        let numbers = std::mem::replace(&mut self.queued, rest);
        let client = self.resolving.client.clone();
        let create = self.resolving.create_missing && !self.resolving.dry_run;
        // A task of its own, so that lookups go on while this stage waits to hand rows on.
        self.lookups.push(tokio::spawn(async move {
            let answers = if create {
                client.find_or_create_contacts_by_phone(&numbers).await
            } else {
                client.find_contacts_by_phone(&numbers).await
            };
            (numbers, answers)
        }));
    }

    /// A lookup's answers: cached, and the rows that waited for them handed on.
    async fn answered(
        &mut self,
        numbers: Vec<PhoneNumber>,
        mut answers: HashMap<PhoneNumber, ContactMatch>,
    ) -> Result<(), ImportError> {
        if let Some(journal) = &mut self.resolving.journal {
            journal
                .record(&answers)
                .map_err(ImportError::io(journal.path()))?;
        }
        for number in numbers {
            let answer = answers.remove(&number).unwrap_or(ContactMatch::NotFound);
            if matches!(answer, ContactMatch::Created(_)) {
                self.resolving.created.fetch_add(1, Ordering::Relaxed);
            }
            let rows = self.waiting.remove(&number).unwrap_or_default();
            self.waiting_rows -= rows.len();
            for row in rows {
                self.route(row, &answer).await?;
            }
            self.answers.insert(number, answer);
        }
        Ok(())
    }

    /// A row whose number's answer is known.
    async fn route(&mut self, parsed: Parsed, answer: &ContactMatch) -> Result<(), ImportError> {
        let fate = match answer {
            ContactMatch::Found(id) | ContactMatch::Created(id) => {
                if self.resolving.dry_run {
                    Fate::WouldLog
                } else {
                    return self.hand_on(parsed, id).await;
                }
            }
            ContactMatch::NotFound if self.resolving.dry_run && self.resolving.create_missing => {
                Fate::WouldLog
            }
            ContactMatch::NotFound => Fate::NotFound,
            ContactMatch::Ambiguous(ids) => Fate::Ambiguous(ids.clone()),
            ContactMatch::Refused { message, .. } => Fate::Refused(message.clone()),
            other => Fate::Refused(format!("unexpected answer: {other:?}")),
        };
        self.settle(Settled::row(parsed, fate)).await
    }

    async fn hand_on(&mut self, parsed: Parsed, contact: &str) -> Result<(), ImportError> {
        let row = match parsed.row {
            Ok(row) => row,
            // Only rows with a number are looked up; a bad one settles as it is.
            Err(reason) => {
                let parsed = Parsed {
                    row: Err(reason.clone()),
                    ..parsed
                };
                return self.settle(Settled::row(parsed, Fate::Bad(reason))).await;
            }
        };
        let ready = Ready {
            place: parsed.place,
            original: parsed.original,
            key: row.key,
            number: row.number,
            message: row.message.associate(Association::contact(contact)),
        };
        self.ready.send(ready).await.map_err(|_| closed())
    }

    async fn settle(&self, settled: Settled) -> Result<(), ImportError> {
        self.settled.send(settled).await.map_err(|_| closed())
    }
}

fn closed() -> ImportError {
    ImportError::Internal("a stage of the import ended early".to_owned())
}
