//! Batches of any size: split into HubSpot's limit of 100, run with bounded concurrency, and
//! answered with one outcome that accounts for every input.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::{StreamExt, stream};
use hubspot_communications_raw::types;

use crate::client::{COMMUNICATIONS, Client};
use crate::error::{Error, InvalidResponse, ResponseProblem};
use crate::message::Message;
use crate::new_message::{MessageUpdate, NewMessage};
use crate::operation::Operation;

/// HubSpot's largest batch.
pub const MAX_BATCH_SIZE: usize = 100;

/// What a batch read returns: which properties, with or without history, whether to read
/// archived messages, and which unique property the ids are values of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct BatchReadOptions {
    properties: Vec<String>,
    properties_with_history: Vec<String>,
    archived: bool,
    id_property: Option<String>,
}

impl BatchReadOptions {
    /// HubSpot's defaults: the default properties of live messages, by HubSpot's id.
    pub fn new() -> Self {
        Self::default()
    }

    crate::messages::read_choices!();

    /// The ids are values of this unique property, not HubSpot's ids.
    pub fn id_property(mut self, name: impl Into<String>) -> Self {
        self.id_property = Some(name.into());
        self
    }
}

/// What a batch call did with each input.
///
/// Every input is in exactly one place: among the successes, or among the failures. A 207
/// (partial success) keeps both sides.
#[derive(Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct BatchOutcome<T> {
    /// What succeeded, with the index of its input where HubSpot's answer says which.
    pub succeeded: Vec<BatchSuccess<T>>,
    /// What failed, with the indexes of the inputs concerned.
    pub failed: Vec<BatchFailure>,
}

/// One success of a batch.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct BatchSuccess<T> {
    /// The index of the input in the caller's list, when it could be matched.
    pub input: Option<usize>,
    /// The result.
    pub value: T,
}

/// Inputs of a batch that failed, and why.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct BatchFailure {
    /// The indexes of the inputs in the caller's list.
    pub inputs: Vec<usize>,
    /// Why they failed.
    pub error: BatchError,
}

/// Why inputs of a batch failed.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
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
    Request(
        #[cfg_attr(feature = "serde", serde(serialize_with = "crate::error::as_text"))] Arc<Error>,
    ),
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

/// One chunk's answer: results and per-item errors.
pub(crate) struct ChunkAnswer<R> {
    pub(crate) results: Vec<R>,
    pub(crate) errors: Vec<types::StandardError>,
}

/// How HubSpot's per-item errors name the inputs they concern.
#[derive(Clone, Copy)]
pub(crate) enum Named<'a> {
    /// By trace id (creates), or by the input's key (`ids` in the error's context).
    Keys(Option<&'a [String]>),
    /// By the ends of a pair (`fromObjectId`, and `toObjectId` when given): association batches.
    Pairs(&'a [(String, String)]),
}

/// The indexes (in the caller's list) of the inputs one request carries, ascending.
pub(crate) type Chunk = [usize];

impl Client {
    /// Creates any number of messages through `batch/create`; the outcome maps each result and
    /// error to its input's index.
    pub async fn create_batch(&self, messages: &[NewMessage]) -> BatchOutcome<Message> {
        let now = chrono::Utc::now();
        let prepared = messages.iter().enumerate().map(|(index, message)| {
            let input = message.to_input(now)?;
            Ok(types::SimplePublicObjectBatchInputForCreate {
                associations: input.associations,
                // Carried back on each result, so that results map to their inputs.
                object_write_trace_id: Some(index.to_string()),
                properties: input.properties,
            })
        });
        self.run_batches(
            Operation::BatchCreate,
            prepared.collect(),
            None,
            |inputs| async move {
                let body = types::BatchInputSimplePublicObjectBatchInputForCreate { inputs };
                let answer = self
                    .execute(Operation::BatchCreate, |raw| {
                        raw.objects
                            .batch_create_objects()
                            .object_type(COMMUNICATIONS)
                            .body(body.clone())
                            .send()
                    })
                    .await?;
                Ok(ChunkAnswer {
                    results: answer.results,
                    errors: answer.errors,
                })
            },
            |chunk, result: &types::SimplePublicObject| {
                let index = result.object_write_trace_id.as_deref()?.parse().ok()?;
                chunk.binary_search(&index).is_ok().then_some(index)
            },
        )
        .await
    }

    /// Reads any number of messages by id (or by the unique property the options name)
    /// through `batch/read`.
    pub async fn read_batch(
        &self,
        ids: &[String],
        options: &BatchReadOptions,
    ) -> BatchOutcome<Message> {
        let prepared = ids.iter().map(|id| {
            crate::messages::check_id(id).map(|()| types::SimplePublicObjectId { id: id.clone() })
        });
        self.run_batches(
            Operation::BatchRead,
            prepared.collect(),
            Some(ids),
            |inputs| async move {
                let body = types::BatchReadInputSimplePublicObjectId {
                    id_property: options.id_property.clone(),
                    inputs,
                    properties: options.properties.clone(),
                    properties_with_history: options.properties_with_history.clone(),
                };
                let answer = self
                    .execute(Operation::BatchRead, |raw| {
                        raw.objects
                            .batch_read_objects()
                            .object_type(COMMUNICATIONS)
                            .archived(options.archived)
                            .body(body.clone())
                            .send()
                    })
                    .await?;
                Ok(ChunkAnswer {
                    results: answer.results,
                    errors: answer.errors,
                })
            },
            |chunk, result: &types::SimplePublicObject| position(ids, chunk, &result.id),
        )
        .await
    }

    /// Updates any number of messages through `batch/update`.
    pub async fn update_batch(&self, updates: &[(String, MessageUpdate)]) -> BatchOutcome<Message> {
        let ids: Vec<String> = updates.iter().map(|(id, _)| id.clone()).collect();
        let prepared = updates.iter().map(|(id, update)| {
            crate::messages::check_id(id)?;
            Ok(types::SimplePublicObjectBatchInput {
                id: id.clone(),
                id_property: None,
                object_write_trace_id: None,
                properties: update.to_properties()?,
            })
        });
        self.run_batches(
            Operation::BatchUpdate,
            prepared.collect(),
            Some(&ids),
            |inputs| async move {
                let body = types::BatchInputSimplePublicObjectBatchInput { inputs };
                let answer = self
                    .execute(Operation::BatchUpdate, |raw| {
                        raw.objects
                            .batch_update_objects()
                            .object_type(COMMUNICATIONS)
                            .body(body.clone())
                            .send()
                    })
                    .await?;
                Ok(ChunkAnswer {
                    results: answer.results,
                    errors: answer.errors,
                })
            },
            |chunk, result: &types::SimplePublicObject| position(&ids, chunk, &result.id),
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
        let prepared = messages.iter().map(|(key, message)| {
            crate::messages::check_id(key)?;
            let mut properties = message.to_properties(now)?;
            properties.insert(id_property.to_owned(), key.clone());
            Ok(types::SimplePublicObjectBatchInputUpsert {
                id: key.clone(),
                id_property: Some(id_property.to_owned()),
                object_write_trace_id: None,
                properties,
            })
        });
        self.run_batches(
            Operation::BatchUpsert,
            prepared.collect(),
            Some(&keys),
            |inputs| async move {
                let body = types::BatchInputSimplePublicObjectBatchInputUpsert { inputs };
                let answer = self
                    .execute(Operation::BatchUpsert, |raw| {
                        raw.objects
                            .batch_upsert_objects()
                            .object_type(COMMUNICATIONS)
                            .body(body.clone())
                            .send()
                    })
                    .await?;
                Ok(ChunkAnswer {
                    results: answer.results,
                    errors: answer.errors,
                })
            },
            |chunk, result: &types::SimplePublicUpsertObject| {
                let key = result.properties.get(id_property).cloned().flatten()?;
                position(&keys, chunk, &key)
            },
        )
        .await
    }

    /// Archives any number of messages by id through `batch/archive`.
    pub async fn archive_batch(&self, ids: &[String]) -> BatchOutcome<String> {
        let prepared = ids.iter().map(|id| {
            crate::messages::check_id(id).map(|()| types::SimplePublicObjectId { id: id.clone() })
        });
        self.run_batches(
            Operation::BatchArchive,
            prepared.collect(),
            Some(ids),
            |inputs| async move {
                let archived: Vec<String> = inputs.iter().map(|input| input.id.clone()).collect();
                let body = types::BatchInputSimplePublicObjectId { inputs };
                self.execute(Operation::BatchArchive, |raw| {
                    raw.objects
                        .batch_archive_objects()
                        .object_type(COMMUNICATIONS)
                        .body(body.clone())
                        .send()
                })
                .await?;
                // A 204 has no body: every id of the request was archived.
                Ok(ChunkAnswer {
                    results: archived,
                    errors: Vec::new(),
                })
            },
            |chunk, id: &String| position(ids, chunk, id),
        )
        .await
    }

    /// [`Client::run_chunks`] of HubSpot's usual 100 inputs a request.
    async fn run_batches<I, R, M, S, Fut, L>(
        &self,
        operation: Operation,
        prepared: Vec<Result<I, Error>>,
        keys: Option<&[String]>,
        send: S,
        locate: L,
    ) -> BatchOutcome<M>
    where
        R: Into<M>,
        S: Fn(Vec<I>) -> Fut,
        Fut: std::future::Future<Output = Result<ChunkAnswer<R>, Error>>,
        L: Fn(&Chunk, &R) -> Option<usize>,
    {
        self.run_chunks(
            operation,
            prepared,
            MAX_BATCH_SIZE,
            Named::Keys(keys),
            send,
            locate,
        )
        .await
    }

    /// Accounts for every input: one refused before sending fails alone with its reason; the
    /// valid ones go out `size` per request, `batch_concurrency` requests at a time, and each
    /// answer is matched back to its inputs with `locate` and the errors' context (`named`).
    pub(crate) async fn run_chunks<I, R, M, S, Fut, L>(
        &self,
        operation: Operation,
        prepared: Vec<Result<I, Error>>,
        size: usize,
        named: Named<'_>,
        send: S,
        locate: L,
    ) -> BatchOutcome<M>
    where
        R: Into<M>,
        S: Fn(Vec<I>) -> Fut,
        Fut: std::future::Future<Output = Result<ChunkAnswer<R>, Error>>,
        L: Fn(&Chunk, &R) -> Option<usize>,
    {
        let mut total = BatchOutcome::new();
        let mut valid = Vec::with_capacity(prepared.len());
        for (index, input) in prepared.into_iter().enumerate() {
            match input {
                Ok(input) => valid.push((index, input)),
                Err(error) => total.failed.push(BatchFailure {
                    inputs: vec![index],
                    error: BatchError::Request(Arc::new(error)),
                }),
            }
        }
        let mut requests = Vec::new();
        while !valid.is_empty() {
            let rest = valid.split_off(valid.len().min(size));
            let (indexes, inputs): (Vec<usize>, Vec<I>) =
                std::mem::replace(&mut valid, rest).into_iter().unzip();
            requests.push((indexes, inputs));
        }
        let (send, locate) = (&send, &locate);
        let outcomes = stream::iter(requests)
            .map(|(indexes, inputs)| async move {
                let answer = send(inputs).await;
                settle(operation, &indexes, named, answer, locate)
            })
            .buffer_unordered(self.inner.batch_concurrency)
            .collect::<Vec<_>>()
            .await;
        outcomes.into_iter().for_each(|o| total.merge(o));
        total
    }
}

/// Accounts for every input of one request.
fn settle<R: Into<M>, M>(
    operation: Operation,
    chunk: &Chunk,
    named: Named<'_>,
    answer: Result<ChunkAnswer<R>, Error>,
    locate: impl Fn(&Chunk, &R) -> Option<usize>,
) -> BatchOutcome<M> {
    let mut outcome = BatchOutcome::new();
    let answer = match answer {
        Ok(answer) => answer,
        Err(error) => {
            outcome.failed.push(BatchFailure {
                inputs: chunk.to_vec(),
                error: BatchError::Request(Arc::new(error)),
            });
            return outcome;
        }
    };
    let mut unaccounted: std::collections::BTreeSet<usize> = chunk.iter().copied().collect();
    let all_matched_by_order = answer.errors.is_empty() && answer.results.len() == chunk.len();
    for (position, result) in answer.results.into_iter().enumerate() {
        let input =
            locate(chunk, &result).or_else(|| all_matched_by_order.then(|| chunk[position]));
        if let Some(index) = input {
            unaccounted.remove(&index);
        }
        outcome.succeeded.push(BatchSuccess {
            input,
            value: result.into(),
        });
    }
    for error in answer.errors {
        let inputs = error_inputs(chunk, named, &error);
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
    // Only HubSpot's own error refuses an input. One that neither a matched result nor an
    // error accounts for may be among the unmatched results, or nowhere: its fate is unknown.
    if !unaccounted.is_empty() {
        outcome.failed.push(BatchFailure {
            inputs: unaccounted.into_iter().collect(),
            error: BatchError::Request(Arc::new(InvalidResponse::error(
                operation,
                None,
                ResponseProblem::Unaccounted,
            ))),
        });
    }
    outcome
}

/// The inputs a per-item error names: by trace id (creates), by id, or by pair in its context.
fn error_inputs(chunk: &Chunk, named: Named<'_>, error: &types::StandardError) -> Vec<usize> {
    let context = |name: &str| error.context.get(name).into_iter().flatten();
    let keys = match named {
        Named::Keys(keys) => keys,
        Named::Pairs(pairs) => return pair_inputs(chunk, pairs, error),
    };
    let by_trace = context("objectWriteTraceId")
        .filter_map(|id| id.parse::<usize>().ok())
        .filter(|index| chunk.binary_search(index).is_ok());
    let by_id = keys
        .into_iter()
        .flat_map(|keys| context("ids").filter_map(|id| position(keys, chunk, id)));
    let mut inputs: Vec<usize> = by_trace.chain(by_id).collect();
    inputs.sort_unstable();
    inputs.dedup();
    inputs
}

/// The inputs of this chunk whose pair the error names: every pair from a `fromObjectId` it
/// lists, to one of its `toObjectId`s when it lists any.
fn pair_inputs(
    chunk: &Chunk,
    pairs: &[(String, String)],
    error: &types::StandardError,
) -> Vec<usize> {
    let listed = |name: &str| error.context.get(name).filter(|ids| !ids.is_empty());
    let Some(from) = listed("fromObjectId") else {
        return Vec::new();
    };
    let to = listed("toObjectId");
    chunk
        .iter()
        .copied()
        .filter(|index| {
            let (pair_from, pair_to) = &pairs[*index];
            from.contains(pair_from) && to.is_none_or(|to| to.contains(pair_to))
        })
        .collect()
}

/// The input of this chunk whose key is `key`.
fn position(keys: &[String], chunk: &Chunk, key: &str) -> Option<usize> {
    chunk.iter().copied().find(|index| keys[*index] == key)
}
