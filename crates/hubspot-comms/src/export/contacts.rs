//! Contacts' numbers, read 100 contacts per batch read, each contact once while it is
//! remembered: a bounded cache (two generations of at most [`GENERATION`] contacts each; the
//! older is dropped when the newer fills), and the reads in flight, which a page needing a
//! contact being read waits for instead of reading it again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures::future::{BoxFuture, Shared};
use futures::{FutureExt, TryFutureExt};
use hubspot_communications::{BatchError, Client, MAX_BATCH_SIZE, ObjectType, Region};

use super::error::ExportError;
use super::row::{NUMBER_PROPERTIES, Numbers};

/// Contacts per generation of the cache (about 150 bytes each).
const GENERATION: usize = 50_000;

type Read =
    Shared<BoxFuture<'static, Result<Arc<HashMap<String, Arc<Numbers>>>, Arc<ExportErrorText>>>>;

/// An error shared by every page waiting for one read (the export's error is not `Clone`).
#[derive(Debug)]
pub(crate) struct ExportErrorText(ExportError);

/// The contacts' numbers an export has read or is reading.
pub(crate) struct ContactBook {
    client: Client,
    region: Option<Region>,
    state: Mutex<Book>,
}

#[derive(Default)]
struct Book {
    recent: HashMap<String, Arc<Numbers>>,
    older: HashMap<String, Arc<Numbers>>,
    pending: HashMap<String, Read>,
}

impl Book {
    fn get(&mut self, id: &str) -> Option<Arc<Numbers>> {
        if let Some(numbers) = self.recent.get(id) {
            return Some(Arc::clone(numbers));
        }
        let numbers = self.older.remove(id)?;
        self.keep(id.to_owned(), Arc::clone(&numbers));
        Some(numbers)
    }

    fn keep(&mut self, id: String, numbers: Arc<Numbers>) {
        if self.recent.len() >= GENERATION {
            self.older = std::mem::take(&mut self.recent);
        }
        self.recent.insert(id, numbers);
    }
}

impl ContactBook {
    pub(crate) fn new(client: Client, region: Option<Region>) -> Arc<Self> {
        Arc::new(Self {
            client,
            region,
            state: Mutex::default(),
        })
    }

    /// The numbers of each contact of `ids` (none for one HubSpot does not find).
    pub(crate) async fn numbers(
        self: &Arc<Self>,
        ids: &[String],
    ) -> Result<HashMap<String, Arc<Numbers>>, ExportError> {
        let mut known = HashMap::with_capacity(ids.len());
        let mut waits: Vec<Read> = Vec::new();
        {
            let mut book = lock(&self.state);
            let mut missing: Vec<String> = Vec::new();
            for id in ids {
                if known.contains_key(id) {
                    continue;
                }
                if let Some(numbers) = book.get(id) {
                    known.insert(id.clone(), numbers);
                } else if let Some(read) = book.pending.get(id) {
                    waits.push(read.clone());
                } else if !missing.contains(id) {
                    missing.push(id.clone());
                }
            }
            for chunk in missing.chunks(MAX_BATCH_SIZE) {
                let read = self.read(chunk.to_vec());
                for id in chunk {
                    book.pending.insert(id.clone(), read.clone());
                }
                waits.push(read);
            }
        }
        for wait in waits {
            let read = wait.await.map_err(|shared| match &shared.0 {
                ExportError::HubSpot { what, error } => ExportError::HubSpot {
                    what,
                    error: Arc::clone(error),
                },
                other => ExportError::Internal(other.to_string()),
            })?;
            for id in ids {
                if let Some(numbers) = read.get(id) {
                    known.insert(id.clone(), Arc::clone(numbers));
                }
            }
        }
        Ok(known)
    }

    /// A batch read of up to 100 contacts, on a task of its own (it goes on while the pages
    /// that wait for it wait for others); when answered, the cache has them.
    fn read(self: &Arc<Self>, ids: Vec<String>) -> Read {
        let book = Arc::clone(self);
        let task = tokio::spawn(async move {
            let outcome = book
                .client
                .read_records(ObjectType::Contact, &ids, &NUMBER_PROPERTIES)
                .await;
            let mut read: HashMap<String, Arc<Numbers>> = HashMap::with_capacity(ids.len());
            for failure in outcome.failed {
                match failure.error {
                    BatchError::Request(error) => {
                        // The next page to ask for these contacts reads them again.
                        let mut state = lock(&book.state);
                        for id in &ids {
                            state.pending.remove(id);
                        }
                        return Err(Arc::new(ExportErrorText(ExportError::HubSpot {
                            what: "reading the contacts' numbers",
                            error,
                        })));
                    }
                    // Not found (deleted since the message was read): no numbers.
                    _ => {
                        for index in failure.inputs {
                            read.insert(ids[index].clone(), Arc::new(Numbers::default()));
                        }
                    }
                }
            }
            for contact in outcome.succeeded {
                let numbers = Numbers::read(&contact.value, book.region);
                read.insert(contact.value.id, Arc::new(numbers));
            }
            let mut state = lock(&book.state);
            for id in &ids {
                state.pending.remove(id);
                let numbers = read
                    .entry(id.clone())
                    .or_insert_with(|| Arc::new(Numbers::default()));
                state.keep(id.clone(), Arc::clone(numbers));
            }
            Ok(Arc::new(read))
        });
        task.unwrap_or_else(|error| {
            Err(Arc::new(ExportErrorText(ExportError::Internal(
                error.to_string(),
            ))))
        })
        .boxed()
        .shared()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
