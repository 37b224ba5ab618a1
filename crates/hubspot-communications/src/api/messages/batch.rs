//! Messages in batches of any size: create, read, update, upsert and archive, each a row of
//! data for the one batch runner (`request::batch`).

use hubspot_communications_raw::types;

use crate::api::objects::batch;
use crate::client::Client;
use crate::model::FromRaw;
use crate::model::{
    BatchOutcome, BatchReadOptions, COMMUNICATIONS, MAX_BATCH_SIZE, Message, NewMessage,
    UpdateInput, UpsertInput, check_id, check_name, object_id,
};
use crate::operation::Operation;
use crate::request::{Batch, Named, position, traced};

/// A batch of messages: HubSpot's 100 a request, per-item errors naming inputs by `keys`.
fn message_batch(operation: Operation, keys: Option<&[String]>) -> Batch<'_> {
    Batch {
        operation,
        size: MAX_BATCH_SIZE,
        named: Named::Keys(keys),
    }
}

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
        self.run_batch(
            message_batch(Operation::BatchCreate, None),
            prepared.collect(),
            |raw, inputs| batch::create(raw, COMMUNICATIONS, inputs),
            |chunk, result| {
                let input = traced(chunk, result.object_write_trace_id.as_deref());
                (input, Message::from_raw(result))
            },
        )
        .await
    }

    /// Reads any number of messages by id through `batch/read`.
    pub async fn read_batch(
        &self,
        ids: &[String],
        options: &BatchReadOptions,
    ) -> BatchOutcome<Message> {
        self.batch_read(Operation::BatchRead, COMMUNICATIONS, ids, options)
            .await
    }

    /// Reads any number of messages by the values of the unique property `id_property`
    /// (HubSpot's `idProperty`) through `batch/read`; the outcome's indexes are those of
    /// `values`.
    pub async fn read_batch_by(
        &self,
        id_property: &str,
        values: &[String],
        options: &BatchReadOptions,
    ) -> BatchOutcome<Message> {
        if let Err(error) = check_name(id_property) {
            return BatchOutcome::refused(values.len(), error);
        }
        let options = BatchReadOptions {
            id_property: Some(id_property.to_owned()),
            ..options.clone()
        };
        self.batch_read(Operation::BatchRead, COMMUNICATIONS, values, &options)
            .await
    }

    /// Updates any number of messages through `batch/update`.
    pub async fn update_batch(&self, updates: &[UpdateInput]) -> BatchOutcome<Message> {
        let ids: Vec<String> = updates.iter().map(|input| input.id.clone()).collect();
        let prepared = updates.iter().map(|UpdateInput { id, update }| {
            check_id(id)?;
            Ok(types::SimplePublicObjectBatchInput {
                id: id.clone(),
                id_property: None,
                object_write_trace_id: None,
                properties: update.to_properties()?,
            })
        });
        self.run_batch(
            message_batch(Operation::BatchUpdate, Some(&ids)),
            prepared.collect(),
            |raw, inputs| batch::update(raw, COMMUNICATIONS, inputs),
            |chunk, result| (position(&ids, chunk, &result.id), Message::from_raw(result)),
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
        messages: &[UpsertInput],
    ) -> BatchOutcome<Message> {
        let now = chrono::Utc::now();
        let keys: Vec<String> = messages.iter().map(|input| input.key.clone()).collect();
        let prepared = messages.iter().map(|UpsertInput { key, message }| {
            check_id(key)?;
            let mut properties = message.to_properties(now)?;
            properties.insert(id_property.to_owned(), key.clone());
            Ok(types::SimplePublicObjectBatchInputUpsert {
                id: key.clone(),
                id_property: Some(id_property.to_owned()),
                object_write_trace_id: None,
                properties,
            })
        });
        self.run_batch(
            message_batch(Operation::BatchUpsert, Some(&keys)),
            prepared.collect(),
            |raw, inputs| batch::upsert(raw, COMMUNICATIONS, inputs),
            |chunk, result| {
                let key = result.properties.get(id_property).cloned().flatten();
                let input = key.and_then(|key| position(&keys, chunk, &key));
                (input, Message::from_raw(result))
            },
        )
        .await
    }

    /// Archives any number of messages by id through `batch/archive`.
    pub async fn archive_batch(&self, ids: &[String]) -> BatchOutcome<String> {
        let prepared = ids.iter().map(|id| check_id(id).map(|()| object_id(id)));
        self.run_batch(
            message_batch(Operation::BatchArchive, Some(ids)),
            prepared.collect(),
            |raw, inputs| batch::archive(raw, COMMUNICATIONS, inputs),
            // A 204 answers every id it was sent.
            |chunk, archived: types::SimplePublicObjectId| {
                (position(ids, chunk, &archived.id), archived.id)
            },
        )
        .await
    }
}
