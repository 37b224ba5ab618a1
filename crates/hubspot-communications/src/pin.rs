//! Pinning a message on a record's timeline.

use std::collections::BTreeMap;
use std::pin::pin;

use futures::TryStreamExt;
use hubspot_communications_raw::types;

use crate::client::Client;
use crate::error::Error;
use crate::message::property;
use crate::messages::check_id;
use crate::record::Record;
use crate::request::Operation;

impl Client {
    /// Pins a message at the top of a record's timeline (the guide's "Pin a message on a
    /// record"). A record has one pinned activity; pinning replaces it.
    ///
    /// HubSpot requires the message to be associated with the record first; this checks, and
    /// answers [`Error::NotAssociated`] instead of HubSpot's less helpful refusal.
    pub async fn pin(&self, message_id: &str, record: &Record) -> Result<(), Error> {
        check_id(message_id)?;
        check_id(&record.id)?;
        if !self.is_associated(message_id, record).await? {
            return Err(Error::NotAssociated {
                message_id: message_id.to_owned(),
                object_type: record.object_type.to_string(),
                record_id: record.id.clone(),
            });
        }
        self.set_pinned(record, message_id).await
    }

    /// Unpins whatever activity is pinned on a record.
    pub async fn unpin(&self, record: &Record) -> Result<(), Error> {
        check_id(&record.id)?;
        self.set_pinned(record, "").await
    }

    /// Whether a message is associated with a record.
    pub async fn is_associated(&self, message_id: &str, record: &Record) -> Result<bool, Error> {
        let mut associated = pin!(self.associations(message_id, record.object_type.clone()));
        while let Some(found) = associated.try_next().await? {
            if found.id == record.id {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn set_pinned(&self, record: &Record, value: &str) -> Result<(), Error> {
        let body = types::SimplePublicObjectInput {
            properties: BTreeMap::from([(
                property::PINNED_ENGAGEMENT_ID.to_owned(),
                value.to_owned(),
            )]),
        };
        self.execute(Operation::UpdateObject, |raw| {
            raw.update_object()
                .object_type(record.object_type.as_str())
                .object_id(record.id.as_str())
                .body(body.clone())
                .send()
        })
        .await?;
        Ok(())
    }

    /// Creates a CRM record (a contact, company, deal or ticket) with the given properties and
    /// returns its id: handy for examples and tests.
    pub async fn create_record(
        &self,
        object_type: crate::ObjectType,
        properties: BTreeMap<String, String>,
    ) -> Result<Record, Error> {
        let body = types::SimplePublicObjectInputForCreate {
            associations: Vec::new(),
            properties,
        };
        let created = self
            .execute(Operation::CreateObject, |raw| {
                raw.create_object()
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
        check_id(&record.id)?;
        let names: Vec<String> = properties.iter().map(|p| (*p).to_owned()).collect();
        let found = self
            .execute(Operation::GetObject, |raw| {
                raw.get_object()
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
        check_id(&record.id)?;
        self.execute(Operation::ArchiveObject, |raw| {
            raw.archive_object()
                .object_type(record.object_type.as_str())
                .object_id(record.id.as_str())
                .send()
        })
        .await
    }
}
