//! What is journaled: subscriptions, their filters, and snapshots.

use chrono::{DateTime, Utc};
use hubspot_communications_raw::types;

use super::event::JournalAction;
use crate::error::Error;
use crate::model::ObjectType;

/// HubSpot's object type id of an object type (`0-18` for messages); another type's name as
/// given (a custom object's `2-…`).
pub(crate) fn type_id(object_type: &ObjectType) -> String {
    match object_type {
        ObjectType::Contact => "0-1".into(),
        ObjectType::Company => "0-2".into(),
        ObjectType::Deal => "0-3".into(),
        ObjectType::Ticket => "0-5".into(),
        ObjectType::Communication => "0-18".into(),
        other => other.as_str().to_owned(),
    }
}

fn to_i64(what: &str, value: u64) -> Result<i64, Error> {
    i64::try_from(value).map_err(|_| Error::InvalidInput(format!("{what} {value} is too large")))
}

/// An object subscription of one account: which changes of one object type are journaled (the
/// actions), and for updates which properties are watched. Give it to
/// [`Client::subscribe_journal`](crate::Client::subscribe_journal).
///
/// ```
/// use hubspot_communications::ObjectType;
/// use hubspot_communications::journal::{JournalAction, ObjectSubscription};
///
/// let messages = ObjectSubscription::new(62515, ObjectType::Communication)
///     .actions([JournalAction::Create, JournalAction::Update, JournalAction::Delete])
///     .actions([JournalAction::AssociationAdded, JournalAction::AssociationRemoved])
///     .properties(["hs_communication_channel_type", "hs_timestamp"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectSubscription {
    account_id: u64,
    object_type: ObjectType,
    actions: Vec<JournalAction>,
    properties: Vec<String>,
    object_ids: Vec<u64>,
}

impl ObjectSubscription {
    /// A subscription to objects of `object_type` in the account `account_id` (HubSpot's
    /// portal id), with no action yet.
    pub fn new(account_id: u64, object_type: ObjectType) -> Self {
        Self {
            account_id,
            object_type,
            actions: Vec::new(),
            properties: Vec::new(),
            object_ids: Vec::new(),
        }
    }

    /// Journals this action too.
    #[must_use]
    pub fn action(mut self, action: JournalAction) -> Self {
        if !self.actions.contains(&action) {
            self.actions.push(action);
        }
        self
    }

    /// Journals these actions too.
    #[must_use]
    pub fn actions(self, actions: impl IntoIterator<Item = JournalAction>) -> Self {
        actions.into_iter().fold(self, Self::action)
    }

    /// The properties whose changes are journaled (`UPDATE`), and whose values a creation's
    /// event carries.
    #[must_use]
    pub fn properties(mut self, names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.properties.extend(names.into_iter().map(Into::into));
        self
    }

    /// Only these objects (none: every object of the type).
    #[must_use]
    pub fn object_ids(mut self, ids: impl IntoIterator<Item = u64>) -> Self {
        self.object_ids.extend(ids);
        self
    }

    /// The raw request.
    pub(crate) fn to_raw(&self) -> Result<types::SubscriptionUpsertRequest, Error> {
        if self.actions.is_empty() {
            return Err(Error::InvalidInput(
                "a journal subscription needs at least one action".into(),
            ));
        }
        let object_ids = self
            .object_ids
            .iter()
            .map(|&id| to_i64("object id", id))
            .collect::<Result<_, _>>()?;
        Ok(types::ObjectSubscriptionUpsertRequest {
            actions: self.actions.iter().map(ToString::to_string).collect(),
            object_ids,
            object_type_id: type_id(&self.object_type),
            portal_id: to_i64("account id", self.account_id)?,
            properties: self.properties.clone(),
            subscription_type: types::ObjectSubscriptionUpsertRequestSubscriptionType::Object,
        }
        .into())
    }
}

/// A journal subscription, as HubSpot keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JournalSubscription {
    /// Its id (an event's `subscriptionId`).
    pub id: u64,
    /// `OBJECT`, `ASSOCIATION`, … as HubSpot names it.
    pub subscription_type: String,
    /// The object type id watched (`0-18`).
    pub object_type_id: String,
    /// The actions journaled.
    pub actions: Vec<JournalAction>,
    /// The properties watched.
    pub properties: Vec<String>,
    /// The objects watched (none: all).
    pub object_ids: Vec<u64>,
    /// The account, if the subscription is one account's.
    pub account_id: Option<u64>,
    /// When it was created.
    pub created_at: Option<DateTime<Utc>>,
    /// When it was last changed.
    pub updated_at: Option<DateTime<Utc>>,
}

impl JournalSubscription {
    /// A subscription (for a stand-in of the client in your tests).
    pub fn new(id: u64, object_type_id: impl Into<String>) -> Self {
        Self {
            id,
            subscription_type: "OBJECT".into(),
            object_type_id: object_type_id.into(),
            actions: Vec::new(),
            properties: Vec::new(),
            object_ids: Vec::new(),
            account_id: None,
            created_at: None,
            updated_at: None,
        }
    }

    /// The object type watched, if this client knows it.
    pub fn object_type(&self) -> Option<ObjectType> {
        self.object_type_id
            .parse::<ObjectType>()
            .ok()
            .filter(|kind| !matches!(kind, ObjectType::Other(_)))
    }
}

impl From<types::SubscriptionResponse> for JournalSubscription {
    fn from(raw: types::SubscriptionResponse) -> Self {
        Self {
            id: u64::try_from(raw.id).unwrap_or_default(),
            subscription_type: raw.subscription_type,
            object_type_id: raw.object_type_id,
            actions: raw.actions.into_iter().map(JournalAction::from).collect(),
            properties: raw.properties,
            object_ids: raw
                .object_ids
                .into_iter()
                .filter_map(|id| u64::try_from(id).ok())
                .collect(),
            account_id: raw.portal_id.and_then(|id| u64::try_from(id).ok()),
            created_at: Some(raw.created_at.into()),
            updated_at: Some(raw.updated_at.into()),
        }
    }
}

hubspot_communications_raw::open_enum! {
    unknown = crate::model::UnknownValue;
    /// How a filter's condition compares a property's value.
    #[cfg_attr(
        feature = "serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(into = "String", from = "String")
    )]
    pub enum ConditionOperator {
        /// Equal to the value.
        Eq = "EQ",
        /// Not equal to the value.
        NotEq = "N_EQ",
        /// Less than the value.
        Lt = "LT",
        /// Greater than the value.
        Gt = "GT",
        /// At most the value.
        Lte = "LTE",
        /// At least the value.
        Gte = "GTE",
        /// Contains the value.
        Contains = "CONTAINS",
        /// Starts with the value.
        StartsWith = "STARTS_WITH",
        /// Ends with the value.
        EndsWith = "ENDS_WITH",
        /// One of the values.
        In = "IN",
        /// None of the values.
        NotIn = "NOT_IN",
        /// Has no value.
        IsEmpty = "IS_EMPTY",
        /// Has a value.
        IsNotEmpty = "IS_NOT_EMPTY",
    }
}

/// One condition on an object's property (HubSpot's `CRM_OBJECT_PROPERTY` filter type).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FilterCondition {
    /// The property compared.
    pub property: String,
    /// How.
    pub operator: ConditionOperator,
    /// The value compared with (most operators).
    pub value: Option<String>,
    /// The values compared with (`IN`, `NOT_IN`).
    pub values: Vec<String>,
}

impl FilterCondition {
    /// A condition with no value (`IS_EMPTY`, `IS_NOT_EMPTY`); add one with
    /// [`value`](Self::value) or [`values`](Self::values).
    pub fn new(property: impl Into<String>, operator: ConditionOperator) -> Self {
        Self {
            property: property.into(),
            operator,
            value: None,
            values: Vec::new(),
        }
    }

    /// `property` equal to `value`.
    pub fn eq(property: impl Into<String>, value: impl Into<String>) -> Self {
        Self::new(property, ConditionOperator::Eq).value(value)
    }

    /// `property` one of `values`.
    pub fn one_of(
        property: impl Into<String>,
        values: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self::new(property, ConditionOperator::In).values(values)
    }

    /// The value compared with.
    #[must_use]
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }

    /// The values compared with.
    #[must_use]
    pub fn values(mut self, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.values = values.into_iter().map(Into::into).collect();
        self
    }
}

/// A subscription's filter: an event is journaled only if its object meets every condition.
///
/// ```
/// use hubspot_communications::journal::{FilterCondition, SubscriptionFilter};
///
/// let sms_only = SubscriptionFilter::new()
///     .condition(FilterCondition::eq("hs_communication_channel_type", "SMS"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SubscriptionFilter {
    /// The conditions, all of which must hold.
    pub conditions: Vec<FilterCondition>,
}

impl SubscriptionFilter {
    /// A filter with no condition yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a condition.
    #[must_use]
    pub fn condition(mut self, condition: FilterCondition) -> Self {
        self.conditions.push(condition);
        self
    }

    pub(crate) fn to_raw(&self) -> types::SubscriptionFilter {
        types::SubscriptionFilter {
            conditions: self
                .conditions
                .iter()
                .map(|c| types::Condition {
                    filter_type: "CRM_OBJECT_PROPERTY".into(),
                    operator: c.operator.to_string(),
                    property: c.property.clone(),
                    value: c.value.clone(),
                    values: c.values.clone(),
                })
                .collect(),
        }
    }
}

impl From<types::SubscriptionFilter> for SubscriptionFilter {
    fn from(raw: types::SubscriptionFilter) -> Self {
        Self {
            conditions: raw
                .conditions
                .into_iter()
                .map(|c| FilterCondition {
                    property: c.property,
                    operator: ConditionOperator::from(c.operator),
                    value: c.value,
                    values: c.values,
                })
                .collect(),
        }
    }
}

/// A filter as HubSpot keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredFilter {
    /// Its id.
    pub id: u64,
    /// When it was created, Unix milliseconds.
    pub created_at: Option<u64>,
    /// Its conditions.
    pub filter: SubscriptionFilter,
}

impl StoredFilter {
    /// A stored filter (for a stand-in of the client in your tests).
    pub fn new(id: u64, filter: SubscriptionFilter) -> Self {
        Self {
            id,
            created_at: None,
            filter,
        }
    }
}

impl From<types::FilterResponse> for StoredFilter {
    fn from(raw: types::FilterResponse) -> Self {
        Self {
            id: u64::try_from(raw.id).unwrap_or_default(),
            created_at: u64::try_from(raw.created_at).ok(),
            filter: raw.filter.into(),
        }
    }
}

/// An object whose current state a snapshot puts in the journal (an event with the action
/// [`JournalAction::Snapshot`]), with the properties to include.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRequest {
    account_id: u64,
    object_type: ObjectType,
    object_id: u64,
    properties: Vec<String>,
}

impl SnapshotRequest {
    /// A snapshot of one object of the account `account_id`.
    pub fn new(account_id: u64, object_type: ObjectType, object_id: u64) -> Self {
        Self {
            account_id,
            object_type,
            object_id,
            properties: Vec::new(),
        }
    }

    /// The properties the snapshot holds.
    #[must_use]
    pub fn properties(mut self, names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.properties.extend(names.into_iter().map(Into::into));
        self
    }

    pub(crate) fn to_raw(&self) -> Result<types::CrmObjectSnapshotRequest, Error> {
        Ok(types::CrmObjectSnapshotRequest {
            object_id: to_i64("object id", self.object_id)?,
            object_type_id: type_id(&self.object_type),
            portal_id: to_i64("account id", self.account_id)?,
            properties: self.properties.clone(),
        })
    }
}

/// A snapshot HubSpot accepted: its status id, to follow with
/// [`Client::snapshot_status`](crate::Client::snapshot_status).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SnapshotStarted {
    /// The account.
    pub account_id: u64,
    /// The object type id.
    pub object_type_id: String,
    /// The object.
    pub object_id: u64,
    /// The snapshot's status id.
    pub status_id: String,
}

impl SnapshotStarted {
    /// A started snapshot (for a stand-in of the client in your tests).
    pub fn new(
        account_id: u64,
        object_type_id: impl Into<String>,
        object_id: u64,
        status_id: impl Into<String>,
    ) -> Self {
        Self {
            account_id,
            object_type_id: object_type_id.into(),
            object_id,
            status_id: status_id.into(),
        }
    }
}

impl From<types::CrmObjectSnapshotResponse> for SnapshotStarted {
    fn from(raw: types::CrmObjectSnapshotResponse) -> Self {
        Self {
            account_id: u64::try_from(raw.portal_id).unwrap_or_default(),
            object_type_id: raw.object_type_id,
            object_id: u64::try_from(raw.object_id).unwrap_or_default(),
            status_id: raw.snapshot_status_id,
        }
    }
}

hubspot_communications_raw::open_enum! {
    unknown = crate::model::UnknownValue;
    /// Where a snapshot is. HubSpot's spec names both `SUCCESS` and `COMPLETED` for a snapshot
    /// done: both read as [`SnapshotState::Done`].
    #[cfg_attr(
        feature = "serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(into = "String", from = "String")
    )]
    pub enum SnapshotState {
        /// Not started.
        Pending = "PENDING",
        /// Being taken.
        InProgress = "IN_PROGRESS",
        /// In the journal.
        Done = "SUCCESS" | "COMPLETED",
        /// Failed (see the status's error code and message).
        Failed = "FAILED",
        /// Expired.
        Expired = "EXPIRED",
    }
}

/// A snapshot's status.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SnapshotStatus {
    /// The status id.
    pub id: String,
    /// Where the snapshot is.
    pub state: SnapshotState,
    /// When it was asked for, Unix milliseconds.
    pub initiated_at: Option<u64>,
    /// When it was done, Unix milliseconds.
    pub completed_at: Option<u64>,
    /// Why it failed (`TIMEOUT`, `VALIDATION_ERROR`, …).
    pub error_code: Option<String>,
    /// HubSpot's message.
    pub message: Option<String>,
}

impl SnapshotStatus {
    /// A status (for a stand-in of the client in your tests).
    pub fn new(id: impl Into<String>, state: SnapshotState) -> Self {
        Self {
            id: id.into(),
            state,
            initiated_at: None,
            completed_at: None,
            error_code: None,
            message: None,
        }
    }
}

impl From<types::SnapshotStatusResponse> for SnapshotStatus {
    fn from(raw: types::SnapshotStatusResponse) -> Self {
        Self {
            id: raw.id,
            state: SnapshotState::from(raw.status),
            initiated_at: u64::try_from(raw.initiated_at).ok(),
            completed_at: raw.completed_at.and_then(|at| u64::try_from(at).ok()),
            error_code: raw.error_code,
            message: raw.message,
        }
    }
}
