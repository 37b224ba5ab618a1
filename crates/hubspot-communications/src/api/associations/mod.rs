//! Associating existing messages with records, removing associations, and listing them.

mod batch;

pub use batch::MAX_ASSOCIATION_BATCH_SIZE;

use std::future::Future;

use futures::TryStreamExt;
use hubspot_communications_raw::types;

use crate::client::{Client, RawClients};
use crate::error::Error;
use crate::model::FromRaw;
use crate::model::{
    AssociatedRecord, Association, AssociationType, COMMUNICATIONS, ObjectType, Page, Record,
    check_id,
};
use crate::operation::Operation;
use crate::request::{Paged, RawResult};

impl Client {
    /// Associates an existing message with a record (the guide's "Associate an existing
    /// message with a record"), with each of the association's types: in v3 the guide's path,
    /// `PUT /crm/v3/objects/communications/{id}/associations/{toObjectType}/{toObjectId}/{type}`,
    /// once per type; in the date versions, which have no such path, one labelled `PUT` with
    /// every type. An association with no type ([`Association::default_to`] a custom object)
    /// asks HubSpot for the pair's default association. Every version reports
    /// [`Operation::Associate`].
    pub async fn associate(
        &self,
        message_id: &str,
        association: &Association,
    ) -> Result<(), Error> {
        check_id(message_id)?;
        association.to.check()?;
        let to = &association.to;
        if association.types.is_empty() {
            return self.associate_by_default(message_id, to).await;
        }
        if !self.has("associate_communication") {
            return self.associate_labelled(message_id, association).await;
        }
        self.each_type(Operation::Associate, association, |raw, type_id| {
            raw.objects
                .associate_communication()
                .communication_id(message_id)
                .to_object_type(to.object_type.as_str())
                .to_object_id(to.id.as_str())
                .association_type_id(type_id)
                .send()
        })
        .await
    }

    /// Removes the association's types between a message and a record, and keeps its others
    /// (the guide's "Remove an association"). In v3 it takes the guide's `DELETE` on the path of
    /// [`Client::associate`]. The date versions have no way to remove one type through the
    /// client's operations: the client reads the pair's types, removes the pair's associations,
    /// and puts back the ones not named (an idempotent `PUT`, retried as the policy allows; if
    /// it still fails, its error says so and the types to put back are the pair's others).
    /// Every step reports [`Operation::RemoveAssociation`].
    pub async fn remove_association(
        &self,
        message_id: &str,
        association: &Association,
    ) -> Result<(), Error> {
        check_id(message_id)?;
        association.check()?;
        if !self.has("remove_communication_association") {
            return self.remove_types(message_id, association).await;
        }
        let to = &association.to;
        self.each_type(Operation::RemoveAssociation, association, |raw, type_id| {
            raw.objects
                .remove_communication_association()
                .communication_id(message_id)
                .to_object_type(to.object_type.as_str())
                .to_object_id(to.id.as_str())
                .association_type_id(type_id)
                .send()
        })
        .await
    }

    /// Sends a request of the guide's v3 path once per type of the association: the path
    /// names one type.
    async fn each_type<'a, T, F, Fut>(
        &'a self,
        operation: Operation,
        association: &Association,
        send: F,
    ) -> Result<(), Error>
    where
        F: Fn(&'a RawClients, String) -> Fut,
        Fut: Future<Output = RawResult<T>>,
    {
        for association_type in &association.types {
            let type_id = association_type.id.to_string();
            self.execute(operation, |raw| send(raw, type_id.clone()))
                .await?;
        }
        Ok(())
    }

    /// [`Client::remove_association`] where the version has no typed `DELETE`.
    async fn remove_types(&self, message_id: &str, association: &Association) -> Result<(), Error> {
        let to = &association.to;
        let operation = Operation::RemoveAssociation;
        let mut current = self.associations_as(operation, message_id, to.object_type.clone());
        let mut kept = Vec::new();
        while let Some(found) = current.try_next().await? {
            if found.id == to.id {
                kept.extend(
                    found
                        .types
                        .into_iter()
                        .map(|t| t.association_type)
                        .filter(|t| !association.types.contains(t)),
                );
            }
        }
        self.remove_pair(operation, message_id, to).await?;
        if !kept.is_empty() {
            self.put_labelled(operation, message_id, &Association::new(to.clone(), kept))
                .await?;
        }
        Ok(())
    }

    /// Associates with every type in one labelled `PUT` (associations v4, the date versions).
    async fn associate_labelled(
        &self,
        message_id: &str,
        association: &Association,
    ) -> Result<(), Error> {
        self.put_labelled(Operation::Associate, message_id, association)
            .await
    }

    async fn put_labelled(
        &self,
        operation: Operation,
        message_id: &str,
        association: &Association,
    ) -> Result<(), Error> {
        let specs: Vec<_> = association
            .types
            .iter()
            .map(AssociationType::to_spec)
            .collect();
        self.execute(operation, |raw| {
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
        Ok(())
    }

    /// HubSpot's default association between a message and a record (associations v4).
    async fn associate_by_default(&self, message_id: &str, record: &Record) -> Result<(), Error> {
        self.execute(Operation::Associate, |raw| {
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
        self.remove_pair(Operation::RemoveAllAssociations, message_id, record)
            .await
    }

    async fn remove_pair(
        &self,
        operation: Operation,
        message_id: &str,
        record: &Record,
    ) -> Result<(), Error> {
        self.execute(operation, |raw| {
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
    /// 2026-09 has no list of one record's associations: there the page comes from the
    /// association batch read, asked for this one message.
    pub async fn associations_page(
        &self,
        message_id: &str,
        object_type: ObjectType,
        after: Option<&str>,
    ) -> Result<Page<AssociatedRecord>, Error> {
        check_id(message_id)?;
        object_type.check()?;
        let operation = Operation::ListAssociations;
        self.associations_page_as(operation, message_id, &object_type, after)
            .await
    }

    /// [`Client::associations_page`], reported as `operation` (the call it is a step of).
    async fn associations_page_as(
        &self,
        operation: Operation,
        message_id: &str,
        object_type: &ObjectType,
        after: Option<&str>,
    ) -> Result<Page<AssociatedRecord>, Error> {
        if !self.has("list_associations") {
            return self
                .associations_page_by_batch(operation, message_id, object_type, after)
                .await;
        }
        let page = self
            .execute(operation, |raw| {
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
                .map(AssociatedRecord::from_raw)
                .collect(),
            next: page.paging.and_then(|p| p.next).map(|next| next.after),
        })
    }

    async fn associations_page_by_batch(
        &self,
        operation: Operation,
        message_id: &str,
        object_type: &ObjectType,
        after: Option<&str>,
    ) -> Result<Page<AssociatedRecord>, Error> {
        let body = types::BatchInputPublicFetchAssociationsBatchRequest {
            inputs: vec![types::PublicFetchAssociationsBatchRequest {
                after: after.map(str::to_owned),
                id: message_id.to_owned(),
            }],
        };
        let answer = self
            .execute(operation, |raw| {
                raw.association_batches
                    .batch_read_associations()
                    .from_object_type(COMMUNICATIONS)
                    .to_object_type(object_type.as_str())
                    .body(body.clone())
                    .send()
            })
            .await?;
        // A message with no associations of that type is one of HubSpot's per-item errors:
        // an empty page, as the list answers.
        let Some(found) = answer
            .results
            .into_iter()
            .find(|result| result.from.id == message_id)
        else {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        };
        Ok(Page {
            items: found
                .to
                .into_iter()
                .map(AssociatedRecord::from_raw)
                .collect(),
            next: found.paging.and_then(|p| p.next).map(|next| next.after),
        })
    }

    /// Every record of a type a message is associated with, paging by itself.
    pub fn associations(
        &self,
        message_id: &str,
        object_type: ObjectType,
    ) -> Paged<AssociatedRecord> {
        self.associations_as(Operation::ListAssociations, message_id, object_type)
    }

    /// [`Client::associations`], reported as `operation` (the call it is a step of).
    fn associations_as(
        &self,
        operation: Operation,
        message_id: &str,
        object_type: ObjectType,
    ) -> Paged<AssociatedRecord> {
        let client = self.clone();
        let message_id = message_id.to_owned();
        Paged::new(operation, move |after| {
            let (client, message_id, object_type) =
                (client.clone(), message_id.clone(), object_type.clone());
            async move {
                check_id(&message_id)?;
                object_type.check()?;
                client
                    .associations_page_as(operation, &message_id, &object_type, after.as_deref())
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
