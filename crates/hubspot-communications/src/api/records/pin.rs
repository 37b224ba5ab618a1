//! Pinning a message on a record's timeline.

use std::collections::BTreeMap;

use crate::client::Client;
use crate::error::Error;
use crate::model::{Record, check_id, property};
use crate::operation::Operation;

impl Client {
    /// Pins a message at the top of a record's timeline (the guide's "Pin a message on a
    /// record"). A record has one pinned activity; pinning replaces it.
    ///
    /// HubSpot requires the message to be associated with the record first; this checks, and
    /// answers [`Error::NotAssociated`] instead of HubSpot's less helpful refusal.
    pub async fn pin(&self, message_id: &str, record: &Record) -> Result<(), Error> {
        check_id(message_id)?;
        record.check()?;
        if !self.is_associated(message_id, record).await? {
            return Err(Error::NotAssociated {
                message_id: message_id.to_owned(),
                object_type: record.object_type.clone(),
                record_id: record.id.clone(),
            });
        }
        self.set_pinned(record, message_id).await
    }

    /// Unpins a message from a record's timeline, as [`Client::pin`] pinned it: if the record
    /// pins this message, it pins nothing after; if it pins another activity (someone pinned
    /// theirs since), that one stays. Answers whether the message was pinned and is no longer.
    ///
    /// HubSpot has no conditional update: the pin is read, then cleared. A pin someone makes
    /// between the two is cleared with it; the window is one request long.
    pub async fn unpin(&self, message_id: &str, record: &Record) -> Result<bool, Error> {
        check_id(message_id)?;
        record.check()?;
        let read = self
            .get_record(record, &[property::PINNED_ENGAGEMENT_ID])
            .await?;
        if read.property(property::PINNED_ENGAGEMENT_ID) != Some(message_id) {
            return Ok(false);
        }
        self.set_pinned(record, "").await?;
        Ok(true)
    }

    async fn set_pinned(&self, record: &Record, value: &str) -> Result<(), Error> {
        let pinned =
            BTreeMap::from([(property::PINNED_ENGAGEMENT_ID.to_owned(), value.to_owned())]);
        let (object_type, id) = (record.object_type.as_str(), record.id.as_str());
        self.update_object(Operation::UpdateObject, object_type, id, pinned)
            .await?;
        Ok(())
    }
}
