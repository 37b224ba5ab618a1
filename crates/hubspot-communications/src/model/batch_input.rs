//! The named inputs of the batch calls whose inputs pair an id or key with what to do.

use super::association::Association;
use super::new_message::{MessageUpdate, NewMessage};

/// One input of [`Client::update_batch`](crate::Client::update_batch): a message's id and
/// what to change.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UpdateInput {
    /// The message's id.
    pub id: String,
    /// What to set and clear.
    pub update: MessageUpdate,
}

impl UpdateInput {
    /// The update of the message `id`.
    pub fn new(id: impl Into<String>, update: MessageUpdate) -> Self {
        Self {
            id: id.into(),
            update,
        }
    }
}

/// One input of [`Client::upsert_batch`](crate::Client::upsert_batch) and
/// [`Client::log_all_keyed`](crate::Client::log_all_keyed): a message and its key, the value
/// of the unique property it is upserted by (a provider's message id, say).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UpsertInput {
    /// The value of the unique property that identifies the message.
    pub key: String,
    /// The message.
    pub message: NewMessage,
}

impl UpsertInput {
    /// The message, keyed by `key`.
    pub fn new(key: impl Into<String>, message: NewMessage) -> Self {
        Self {
            key: key.into(),
            message,
        }
    }
}

/// One input of [`Client::associate_batch`](crate::Client::associate_batch): a message and
/// the record to associate it with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AssociationInput {
    /// The message's id.
    pub message_id: String,
    /// The record, with the association's types.
    pub association: Association,
}

impl AssociationInput {
    /// The association of the message `message_id`.
    pub fn new(message_id: impl Into<String>, association: Association) -> Self {
        Self {
            message_id: message_id.into(),
            association,
        }
    }
}
