//! The one batch runner: any number of inputs, refused alone when they cannot be sent, split
//! into requests of HubSpot's size, sent `batch_concurrency` at a time through the request
//! path, and settled into one outcome that accounts for every input.
//!
//! Each batch call of the facade is data for it: a [`Batch`] (which operation, how many inputs
//! a request, how HubSpot's errors name inputs), its prepared inputs, the raw request, and
//! how a result finds its input.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;

use futures::{StreamExt, stream};
use hubspot_communications_raw::types;

use super::RawResult;
use crate::client::{Client, RawClients};
use crate::error::{Error, ErrorCategory, InvalidResponse, ResponseProblem};
use crate::model::{BatchError, BatchFailure, BatchOutcome, BatchSuccess};
use crate::operation::Operation;

/// One batch call, as data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Batch<'a> {
    /// The call each request is.
    pub(crate) operation: Operation,
    /// The most inputs one request carries.
    pub(crate) size: usize,
    /// How HubSpot's per-item errors name the inputs they concern.
    pub(crate) named: Named<'a>,
}

/// How HubSpot's per-item errors name the inputs they concern.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Named<'a> {
    /// By trace id (creates), or by the input's key (`ids` in the error's context): the
    /// caller's keys, by index.
    Keys(Option<&'a [String]>),
    /// By the ends of a pair (`fromObjectId`, and `toObjectId` when given): association batches.
    Pairs(&'a [(String, String)]),
}

/// The indexes (in the caller's list) of the inputs one request carries, ascending.
pub(crate) type Chunk = [usize];

/// A batch endpoint's answer, as results and HubSpot's per-item errors.
pub(crate) trait BatchAnswer<I> {
    /// One result.
    type Result;
    /// The results and errors of the request that sent `sent`.
    fn into_parts(self, sent: Vec<I>) -> (Vec<Self::Result>, Vec<types::StandardError>);
}

/// The answers that list results and errors.
macro_rules! listed_answers {
    ($($answer:ident => $result:ident),* $(,)?) => {$(
        impl<I> BatchAnswer<I> for types::$answer {
            type Result = types::$result;
            fn into_parts(self, _: Vec<I>) -> (Vec<Self::Result>, Vec<types::StandardError>) {
                (self.results, self.errors)
            }
        }
    )*};
}

listed_answers! {
    BatchResponseSimplePublicObjectWithErrors => SimplePublicObject,
    BatchResponseSimplePublicUpsertObjectWithErrors => SimplePublicUpsertObject,
    BatchResponseLabelsBetweenObjectPairWithErrors => LabelsBetweenObjectPair,
}

/// A 204 has no body: every input of the request was done, and is its own result.
impl<I> BatchAnswer<I> for () {
    type Result = I;
    fn into_parts(self, sent: Vec<I>) -> (Vec<I>, Vec<types::StandardError>) {
        (sent, Vec::new())
    }
}

impl Client {
    /// Accounts for every input: one refused before sending fails alone with its reason; the
    /// valid ones go out `batch.size` per request (`send` builds and sends one), and each
    /// answer's results find their inputs with `found` (which also makes the outcome's value)
    /// and its errors with `batch.named`.
    pub(crate) async fn run_batch<'a, I, A, M, S, Fut>(
        &'a self,
        batch: Batch<'_>,
        prepared: Vec<Result<I, Error>>,
        send: S,
        found: impl Fn(&Chunk, A::Result) -> (Option<usize>, M),
    ) -> BatchOutcome<M>
    where
        I: Clone,
        A: BatchAnswer<I>,
        S: Fn(&'a RawClients, Vec<I>) -> Fut,
        Fut: Future<Output = RawResult<A>>,
    {
        let mut total = BatchOutcome::empty();
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
            let rest = valid.split_off(valid.len().min(batch.size));
            let (indexes, inputs): (Vec<usize>, Vec<I>) =
                std::mem::replace(&mut valid, rest).into_iter().unzip();
            requests.push((indexes, inputs));
        }
        let (send, found) = (&send, &found);
        let outcomes = stream::iter(requests)
            .map(|(indexes, inputs)| async move {
                let answer = self
                    .execute(batch.operation, |raw| send(raw, inputs.clone()))
                    .await
                    .map(|answer| answer.into_parts(inputs));
                settle(batch, &indexes, answer, found)
            })
            .buffer_unordered(self.inner.batch_concurrency)
            .collect::<Vec<_>>()
            .await;
        outcomes.into_iter().for_each(|o| total.merge(o));
        total
    }
}

/// The results and per-item errors of one request.
type Parts<R> = (Vec<R>, Vec<types::StandardError>);

/// Accounts for every input of one request.
fn settle<R, M>(
    batch: Batch<'_>,
    chunk: &Chunk,
    answer: Result<Parts<R>, Error>,
    found: impl Fn(&Chunk, R) -> (Option<usize>, M),
) -> BatchOutcome<M> {
    let mut outcome = BatchOutcome::empty();
    let (results, errors) = match answer {
        Ok(parts) => parts,
        Err(error) => {
            outcome.failed.push(BatchFailure {
                inputs: chunk.to_vec(),
                error: BatchError::Request(Arc::new(error)),
            });
            return outcome;
        }
    };
    let mut unaccounted: BTreeSet<usize> = chunk.iter().copied().collect();
    let all_matched_by_order = errors.is_empty() && results.len() == chunk.len();
    for (position, result) in results.into_iter().enumerate() {
        let (input, value) = found(chunk, result);
        let input = input.or_else(|| all_matched_by_order.then(|| chunk[position]));
        if let Some(index) = input {
            unaccounted.remove(&index);
        }
        outcome.succeeded.push(BatchSuccess { input, value });
    }
    for error in errors {
        let inputs = error_inputs(chunk, batch.named, &error);
        inputs.iter().for_each(|index| {
            unaccounted.remove(index);
        });
        outcome.failed.push(BatchFailure {
            inputs,
            error: BatchError::Item {
                category: error.category.map(ErrorCategory::from),
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
                batch.operation,
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
    let by_trace = context("objectWriteTraceId").filter_map(|id| traced(chunk, Some(id)));
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
pub(crate) fn position(keys: &[String], chunk: &Chunk, key: &str) -> Option<usize> {
    chunk.iter().copied().find(|index| keys[*index] == key)
}

/// The input of this chunk a create's trace id (its index, sent as `objectWriteTraceId`) names.
pub(crate) fn traced(chunk: &Chunk, trace: Option<&str>) -> Option<usize> {
    let index = trace?.parse().ok()?;
    chunk.binary_search(&index).is_ok().then_some(index)
}
