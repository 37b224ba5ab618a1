//! The logging stage: rows with their contact go to the facade's keyed logging
//! (`log_all_keyed`: upserts of 100 by the row's key, then the associations), and each comes
//! back settled.
//!
//! Two rows with one key are one message: HubSpot refuses a batch that names a key twice, so a
//! row whose key is in flight is not sent again; it settles with the first one's outcome.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures::{StreamExt, future, stream};
use hubspot_communications::{BatchError, Client, Error, LogOutcome, RateLimitPolicy, UpsertInput};
use tokio::sync::mpsc;

use super::error::ImportError;
use super::flow::{Fate, Original, Place, Ready, Settled};
use hubspot_communications::PhoneNumber;

/// How messages are logged.
pub(crate) struct Writing {
    pub client: Client,
    /// The unique property the keys go in.
    pub key_property: String,
}

/// A row whose message is being logged.
struct Sent {
    place: Place,
    original: Original,
    key: String,
    number: PhoneNumber,
}

impl Sent {
    fn settled(self, fate: Fate) -> Settled {
        Settled {
            place: self.place,
            original: self.original,
            key: Some(self.key),
            number: Some(self.number),
            fate,
        }
    }
}

/// Rows sent and not yet settled, by their index in the logging stream, and the rows that
/// repeat their keys.
#[derive(Default)]
struct InFlight {
    next: u64,
    rows: HashMap<u64, Sent>,
    repeats: HashMap<String, Vec<Sent>>,
}

/// Logs every row of `ready` and settles it.
pub(crate) async fn write(
    writing: Writing,
    ready: mpsc::Receiver<Ready>,
    settled: mpsc::Sender<Settled>,
) -> Result<(), ImportError> {
    let in_flight = Arc::new(Mutex::new(InFlight::default()));
    let sending = Arc::clone(&in_flight);
    let rows = stream::unfold(ready, |mut ready| async move {
        ready.recv().await.map(|row| (row, ready))
    });
    let messages = rows.filter_map(move |row: Ready| {
        let Ready {
            place,
            original,
            key,
            number,
            message,
        } = row;
        let sent = Sent {
            place,
            original,
            key: key.clone(),
            number,
        };
        let mut sending = lock(&sending);
        let message = if let Some(repeats) = sending.repeats.get_mut(&key) {
            repeats.push(sent);
            None
        } else {
            let index = sending.next;
            sending.next += 1;
            sending.repeats.insert(key.clone(), Vec::new());
            sending.rows.insert(index, sent);
            Some(UpsertInput::new(key, message))
        };
        future::ready(message)
    });
    let outcomes = writing
        .client
        .log_all_keyed(&writing.key_property, messages);
    let mut outcomes = std::pin::pin!(outcomes);
    while let Some(logged) = outcomes.next().await {
        let (row, repeats) = {
            let mut in_flight = lock(&in_flight);
            let Some(row) = in_flight.rows.remove(&logged.index) else {
                return Err(ImportError::Internal(format!(
                    "an outcome for message {} that was not sent",
                    logged.index
                )));
            };
            let repeats = in_flight.repeats.remove(&row.key).unwrap_or_default();
            (row, repeats)
        };
        let fate = match &logged.outcome {
            // HubSpot says whether the upsert found the key taken.
            LogOutcome::Logged(message) if message.upsert_new == Some(false) => Fate::AlreadyLogged,
            LogOutcome::Logged(_) => Fate::Logged,
            LogOutcome::Unknown(error) => {
                stop_on(error, &writing.key_property)?;
                Fate::Unknown(error.to_string())
            }
            LogOutcome::Failed(BatchError::Request(error)) => {
                stop_on(error, &writing.key_property)?;
                Fate::Refused(error.to_string())
            }
            LogOutcome::Failed(failure) => Fate::Refused(describe(failure)),
        };
        let repeat_fate = match &fate {
            Fate::Logged => Fate::AlreadyLogged,
            other => other.clone(),
        };
        send(&settled, row.settled(fate)).await?;
        for repeat in repeats {
            send(&settled, repeat.settled(repeat_fate.clone())).await?;
        }
    }
    Ok(())
}

/// Stops the import on an answer that every further request would get too.
fn stop_on(error: &Arc<Error>, key_property: &str) -> Result<(), ImportError> {
    if let Some(api) = error.api()
        && api.status == 400
        && names_key_property(api, key_property)
    {
        return Err(ImportError::KeyPropertyUnusable {
            name: key_property.to_owned(),
            reason: format!("HubSpot refused it as the key: {}", api.message),
        });
    }
    let fatal = matches!(error.status(), Some(401 | 403))
        || error.rate_limit_policy() == Some(&RateLimitPolicy::Daily);
    if fatal {
        return Err(ImportError::HubSpot {
            what: "logging the messages",
            error: Arc::clone(error),
        });
    }
    Ok(())
}

/// Whether a refusal is about the key property (missing, not unique).
pub(crate) fn names_key_property(api: &hubspot_communications::ApiError, name: &str) -> bool {
    api.message.contains(name)
        || api.details.iter().any(|detail| {
            detail.field.as_deref() == Some("idProperty")
                || detail.message.contains(name)
                || detail
                    .code
                    .as_deref()
                    .is_some_and(|code| code.contains("ID_PROPERTY"))
        })
}

fn describe(failure: &BatchError) -> String {
    match failure {
        BatchError::Item {
            category, message, ..
        } => match category {
            Some(category) => format!("{category}: {message}"),
            None => message.clone(),
        },
        other => format!("{other:?}"),
    }
}

async fn send(settled: &mpsc::Sender<Settled>, row: Settled) -> Result<(), ImportError> {
    settled
        .send(row)
        .await
        .map_err(|_| ImportError::Internal("the settling stage ended early".to_owned()))
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
