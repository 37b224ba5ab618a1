//! Associating many existing messages with records at once: the association batch create,
//! up to 1,000 pairs a request.

use hubspot_communications_raw::types;

use crate::association::{Association, AssociationType};
use crate::batch::{BatchFailure, BatchOutcome, BatchSuccess, Chunk, ChunkAnswer, Named};
use crate::client::{COMMUNICATIONS, Client};
use crate::messages::check_id;
use crate::operation::Operation;
use crate::record::ObjectType;

/// The most pairs one association batch request carries (HubSpot's limit for the association
/// batch endpoints).
pub const MAX_ASSOCIATION_BATCH_SIZE: usize = 1_000;

impl Client {
    /// Associates any number of existing messages with records, each `(message id,
    /// association)` with all of the association's types, through the association batch
    /// create: up to [`MAX_ASSOCIATION_BATCH_SIZE`] pairs a request, one request per object
    /// type of the records. Creating an association that exists changes nothing, so the
    /// requests are retried like any idempotent write.
    ///
    /// The outcome accounts for every input, by its index in `pairs`; a pair HubSpot refused
    /// (a record that does not exist, say) fails alone with HubSpot's error.
    pub async fn associate_batch(&self, pairs: &[(String, Association)]) -> BatchOutcome<()> {
        let mut total = BatchOutcome {
            succeeded: Vec::new(),
            failed: Vec::new(),
        };
        // One endpoint per object type of the records: group the inputs by it, in order.
        let mut groups: Vec<(&ObjectType, Vec<usize>)> = Vec::new();
        for (index, (_, association)) in pairs.iter().enumerate() {
            let object_type = &association.to.object_type;
            match groups.iter_mut().find(|(ty, _)| *ty == object_type) {
                Some((_, indexes)) => indexes.push(index),
                None => groups.push((object_type, vec![index])),
            }
        }
        for (object_type, indexes) in groups {
            let group: Vec<&(String, Association)> = indexes.iter().map(|i| &pairs[*i]).collect();
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

    /// The pairs whose records are all of `object_type`.
    async fn associate_group(
        &self,
        object_type: &ObjectType,
        pairs: &[&(String, Association)],
    ) -> BatchOutcome<types::LabelsBetweenObjectPair> {
        let ends: Vec<(String, String)> = pairs
            .iter()
            .map(|(message, association)| (message.clone(), association.to.id.clone()))
            .collect();
        let prepared = pairs.iter().map(|(message_id, association)| {
            check_id(message_id)?;
            association.check()?;
            Ok(types::PublicAssociationMultiPost {
                from: types::PublicObjectId {
                    id: message_id.clone(),
                },
                to: types::PublicObjectId {
                    id: association.to.id.clone(),
                },
                types: association
                    .types
                    .iter()
                    .map(AssociationType::to_spec)
                    .collect(),
            })
        });
        self.run_chunks(
            Operation::BatchCreateAssociations,
            prepared.collect(),
            MAX_ASSOCIATION_BATCH_SIZE,
            Named::Pairs(&ends),
            |inputs| async move {
                let body = types::BatchInputPublicAssociationMultiPost { inputs };
                let answer = self
                    .execute(Operation::BatchCreateAssociations, |raw| {
                        raw.association_batches
                            .batch_create_associations()
                            .from_object_type(COMMUNICATIONS)
                            .to_object_type(object_type.as_str())
                            .body(body.clone())
                            .send()
                    })
                    .await?;
                Ok(ChunkAnswer {
                    results: answer.results,
                    errors: answer.errors,
                })
            },
            |chunk: &Chunk, result: &types::LabelsBetweenObjectPair| {
                chunk.iter().copied().find(|index| {
                    let (from, to) = &ends[*index];
                    *from == result.from_object_id && *to == result.to_object_id
                })
            },
        )
        .await
    }
}
