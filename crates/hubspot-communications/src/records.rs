//! Reading, creating and archiving the CRM records messages are logged on.

use std::collections::BTreeMap;

use hubspot_communications_raw::types;

use crate::client::Client;
use crate::error::Error;
use crate::operation::Operation;
use crate::record::{ObjectType, Record};

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
