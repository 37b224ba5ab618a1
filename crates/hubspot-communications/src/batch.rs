//! Batches of any size: split into HubSpot's limit of 100, run with bounded concurrency, and
//! answered with one outcome that accounts for every input.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::{StreamExt, stream};
use hubspot_communications_raw::types;

use crate::client::Client;
use crate::error::Error;
use crate::message::Message;
use crate::messages::ReadOptions;
use crate::new_message::{MessageUpdate, NewMessage};
use crate::request::Operation;

/// HubSpot's largest batch.
pub const MAX_BATCH_SIZE: usize = 100;

/// What a batch call did with each input.
///
/// Every input is in exactly one place: among the successes, or among the failures. A 207
/// (partial success) keeps both sides.
#[derive(Debug)]
#[non_exhaustive]
pub struct BatchOutcome<T> {
    /// What succeeded, with the index of its input where HubSpot's answer says which.
    pub succeeded: Vec<BatchSuccess<T>>,
    /// What failed, with the indexes of the inputs concerned.
    pub failed: Vec<BatchFailure>,
}

/// One success of a batch.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BatchSuccess<T> {
    /// The index of the input in the caller's list, when it could be matched.
    pub input: Option<usize>,
    /// The result.
    pub value: T,
}

/// Inputs of a batch that failed, and why.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BatchFailure {
    /// The indexes of the inputs in the caller's list.
    pub inputs: Vec<usize>,
    /// Why they failed.
    pub error: BatchError,
}

/// Why inputs of a batch failed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum BatchError {
    /// HubSpot refused these inputs and accepted others (a 207).
    Item {
        /// HubSpot's category, e.g. `OBJECT_NOT_FOUND`.
        category: Option<String>,
        /// HubSpot's message.
        message: String,
        /// HubSpot's context (e.g. the ids at fault).
        context: BTreeMap<String, Vec<String>>,
    },
    /// The whole request of these inputs failed. If [`Error::is_fate_unknown`], HubSpot may have
    /// acted on them anyway: they are neither known to exist nor known not to.
    Request(Arc<Error>),
}

impl BatchError {
    /// Whether HubSpot may have acted on the inputs although the call failed.
    pub fn is_fate_unknown(&self) -> bool {
        matches!(self, Self::Request(error) if error.is_fate_unknown())
    }
}

impl<T> BatchOutcome<T> {
    fn new() -> Self {
        Self {
            succeeded: Vec::new(),
            failed: Vec::new(),
        }
    }

    /// Whether every input succeeded.
    pub fn is_success(&self) -> bool {
        self.failed.is_empty()
    }

    /// The indexes of the inputs that failed, in order.
    pub fn failed_inputs(&self) -> Vec<usize> {
        let mut inputs: Vec<usize> = self
            .failed
            .iter()
            .flat_map(|f| f.inputs.iter().copied())
            .collect();
        inputs.sort_unstable();
        inputs
    }

    /// The indexes of the inputs whose fate is unknown (a request that failed after HubSpot may
    /// have acted on it).
    pub fn unknown_inputs(&self) -> Vec<usize> {
        let mut inputs: Vec<usize> = self
            .failed
            .iter()
            .filter(|f| f.error.is_fate_unknown())
            .flat_map(|f| f.inputs.iter().copied())
            .collect();
        inputs.sort_unstable();
        inputs
    }

    fn merge(&mut self, other: Self) {
        self.succeeded.extend(other.succeeded);
        self.failed.extend(other.failed);
    }
}

/// One chunk's answer: results, per-item errors, and the chunk's input indexes.
struct ChunkAnswer<R> {
    results: Vec<R>,
    errors: Vec<types::StandardError>,
}

impl Client {
    /// Creates any number of messages through `batch/create`; the outcome maps each result and
    /// error to its input's index.
    pub async fn create_batch(&self, messages: &[NewMessage]) -> BatchOutcome<Message> {
        let now = chrono::Utc::now();
        self.run_batches(
            messages.len(),
            None,
            |range| {
                let inputs: Result<Vec<_>, Error> = range
                    .clone()
                    .map(|index| {
                        let input = messages[index].to_input(now)?;
                        Ok(types::SimplePublicObjectBatchInputForCreate {
                            associations: input.associations,
                            // Carried back on each result, so that results map to their inputs.
                            object_write_trace_id: Some(index.to_string()),
                            properties: input.properties,
                        })
                    })
                    .collect();
                async move {
                    let body =
                        types::BatchInputSimplePublicObjectBatchInputForCreate { inputs: inputs? };
                    let answer = self
                        .execute(Operation::BatchCreate, |raw| {
                            raw.batch_create_communications().body(body.clone()).send()
                        })
                        .await?;
                    Ok(ChunkAnswer {
                        results: answer.results,
                        errors: answer.errors,
                    })
                }
            },
            |range, result: &types::SimplePublicObject| {
                result
                    .object_write_trace_id
                    .as_deref()
                    .and_then(|id| id.parse().ok())
                    .filter(|index| range.contains(index))
            },
        )
        .await
    }

    /// Reads any number of messages by id through `batch/read`.
    pub async fn read_batch(&self, ids: &[String], options: &ReadOptions) -> BatchOutcome<Message> {
        self.run_batches(
            ids.len(),
            Some(ids),
            |range| {
                let body = types::BatchReadInputSimplePublicObjectId {
                    id_property: options.id_property.clone(),
                    inputs: ids[range.clone()]
                        .iter()
                        .map(|id| types::SimplePublicObjectId { id: id.clone() })
                        .collect(),
                    properties: options.properties.clone(),
                    properties_with_history: options.properties_with_history.clone(),
                };
                async move {
                    let answer = self
                        .execute(Operation::BatchRead, |raw| {
                            raw.batch_read_communications()
                                .archived(options.archived)
                                .body(body.clone())
                                .send()
                        })
                        .await?;
                    Ok(ChunkAnswer {
                        results: answer.results,
                        errors: answer.errors,
                    })
                }
            },
            |range, result: &types::SimplePublicObject| position(ids, range, &result.id),
        )
        .await
    }

    /// Updates any number of messages through `batch/update`.
    pub async fn update_batch(
        &self,
        updates: Vec<(String, MessageUpdate)>,
    ) -> BatchOutcome<Message> {
        let ids: Vec<String> = updates.iter().map(|(id, _)| id.clone()).collect();
        let inputs: Vec<Result<types::SimplePublicObjectBatchInput, String>> = updates
            .into_iter()
            .map(|(id, update)| {
                update
                    .into_properties()
                    .map(|properties| types::SimplePublicObjectBatchInput {
                        id,
                        id_property: None,
                        object_write_trace_id: None,
                        properties,
                    })
                    .map_err(|e| e.to_string())
            })
            .collect();
        self.run_batches(
            ids.len(),
            Some(&ids),
            |range| {
                let inputs: Result<Vec<_>, Error> = inputs[range.clone()]
                    .iter()
                    .map(|input| input.clone().map_err(Error::InvalidInput))
                    .collect();
                async move {
                    let body = types::BatchInputSimplePublicObjectBatchInput { inputs: inputs? };
                    let answer = self
                        .execute(Operation::BatchUpdate, |raw| {
                            raw.batch_update_communications().body(body.clone()).send()
                        })
                        .await?;
                    Ok(ChunkAnswer {
                        results: answer.results,
                        errors: answer.errors,
                    })
                }
            },
            |range, result: &types::SimplePublicObject| position(&ids, range, &result.id),
        )
        .await
    }

    /// Creates or updates any number of messages by a unique property through `batch/upsert`:
    /// the message whose `id_property` equals the key is updated, or created if none is.
    ///
    /// Sending the same upsert twice has the effect of sending it once, so, unlike a create, an
    /// upsert is retried even when HubSpot may have acted on it: the exactly-once way to log.
    pub async fn upsert_batch(
        &self,
        id_property: &str,
        messages: &[(String, NewMessage)],
    ) -> BatchOutcome<Message> {
        let now = chrono::Utc::now();
        let keys: Vec<String> = messages.iter().map(|(key, _)| key.clone()).collect();
        self.run_batches(
            messages.len(),
            Some(&keys),
            |range| {
                let inputs: Result<Vec<_>, Error> = messages[range.clone()]
                    .iter()
                    .map(|(key, message)| {
                        let mut properties = message.to_properties(now)?;
                        properties.insert(id_property.to_owned(), key.clone());
                        Ok(types::SimplePublicObjectBatchInputUpsert {
                            id: key.clone(),
                            id_property: Some(id_property.to_owned()),
                            object_write_trace_id: None,
                            properties,
                        })
                    })
                    .collect();
                async move {
                    let body =
                        types::BatchInputSimplePublicObjectBatchInputUpsert { inputs: inputs? };
                    let answer = self
                        .execute(Operation::BatchUpsert, |raw| {
                            raw.batch_upsert_communications().body(body.clone()).send()
                        })
                        .await?;
                    Ok(ChunkAnswer {
                        results: answer.results,
                        errors: answer.errors,
                    })
                }
            },
            |range, result: &types::SimplePublicUpsertObject| {
                let key = result.properties.get(id_property).cloned().flatten()?;
                position(&keys, range, &key)
            },
        )
        .await
    }

    /// Archives any number of messages by id through `batch/archive`.
    pub async fn archive_batch(&self, ids: &[String]) -> BatchOutcome<String> {
        let outcomes = stream::iter(chunks(ids.len()))
            .map(|range| async move {
                let body = types::BatchInputSimplePublicObjectId {
                    inputs: ids[range.clone()]
                        .iter()
                        .map(|id| types::SimplePublicObjectId { id: id.clone() })
                        .collect(),
                };
                let result = self
                    .execute(Operation::BatchArchive, |raw| {
                        raw.batch_archive_communications().body(body.clone()).send()
                    })
                    .await;
                let mut outcome = BatchOutcome::new();
                match result {
                    Ok(()) => outcome.succeeded.extend(range.map(|index| BatchSuccess {
                        input: Some(index),
                        value: ids[index].clone(),
                    })),
                    Err(error) => outcome.failed.push(BatchFailure {
                        inputs: range.collect(),
                        error: BatchError::Request(Arc::new(error)),
                    }),
                }
                outcome
            })
            .buffer_unordered(self.inner.batch_concurrency)
            .collect::<Vec<_>>()
            .await;
        let mut total = BatchOutcome::new();
        outcomes.into_iter().for_each(|o| total.merge(o));
        total
    }

    /// Runs `send` on each chunk of at most 100 inputs, `batch_concurrency` at a time, and
    /// accounts for every input: results are matched to inputs with `locate`, per-item errors
    /// with their context, and whatever is left of a chunk is reported as unaccounted.
    async fn run_batches<R, M, S, Fut, L>(
        &self,
        total: usize,
        keys: Option<&[String]>,
        send: S,
        locate: L,
    ) -> BatchOutcome<M>
    where
        R: Into<M>,
        S: Fn(std::ops::Range<usize>) -> Fut,
        Fut: std::future::Future<Output = Result<ChunkAnswer<R>, Error>>,
        L: Fn(&std::ops::Range<usize>, &R) -> Option<usize>,
    {
        let send = &send;
        let locate = &locate;
        let outcomes = stream::iter(chunks(total))
            .map(|range| async move {
                let answer = send(range.clone()).await;
                settle(range, keys, answer, locate)
            })
            .buffer_unordered(self.inner.batch_concurrency)
            .collect::<Vec<_>>()
            .await;
        let mut total = BatchOutcome::new();
        outcomes.into_iter().for_each(|o| total.merge(o));
        total
    }
}

/// Accounts for every input of one chunk.
fn settle<R: Into<M>, M>(
    range: std::ops::Range<usize>,
    keys: Option<&[String]>,
    answer: Result<ChunkAnswer<R>, Error>,
    locate: impl Fn(&std::ops::Range<usize>, &R) -> Option<usize>,
) -> BatchOutcome<M> {
    let mut outcome = BatchOutcome::new();
    let answer = match answer {
        Ok(answer) => answer,
        Err(error) => {
            outcome.failed.push(BatchFailure {
                inputs: range.collect(),
                error: BatchError::Request(Arc::new(error)),
            });
            return outcome;
        }
    };
    let mut unaccounted: std::collections::BTreeSet<usize> = range.clone().collect();
    let all_matched_by_order = answer.errors.is_empty() && answer.results.len() == range.len();
    for (position, result) in answer.results.into_iter().enumerate() {
        let input = locate(&range, &result)
            .or_else(|| all_matched_by_order.then(|| range.start + position));
        if let Some(index) = input {
            unaccounted.remove(&index);
        }
        outcome.succeeded.push(BatchSuccess {
            input,
            value: result.into(),
        });
    }
    for error in answer.errors {
        let inputs = error_inputs(&range, keys, &error);
        inputs.iter().for_each(|index| {
            unaccounted.remove(index);
        });
        outcome.failed.push(BatchFailure {
            inputs,
            error: BatchError::Item {
                category: error.category,
                message: error.message.unwrap_or_default(),
                context: error.context,
            },
        });
    }
    // Results that could not be matched leave as many inputs unaccounted as they stand for;
    // only inputs that neither a result nor an error can have taken are reported failed.
    let unmatched_results = outcome
        .succeeded
        .iter()
        .filter(|s| s.input.is_none())
        .count();
    if unaccounted.len() > unmatched_results {
        outcome.failed.push(BatchFailure {
            inputs: unaccounted.into_iter().collect(),
            error: BatchError::Item {
                category: None,
                message:
                    "HubSpot's answer accounts for neither a result nor an error for these inputs"
                        .into(),
                context: BTreeMap::new(),
            },
        });
    }
    outcome
}

/// The inputs a per-item error names: by trace id (creates) or by id in its context.
fn error_inputs(
    range: &std::ops::Range<usize>,
    keys: Option<&[String]>,
    error: &types::StandardError,
) -> Vec<usize> {
    let context = |name: &str| error.context.get(name).into_iter().flatten();
    let by_trace = context("objectWriteTraceId")
        .filter_map(|id| id.parse::<usize>().ok())
        .filter(|index| range.contains(index));
    let by_id = keys
        .into_iter()
        .flat_map(|keys| context("ids").filter_map(|id| position(keys, range, id)));
    let mut inputs: Vec<usize> = by_trace.chain(by_id).collect();
    inputs.sort_unstable();
    inputs.dedup();
    inputs
}

fn position(keys: &[String], range: &std::ops::Range<usize>, key: &str) -> Option<usize> {
    range.clone().find(|index| keys[*index] == key)
}

fn chunks(total: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    (0..total)
        .step_by(MAX_BATCH_SIZE)
        .map(move |start| start..(start + MAX_BATCH_SIZE).min(total))
}
