//! Associating existing messages with records, removing associations, and listing them.

use futures::TryStreamExt;

use crate::association::{AssociatedRecord, Association, AssociationType};
use crate::client::{COMMUNICATIONS, Client};
use crate::error::Error;
use crate::messages::check_id;
use crate::operation::Operation;
use crate::paging::{Page, Paged};
use crate::record::{ObjectType, Record};

impl Client {
    /// Associates an existing message with a record, with each of the association's types (the
    /// guide's "Associate an existing message with a record":
    /// `PUT /crm/v3/objects/communications/{id}/associations/{toObjectType}/{toObjectId}/{type}`).
    pub async fn associate(
        &self,
        message_id: &str,
        association: &Association,
    ) -> Result<(), Error> {
        check_id(message_id)?;
        association.check()?;
        for association_type in &association.types {
            self.execute(Operation::Associate, |raw| {
                raw.objects
                    .associate_communication()
                    .communication_id(message_id)
                    .to_object_type(association.to.object_type.as_str())
                    .to_object_id(association.to.id.as_str())
                    .association_type_id(association_type.id.to_string())
                    .send()
            })
            .await?;
        }
        Ok(())
    }

    /// Removes the association's types between a message and a record (the guide's "Remove an
    /// association": `DELETE` on the same path as [`Client::associate`]).
    pub async fn remove_association(
        &self,
        message_id: &str,
        association: &Association,
    ) -> Result<(), Error> {
        check_id(message_id)?;
        association.check()?;
        for association_type in &association.types {
            self.execute(Operation::RemoveAssociation, |raw| {
                raw.objects
                    .remove_communication_association()
                    .communication_id(message_id)
                    .to_object_type(association.to.object_type.as_str())
                    .to_object_id(association.to.id.as_str())
                    .association_type_id(association_type.id.to_string())
                    .send()
            })
            .await?;
        }
        Ok(())
    }

    /// Associates a message with a record with labels and types in one call (associations
    /// v4); returns the labels the pair then has.
    pub async fn associate_labelled(
        &self,
        message_id: &str,
        association: &Association,
    ) -> Result<Vec<String>, Error> {
        check_id(message_id)?;
        association.check()?;
        let specs: Vec<_> = association
            .types
            .iter()
            .map(AssociationType::to_spec)
            .collect();
        let labels = self
            .execute(Operation::CreateAssociation, |raw| {
                raw.record_associations
                    .create_association()
                    .object_type(COMMUNICATIONS)
                    .object_id(message_id)
                    .to_object_type(association.to.object_type.as_str())
                    .to_object_id(association.to.id.as_str())
                    .body(specs.clone())
                    .send()
            })
            .await?;
        Ok(labels.labels)
    }

    /// Associates a message with a record with HubSpot's default type (associations v4).
    pub async fn associate_default(&self, message_id: &str, record: &Record) -> Result<(), Error> {
        check_id(message_id)?;
        record.check()?;
        self.execute(Operation::CreateDefaultAssociation, |raw| {
            raw.record_associations
                .create_default_association()
                .from_object_type(COMMUNICATIONS)
                .from_object_id(message_id)
                .to_object_type(record.object_type.as_str())
                .to_object_id(record.id.as_str())
                .send()
        })
        .await?;
        Ok(())
    }

    /// Removes every association between a message and a record, whatever its types (associations
    /// v4).
    pub async fn remove_all_associations(
        &self,
        message_id: &str,
        record: &Record,
    ) -> Result<(), Error> {
        check_id(message_id)?;
        record.check()?;
        self.execute(Operation::ArchiveAssociations, |raw| {
            raw.record_associations
                .archive_associations()
                .object_type(COMMUNICATIONS)
                .object_id(message_id)
                .to_object_type(record.object_type.as_str())
                .to_object_id(record.id.as_str())
                .send()
        })
        .await
    }

    /// One page of the records of a type a message is associated with, with their labels.
    pub async fn associations_page(
        &self,
        message_id: &str,
        object_type: &ObjectType,
        after: Option<&str>,
    ) -> Result<Page<AssociatedRecord>, Error> {
        check_id(message_id)?;
        object_type.check()?;
        let page = self
            .execute(Operation::ListAssociations, |raw| {
                let mut request = raw
                    .record_associations
                    .list_associations()
                    .object_type(COMMUNICATIONS)
                    .object_id(message_id)
                    .to_object_type(object_type.as_str())
                    .limit(500);
                if let Some(after) = after {
                    request = request.after(after);
                }
                request.send()
            })
            .await?;
        Ok(Page {
            items: page
                .results
                .into_iter()
                .map(AssociatedRecord::from)
                .collect(),
            next: page.paging.and_then(|p| p.next).map(|next| next.after),
        })
    }

    /// Every record of a type a message is associated with, paging by itself.
    pub fn associations(
        &self,
        message_id: &str,
        object_type: ObjectType,
    ) -> Paged<AssociatedRecord> {
        let client = self.clone();
        let message_id = message_id.to_owned();
        Paged::new(Operation::ListAssociations, move |after| {
            let (client, message_id, object_type) =
                (client.clone(), message_id.clone(), object_type.clone());
            async move {
                client
                    .associations_page(&message_id, &object_type, after.as_deref())
                    .await
            }
        })
    }

    /// Whether a message is associated with a record.
    pub async fn is_associated(&self, message_id: &str, record: &Record) -> Result<bool, Error> {
        let mut associated = self.associations(message_id, record.object_type.clone());
        while let Some(found) = associated.try_next().await? {
            if found.id == record.id {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
