//! Associating many existing messages with records at once, and reading many records'
//! associations: the association batch create and read, up to 1,000 pairs or ids a request.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use futures::{StreamExt, stream};
use hubspot_communications_raw::types;

use crate::client::Client;
use crate::error::{Error, InvalidResponse, ResponseProblem};
use crate::model::FromRaw;
use crate::model::{
    AssociatedRecord, AssociationInput, BatchError, BatchFailure, BatchOutcome, BatchSuccess,
    COMMUNICATIONS, ObjectType, check_id,
};
use crate::operation::Operation;
use crate::request::{Batch, Named};

/// The most pairs one association batch request carries (HubSpot's limit for the association
/// batch endpoints).
pub const MAX_ASSOCIATION_BATCH_SIZE: usize = 1_000;

impl Client {
    /// Associates any number of existing messages with records, each input with all of its
    /// association's types, through the association batch create: up to
    /// [`MAX_ASSOCIATION_BATCH_SIZE`] pairs a request, one request per object type of the
    /// records. Creating an association that exists changes nothing, so the requests are
    /// retried like any idempotent write.
    ///
    /// The outcome accounts for every input, by its index in `inputs`; a pair HubSpot refused
    /// (a record that does not exist, say) fails alone with HubSpot's error.
    pub async fn associate_batch(&self, inputs: &[AssociationInput]) -> BatchOutcome<()> {
        let pairs = inputs;
        let mut total = BatchOutcome::empty();
        // One endpoint per object type of the records: group the inputs by it, in order.
        let mut groups: Vec<(&ObjectType, Vec<usize>)> = Vec::new();
        for (index, input) in pairs.iter().enumerate() {
            let object_type = &input.association.to.object_type;
            match groups.iter_mut().find(|(ty, _)| *ty == object_type) {
                Some((_, indexes)) => indexes.push(index),
                None => groups.push((object_type, vec![index])),
            }
        }
        for (object_type, indexes) in groups {
            let group: Vec<&AssociationInput> = indexes.iter().map(|i| &pairs[*i]).collect();
            let outcome = self.associate_group(object_type, &group).await;
            // Back from the group's positions to the caller's indexes.
            total
                .succeeded
                .extend(outcome.succeeded.into_iter().map(|s| BatchSuccess {
                    input: s.input.map(|i| indexes[i]),
                    value: (),
                }));
            total
                .failed
                .extend(outcome.failed.into_iter().map(|f| BatchFailure {
                    inputs: f.inputs.into_iter().map(|i| indexes[i]).collect(),
                    error: f.error,
                }));
        }
        total
    }

    /// The records of type `to` that each of `ids` (records of type `from`) is associated
    /// with, through the association batch read: up to [`MAX_ASSOCIATION_BATCH_SIZE`] ids a
    /// request, `batch_concurrency` requests at a time, and each id's further pages (HubSpot
    /// pages a record's associations) read until its last. The outcome accounts for every
    /// input by its index in `ids`, as every batch call's does: an id with no associations of
    /// that type succeeds with an empty list (HubSpot answers it with a per-item error, which
    /// means nothing more); a request that failed fails the ids it carried; an id given twice
    /// is read once and answered at both indexes.
    ///
    /// Messages are [`ObjectType::Communication`]: the records of many messages are
    /// `read_associations(ObjectType::Communication, &ids, ObjectType::Contact)`, the
    /// messages of many contacts `read_associations(ObjectType::Contact, &ids,
    /// ObjectType::Communication)`.
    ///
    /// ```no_run
    /// use hubspot_communications::{Client, ObjectType};
    ///
    /// # async fn run(client: Client, ids: Vec<String>) {
    /// let contacts = client
    ///     .read_associations(ObjectType::Communication, &ids, ObjectType::Contact)
    ///     .await;
    /// for read in &contacts.succeeded {
    ///     let message = read.input.map(|index| &ids[index]);
    ///     println!("{message:?}: {:?}", read.value.iter().map(|r| &r.id).collect::<Vec<_>>());
    /// }
    /// # }
    /// ```
    pub async fn read_associations(
        &self,
        from: ObjectType,
        ids: &[String],
        to: ObjectType,
    ) -> BatchOutcome<Vec<AssociatedRecord>> {
        if let Err(error) = from.check().and_then(|()| to.check()) {
            return BatchOutcome::refused(ids.len(), error);
        }
        let mut outcome = BatchOutcome::empty();
        // Each distinct valid id once, with every index it stands at.
        let mut at: HashMap<&str, Vec<usize>> = HashMap::with_capacity(ids.len());
        let mut distinct = Vec::with_capacity(ids.len());
        for (index, id) in ids.iter().enumerate() {
            if let Err(error) = check_id(id) {
                outcome.failed.push(BatchFailure {
                    inputs: vec![index],
                    error: BatchError::Request(Arc::new(error)),
                });
                continue;
            }
            let indexes = at.entry(id.as_str()).or_default();
            if indexes.is_empty() {
                distinct.push(id.clone());
            }
            indexes.push(index);
        }
        let chunks: Vec<Vec<String>> = distinct
            .chunks(MAX_ASSOCIATION_BATCH_SIZE)
            .map(<[String]>::to_vec)
            .collect();
        let (from, to) = (&from, &to);
        let mut answers = stream::iter(chunks)
            .map(|chunk| async move {
                let answer = self.read_association_chunk(from, chunk.clone(), to).await;
                (chunk, answer)
            })
            .buffer_unordered(self.inner.batch_concurrency);
        while let Some((chunk, answer)) = answers.next().await {
            match answer {
                Ok(mut found) => {
                    for id in &chunk {
                        let records = found.remove(id).unwrap_or_default();
                        for &index in &at[id.as_str()] {
                            outcome.succeeded.push(BatchSuccess {
                                input: Some(index),
                                value: records.clone(),
                            });
                        }
                    }
                }
                Err(error) => outcome.failed.push(BatchFailure {
                    inputs: chunk
                        .iter()
                        .flat_map(|id| at[id.as_str()].clone())
                        .collect(),
                    error: BatchError::Request(Arc::new(error)),
                }),
            }
        }
        outcome
    }

    /// One chunk of [`Client::read_associations`], with the further pages of its ids.
    async fn read_association_chunk(
        &self,
        from: &ObjectType,
        ids: Vec<String>,
        to: &ObjectType,
    ) -> Result<HashMap<String, Vec<AssociatedRecord>>, Error> {
        let mut found: HashMap<String, Vec<AssociatedRecord>> =
            ids.iter().map(|id| (id.clone(), Vec::new())).collect();
        // The ids still to read, each with its cursor (none for the first page).
        let mut pending: Vec<types::PublicFetchAssociationsBatchRequest> = ids
            .into_iter()
            .map(|id| types::PublicFetchAssociationsBatchRequest { after: None, id })
            .collect();
        let mut cursors = HashSet::new();
        while !pending.is_empty() {
            let body = types::BatchInputPublicFetchAssociationsBatchRequest {
                inputs: std::mem::take(&mut pending),
            };
            let answer = self
                .execute(Operation::BatchReadAssociations, |raw| {
                    raw.association_batches
                        .batch_read_associations()
                        .from_object_type(from.as_str())
                        .to_object_type(to.as_str())
                        .body(body.clone())
                        .send()
                })
                .await?;
            for result in answer.results {
                let Some(records) = found.get_mut(&result.from.id) else {
                    // Not an id that was asked for.
                    continue;
                };
                records.extend(result.to.into_iter().map(AssociatedRecord::from_raw));
                if let Some(next) = result.paging.and_then(|p| p.next) {
                    if !cursors.insert((result.from.id.clone(), next.after.clone())) {
                        return Err(InvalidResponse::error(
                            Operation::BatchReadAssociations,
                            None,
                            ResponseProblem::RepeatedCursor(next.after),
                        ));
                    }
                    pending.push(types::PublicFetchAssociationsBatchRequest {
                        after: Some(next.after),
                        id: result.from.id,
                    });
                }
            }
        }
        Ok(found)
    }

    /// The pairs whose records are all of `object_type`.
    async fn associate_group(
        &self,
        object_type: &ObjectType,
        pairs: &[&AssociationInput],
    ) -> BatchOutcome<()> {
        let ends: Vec<(String, String)> = pairs
            .iter()
            .map(|input| (input.message_id.clone(), input.association.to.id.clone()))
            .collect();
        let prepared = pairs.iter().map(|input| {
            check_id(&input.message_id)?;
            input.association.check()?;
            Ok(input.association.to_pair(&input.message_id))
        });
        let body = |inputs| types::BatchInputPublicAssociationMultiPost { inputs };
        let batch = Batch {
            operation: Operation::BatchCreateAssociations,
            size: MAX_ASSOCIATION_BATCH_SIZE,
            named: Named::Pairs(&ends),
        };
        self.run_batch(
            batch,
            prepared.collect(),
            |raw, inputs| {
                let create = raw.association_batches.batch_create_associations();
                let create = create.from_object_type(COMMUNICATIONS);
                create
                    .to_object_type(object_type.as_str())
                    .body(body(inputs))
                    .send()
            },
            |chunk, result: types::LabelsBetweenObjectPair| {
                let input = chunk.iter().copied().find(|index| {
                    let (from, to) = &ends[*index];
                    *from == result.from_object_id && *to == result.to_object_id
                });
                (input, ())
            },
        )
        .await
    }
}
