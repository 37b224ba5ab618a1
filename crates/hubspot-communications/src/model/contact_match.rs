//! What a lookup found for one phone number or e-mail address.

use super::association::Association;

/// What a lookup found for one phone number or e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum ContactMatch {
    /// Exactly one contact holds it: its id.
    Found(String),
    /// No contact held it, and [`Client::find_or_create_contacts_by_phone`](crate::Client::find_or_create_contacts_by_phone) created this one.
    Created(String),
    /// No contact holds it.
    NotFound,
    /// Several contacts hold it (their ids, ascending): reported, never guessed.
    Ambiguous(Vec<String>),
    /// HubSpot refused to read or create the contact for it (a per-item error of a batch).
    Refused {
        /// HubSpot's category, e.g. `VALIDATION_ERROR`.
        category: Option<crate::error::ErrorCategory>,
        /// HubSpot's message.
        message: String,
    },
    /// A new number whose contact another caller is creating now (it holds the number's
    /// claim): only [`Client::try_find_or_create_contacts_by_phone`](crate::Client::try_find_or_create_contacts_by_phone)
    /// answers it, and asking again shortly finds the contact.
    BeingCreated,
}

impl ContactMatch {
    /// The contact's id when exactly one contact is the answer (found or created).
    pub fn contact_id(&self) -> Option<&str> {
        match self {
            Self::Found(id) | Self::Created(id) => Some(id),
            _ => None,
        }
    }

    /// The association of a message with the contact (HubSpot's default type), when exactly
    /// one contact is the answer: `NewMessage::new(..).associate(found.association()?)`.
    pub fn association(&self) -> Option<Association> {
        self.contact_id().map(Association::contact)
    }
}
