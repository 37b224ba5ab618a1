//! Logging a stream of any length through the batch endpoints, at the rate limit, with bounded
//! memory: at most `batch_concurrency` batches of 100 are in flight, and outcomes stream out as
//! their batches finish.

use std::sync::Arc;
use std::time::Duration;

use futures::{Stream, StreamExt, stream};

use crate::api::messages::gather::Gather;
use crate::client::Client;
use crate::error::{Error, InvalidResponse, ResponseProblem};
use crate::model::{AssociationInput, BatchError, BatchOutcome, Message, NewMessage, UpsertInput};
use crate::operation::Operation;

/// What became of one logged message.
#[derive(Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Logged<K = ()> {
    /// The input's position in the stream, from 0.
    pub index: u64,
    /// The caller's key (with [`Client::log_all_keyed`]).
    pub key: K,
    /// The input, handed back so that nothing is lost.
    pub message: NewMessage,
    /// Its fate.
    pub outcome: LogOutcome,
}

impl<K> Logged<K> {
    /// The fate of the input at `index`, of key `key`.
    pub fn new(index: u64, key: K, message: NewMessage, outcome: LogOutcome) -> Self {
        Self {
            index,
            key,
            message,
            outcome,
        }
    }
}

/// The fate of one logged message: these three are all there are.
#[derive(Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum LogOutcome {
    /// HubSpot stored it.
    Logged(Message),
    /// HubSpot refused it: it was not stored or, with [`Client::log_all_keyed`], it was stored
    /// but HubSpot refused one of its associations (logging it again with its key stores no
    /// second copy and associates it).
    Failed(BatchError),
    /// The request failed after HubSpot may have acted on it: it may or may not be stored.
    /// Log it again through [`Client::log_all_keyed`] to be sure of exactly one copy.
    Unknown(
        #[cfg_attr(feature = "serde", serde(serialize_with = "crate::error::as_text"))] Arc<Error>,
    ),
}

impl Client {
    /// Logs every message of `messages` through `batch/create`, 100 per request, and yields one
    /// [`Logged`] per input as batches finish (not in input order).
    ///
    /// A create HubSpot may have acted on is not retried (that could log a message twice):
    /// such inputs come back as [`LogOutcome::Unknown`]. For exactly-once logging, give each
    /// message a key and use [`Client::log_all_keyed`].
    pub fn log_all<S>(&self, messages: S) -> impl Stream<Item = Logged> + Send + 'static
    where
        S: Stream<Item = NewMessage> + Send + 'static,
    {
        let client = self.clone();
        chunked(messages.map(|m| ((), m)))
            .map(move |(start, chunk)| {
                let client = client.clone();
                async move {
                    let inputs: Vec<NewMessage> = chunk.iter().map(|(_, m)| m.clone()).collect();
                    let outcome = client.create_batch(&inputs).await;
                    settle(Operation::BatchCreate, start, chunk, outcome)
                }
            })
            .buffer_unordered(self.inner.batch_concurrency)
            .flat_map(stream::iter)
    }

    /// Logs every `(key, message)` exactly once through `batch/upsert`: `id_property` is a
    /// unique property of your account's messages (e.g. `external_message_id`) that stores the
    /// key. Sending an upsert twice has the effect of sending it once, so the client retries it
    /// through dropped connections and timeouts, and an unknown fate is left only if every
    /// retry failed.
    ///
    /// HubSpot's upsert takes no associations: the messages' associations are created once
    /// they are stored, through [`Client::associate_batch`], gathering stored batches for up
    /// to 250 ms ([`ClientBuilder::association_linger`](crate::ClientBuilder::association_linger)),
    /// the end of `messages`, or [`MAX_ASSOCIATION_BATCH_SIZE`](crate::MAX_ASSOCIATION_BATCH_SIZE) pairs,
    /// so that a busy import spends about one request per 1,000 associations rather than one
    /// per 100 messages. A message is
    /// [`Logged`](LogOutcome::Logged) once it is stored with all of its associations.
    pub fn log_all_keyed<S>(
        &self,
        id_property: &str,
        messages: S,
    ) -> impl Stream<Item = Logged<String>> + Send + 'static
    where
        S: Stream<Item = UpsertInput> + Send + 'static,
    {
        let client = self.clone();
        let associating = self.clone();
        let id_property = id_property.to_owned();
        let stored = chunked(messages)
            .map(move |(start, chunk)| {
                let (client, id_property) = (client.clone(), id_property.clone());
                async move {
                    let outcome = client.upsert_batch(&id_property, &chunk).await;
                    let chunk = chunk.into_iter().map(|input| (input.key, input.message));
                    settle(Operation::BatchUpsert, start, chunk.collect(), outcome)
                }
            })
            .buffer_unordered(self.inner.batch_concurrency);
        Gather::new(
            stored,
            pairs::<String>,
            crate::MAX_ASSOCIATION_BATCH_SIZE,
            self.inner.association_linger,
        )
        .map(move |batches| {
            let client = associating.clone();
            let logged = batches.into_iter().flatten().collect();
            async move { associate_stored(&client, logged).await }
        })
        .buffer_unordered(self.inner.batch_concurrency)
        .flat_map(stream::iter)
    }
}

/// How long stored batches wait for others to share an association request, unless
/// [`ClientBuilder::association_linger`](crate::ClientBuilder::association_linger) says.
pub(crate) const ASSOCIATION_LINGER: Duration = Duration::from_millis(250);

/// The associations to create for a batch: those of its stored messages.
#[allow(clippy::ptr_arg)] // The type `Gather` weighs its items by.
fn pairs<K>(batch: &Vec<Logged<K>>) -> usize {
    batch
        .iter()
        .filter(|item| matches!(item.outcome, LogOutcome::Logged(_)))
        .map(|item| item.message.associations().len())
        .sum()
}

/// Creates the associations of the stored messages of `logged`; a message whose association
/// HubSpot refused, or whose request failed, takes that failure as its outcome.
async fn associate_stored<K>(client: &Client, mut logged: Vec<Logged<K>>) -> Vec<Logged<K>> {
    let mut owners = Vec::new();
    let mut pairs = Vec::new();
    for (position, item) in logged.iter().enumerate() {
        if let LogOutcome::Logged(stored) = &item.outcome {
            for association in item.message.associations() {
                owners.push(position);
                pairs.push(AssociationInput::new(
                    stored.id.clone(),
                    association.clone(),
                ));
            }
        }
    }
    if pairs.is_empty() {
        return logged;
    }
    let outcome = client.associate_batch(&pairs).await;
    for failure in outcome.failed {
        for input in failure.inputs {
            let Some(item) = owners.get(input).and_then(|p| logged.get_mut(*p)) else {
                continue;
            };
            // The first failure of a message is its outcome; a later one says nothing more.
            if matches!(item.outcome, LogOutcome::Logged(_)) {
                item.outcome = match &failure.error {
                    BatchError::Request(error) if error.is_fate_unknown() => {
                        LogOutcome::Unknown(error.clone())
                    }
                    other => LogOutcome::Failed(other.clone()),
                };
            }
        }
    }
    logged
}

/// The stream in chunks of 100, each with the index of its first item.
fn chunked<T, S>(messages: S) -> impl Stream<Item = (u64, Vec<T>)> + Send
where
    T: Send,
    S: Stream<Item = T> + Send,
{
    messages
        .chunks(crate::MAX_BATCH_SIZE)
        .scan(0u64, |next, chunk| {
            let start = *next;
            *next += chunk.len() as u64;
            futures::future::ready(Some((start, chunk)))
        })
}

/// One [`Logged`] per input of a chunk, whatever the batch answered.
fn settle<K>(
    operation: Operation,
    start: u64,
    chunk: Vec<(K, NewMessage)>,
    outcome: BatchOutcome<Message>,
) -> Vec<Logged<K>> {
    let mut fates: Vec<Option<LogOutcome>> = (0..chunk.len()).map(|_| None).collect();
    for success in outcome.succeeded {
        if let Some(slot) = success.input.and_then(|i| fates.get_mut(i)) {
            *slot = Some(LogOutcome::Logged(success.value));
        }
    }
    for failure in outcome.failed {
        for input in failure.inputs {
            if let Some(slot) = fates.get_mut(input) {
                *slot = Some(match &failure.error {
                    BatchError::Request(error) if error.is_fate_unknown() => {
                        LogOutcome::Unknown(error.clone())
                    }
                    other => LogOutcome::Failed(other.clone()),
                });
            }
        }
    }
    chunk
        .into_iter()
        .zip(fates)
        .enumerate()
        .map(|(offset, ((key, message), fate))| Logged {
            index: start + offset as u64,
            key,
            message,
            // `BatchOutcome` accounts for every input; this is for an index out of its range.
            outcome: fate.unwrap_or_else(|| {
                LogOutcome::Unknown(Arc::new(InvalidResponse::error(
                    operation,
                    None,
                    ResponseProblem::Unaccounted,
                )))
            }),
        })
        .collect()
}
