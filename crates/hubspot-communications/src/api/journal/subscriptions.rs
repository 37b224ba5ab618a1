//! What is journaled: an app's subscriptions, their filters, and snapshots.

use hubspot_communications_raw::types;

use crate::client::Client;
use crate::error::Error;
use crate::journal::{
    JournalSubscription, ObjectSubscription, SnapshotRequest, SnapshotStarted, SnapshotStatus,
    StoredFilter, SubscriptionFilter,
};
use crate::operation::Operation;

fn to_i64(what: &str, value: u64) -> Result<i64, Error> {
    i64::try_from(value).map_err(|_| Error::InvalidInput(format!("{what} {value} is too large")))
}

impl Client {
    /// The app's journal subscriptions (the client authenticates as the app:
    /// [`Client::app`]).
    pub async fn journal_subscriptions(&self) -> Result<Vec<JournalSubscription>, Error> {
        let answer = self
            .execute(Operation::ListJournalSubscriptions, |raw| {
                raw.webhooks_journal.list_journal_subscriptions().send()
            })
            .await?;
        Ok(answer.results.into_iter().map(Into::into).collect())
    }

    /// Creates a journal subscription, or updates HubSpot's subscription of the same account
    /// and object type: from now on, the changes it names are journaled.
    pub async fn subscribe_journal(
        &self,
        subscription: &ObjectSubscription,
    ) -> Result<JournalSubscription, Error> {
        let body = subscription.to_raw()?;
        let answer = self
            .execute(Operation::UpsertJournalSubscription, |raw| {
                raw.webhooks_journal
                    .upsert_journal_subscription()
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(answer.into())
    }

    /// Deletes a journal subscription: its changes are no longer journaled (entries already
    /// journaled stay).
    pub async fn delete_journal_subscription(&self, subscription_id: u64) -> Result<(), Error> {
        let id = to_i64("subscription id", subscription_id)?;
        self.execute(Operation::DeleteJournalSubscription, |raw| {
            raw.webhooks_journal
                .delete_journal_subscription()
                .subscription_id(id)
                .send()
        })
        .await
    }

    /// Adds a filter to a subscription: its changes are journaled only for objects that meet
    /// every condition. Returns the filter's id.
    pub async fn add_subscription_filter(
        &self,
        subscription_id: u64,
        filter: &SubscriptionFilter,
    ) -> Result<u64, Error> {
        if filter.conditions.is_empty() {
            return Err(Error::InvalidInput(
                "a subscription filter needs at least one condition".into(),
            ));
        }
        let body = types::FilterCreateRequest {
            filter: filter.to_raw(),
            subscription_id: to_i64("subscription id", subscription_id)?,
        };
        let answer = self
            .execute(Operation::CreateSubscriptionFilter, |raw| {
                raw.webhooks_journal
                    .create_subscription_filter()
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(u64::try_from(answer.filter_id).unwrap_or_default())
    }

    /// A subscription's filters.
    pub async fn subscription_filters(
        &self,
        subscription_id: u64,
    ) -> Result<Vec<StoredFilter>, Error> {
        let id = to_i64("subscription id", subscription_id)?;
        let answer = self
            .execute(Operation::ListSubscriptionFilters, |raw| {
                raw.webhooks_journal
                    .list_subscription_filters()
                    .subscription_id(id)
                    .send()
            })
            .await?;
        Ok(answer.into_iter().map(Into::into).collect())
    }

    /// Deletes a subscription's filter.
    pub async fn delete_subscription_filter(&self, filter_id: u64) -> Result<(), Error> {
        let id = to_i64("filter id", filter_id)?;
        self.execute(Operation::DeleteSubscriptionFilter, |raw| {
            raw.webhooks_journal
                .delete_subscription_filter()
                .filter_id(id)
                .send()
        })
        .await
    }

    /// Asks for snapshots of objects: each object's current state is journaled as an event
    /// with the action [`JournalAction::Snapshot`](crate::journal::JournalAction::Snapshot),
    /// the way to start a local copy before reading the journal on.
    pub async fn snapshot_objects(
        &self,
        objects: &[SnapshotRequest],
    ) -> Result<Vec<SnapshotStarted>, Error> {
        if objects.is_empty() {
            return Ok(Vec::new());
        }
        let body = types::CrmObjectSnapshotBatchRequest {
            snapshot_requests: objects
                .iter()
                .map(SnapshotRequest::to_raw)
                .collect::<Result<_, _>>()?,
        };
        let answer = self
            .execute(Operation::CreateSnapshots, |raw| {
                raw.webhooks_journal
                    .create_crm_snapshots()
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(answer
            .snapshot_responses
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// A snapshot's status.
    pub async fn snapshot_status(&self, status_id: &str) -> Result<SnapshotStatus, Error> {
        let answer = self
            .execute(Operation::GetSnapshotStatus, |raw| {
                raw.webhooks_journal
                    .get_snapshot_status()
                    .status_id(status_id)
                    .send()
            })
            .await?;
        Ok(answer.into())
    }
}
