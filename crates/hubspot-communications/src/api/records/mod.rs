//! Reading, creating and archiving the CRM records messages are logged on.

mod pin;

use std::collections::BTreeMap;

use hubspot_communications_raw::types;

use crate::client::Client;
use crate::error::Error;
use crate::model::{
    BatchOutcome, BatchReadOptions, ObjectType, ReadOptions, Record, RecordProperties,
};
use crate::operation::Operation;

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
            .create_object(Operation::CreateObject, object_type.as_str(), body)
            .await?;
        Ok(Record::new(object_type, created.id))
    }

    /// Reads a record's properties (e.g. `hs_pinned_engagement_id`), as
    /// [`read_records`](Self::read_records) reads many.
    pub async fn get_record(
        &self,
        record: &Record,
        properties: &[&str],
    ) -> Result<RecordProperties, Error> {
        record.check()?;
        let options = ReadOptions::new().properties(properties.iter().copied());
        let (object_type, id) = (record.object_type.as_str(), record.id.as_str());
        let found = self
            .read_object(Operation::GetObject, object_type, id, None, &options)
            .await?;
        Ok(RecordProperties::new(found.id, found.properties))
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
    /// let read = client.read_records(ObjectType::Contact, &ids, &["phone", "mobilephone"]).await;
    /// for contact in read.succeeded {
    ///     println!("{}: {:?}", contact.value.id, contact.value.property("phone"));
    /// }
    /// # }
    /// ```
    pub async fn read_records(
        &self,
        object_type: ObjectType,
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

    /// Moves a record to the recycle bin.
    pub async fn archive_record(&self, record: &Record) -> Result<(), Error> {
        record.check()?;
        let (object_type, id) = (record.object_type.as_str(), record.id.as_str());
        self.archive_object(Operation::ArchiveObject, object_type, id)
            .await
    }
}
