//! Reading, creating and archiving the CRM records messages are logged on.

use std::collections::BTreeMap;

use hubspot_communications_raw::types;

use crate::batch::{BatchOutcome, MAX_BATCH_SIZE, Named};
use crate::client::Client;
use crate::error::Error;
use crate::operation::Operation;
use crate::record::{ObjectType, Record};

/// A CRM record's properties, as a batch read returns them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RecordProperties {
    /// The record's id.
    pub id: String,
    /// The properties asked for, `None` where HubSpot answered `null` (unset).
    pub properties: BTreeMap<String, Option<String>>,
}

impl RecordProperties {
    /// A property's value, if returned and set.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.get(name)?.as_deref()
    }
}

impl From<types::SimplePublicObject> for RecordProperties {
    fn from(object: types::SimplePublicObject) -> Self {
        Self {
            id: object.id,
            properties: object.properties,
        }
    }
}

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
        let names: Vec<String> = properties.iter().map(|p| (*p).to_owned()).collect();
        let prepared = ids.iter().map(|id| {
            object_type.check()?;
            crate::messages::check_id(id).map(|()| types::SimplePublicObjectId { id: id.clone() })
        });
        self.run_chunks(
            Operation::BatchReadObjects,
            prepared.collect(),
            MAX_BATCH_SIZE,
            Named::Keys(Some(ids)),
            |inputs| {
                let names = names.clone();
                async move {
                    let body = types::BatchReadInputSimplePublicObjectId {
                        id_property: None,
                        inputs,
                        properties: names,
                        properties_with_history: Vec::new(),
                    };
                    let answer = self
                        .execute(Operation::BatchReadObjects, |raw| {
                            raw.objects
                                .batch_read_objects()
                                .object_type(object_type.as_str())
                                .archived(false)
                                .body(body.clone())
                                .send()
                        })
                        .await?;
                    Ok(crate::batch::ChunkAnswer {
                        results: answer.results,
                        errors: answer.errors,
                    })
                }
            },
            |chunk, result: &types::SimplePublicObject| {
                chunk.iter().copied().find(|index| ids[*index] == result.id)
            },
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
