//! Reading, creating and archiving the CRM records messages are logged on.

mod pin;

use std::collections::BTreeMap;

use hubspot_communications_raw::types;

use crate::client::Client;
use crate::error::Error;
use crate::model::{
    BatchOutcome, BatchReadOptions, MAX_BATCH_SIZE, ObjectType, Record, RecordProperties, check_id,
    object_id,
};
use crate::operation::Operation;
use crate::request::{Batch, Named, position};

impl Client {
    /// Creates a CRM record (a contact, company, deal or ticket) with the given properties and
    /// returns its id: handy for examples and tests.
    pub async fn create_record(
        &self,
        object_type: ObjectType,
        properties: BTreeMap<String, String>,
    ) -> Result<Record, Error> {
        object_type.check()?;
        let body = types::SimplePublicObjectInputForCreate {
            associations: Vec::new(),
            properties,
        };
        let created = self
            .execute(Operation::CreateObject, |raw| {
                raw.objects
                    .create_object()
                    .object_type(object_type.as_str())
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(Record::new(object_type, created.id))
    }

    /// Reads a record's properties (e.g. `hs_pinned_engagement_id`).
    pub async fn get_record(
        &self,
        record: &Record,
        properties: &[&str],
    ) -> Result<BTreeMap<String, Option<String>>, Error> {
        record.check()?;
        let names: Vec<String> = properties.iter().map(|p| (*p).to_owned()).collect();
        let found = self
            .execute(Operation::GetObject, |raw| {
                raw.objects
                    .get_object()
                    .object_type(record.object_type.as_str())
                    .object_id(record.id.as_str())
                    .properties(names.clone())
                    .send()
            })
            .await?;
        Ok(found.properties)
    }

    /// Reads any number of CRM records of one type by id (contacts' phone numbers, say)
    /// through the batch read: 100 a request, `batch_concurrency` at a time. The outcome
    /// accounts for every id: a record HubSpot does not find fails with its
    /// `OBJECT_NOT_FOUND`.
    ///
    /// ```no_run
    /// use hubspot_communications::{Client, ObjectType};
    ///
    /// # async fn run(client: Client) {
    /// let ids = vec!["1234".to_owned(), "5678".to_owned()];
    /// let read = client.read_records(&ObjectType::Contact, &ids, &["phone", "mobilephone"]).await;
    /// for contact in read.succeeded {
    ///     println!("{}: {:?}", contact.value.id, contact.value.property("phone"));
    /// }
    /// # }
    /// ```
    pub async fn read_records(
        &self,
        object_type: &ObjectType,
        ids: &[String],
        properties: &[&str],
    ) -> BatchOutcome<RecordProperties> {
        if let Err(error) = object_type.check() {
            return BatchOutcome::refused(ids.len(), error);
        }
        let options = BatchReadOptions::new().properties(properties.iter().copied());
        self.batch_read(
            Operation::BatchReadObjects,
            object_type.as_str(),
            ids,
            &options,
        )
        .await
    }

    /// The batch read of records of any type (messages too) by id, or by the unique property
    /// the options name.
    pub(crate) async fn batch_read<M: From<types::SimplePublicObject>>(
        &self,
        operation: Operation,
        object_type: &str,
        ids: &[String],
        options: &BatchReadOptions,
    ) -> BatchOutcome<M> {
        let prepared = ids.iter().map(|id| check_id(id).map(|()| object_id(id)));
        let body = |inputs| types::BatchReadInputSimplePublicObjectId {
            id_property: options.id_property.clone(),
            inputs,
            properties: options.properties.clone(),
            properties_with_history: options.properties_with_history.clone(),
        };
        let batch = Batch {
            operation,
            size: MAX_BATCH_SIZE,
            named: Named::Keys(Some(ids)),
        };
        self.run_batch(
            batch,
            prepared.collect(),
            |raw, inputs| {
                let read = raw.objects.batch_read_objects().archived(options.archived);
                read.object_type(object_type).body(body(inputs)).send()
            },
            |chunk, result| (position(ids, chunk, &result.id), M::from(result)),
        )
        .await
    }

    /// Moves a record to the recycle bin.
    pub async fn archive_record(&self, record: &Record) -> Result<(), Error> {
        record.check()?;
        self.execute(Operation::ArchiveObject, |raw| {
            raw.objects
                .archive_object()
                .object_type(record.object_type.as_str())
                .object_id(record.id.as_str())
                .send()
        })
        .await
    }
}
