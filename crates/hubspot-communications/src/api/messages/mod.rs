//! Creating, reading, listing, updating and archiving messages.

mod batch;
mod bulk;
mod gather;

pub use bulk::{LogOutcome, Logged};

use hubspot_communications_raw::types;

use crate::client::Client;
use crate::error::Error;
use crate::model::{
    COMMUNICATIONS, ListOptions, MAX_LIST_PAGE_SIZE, Message, MessageUpdate, NewMessage,
    ReadOptions, check_id,
};
use crate::operation::Operation;
use crate::request::{Page, Paged};

/// Sets on a get or list request only what the caller chose: HubSpot's defaults need no
/// parameters, and each one costs encoding on every call. (A macro: the two raw builders are
/// different types with the same setters.)
macro_rules! apply_read_options {
    ($request:ident, $options:expr) => {
        if $options.archived {
            $request = $request.archived(true);
        }
        if !$options.properties.is_empty() {
            $request = $request.properties($options.properties.clone());
        }
        if !$options.properties_with_history.is_empty() {
            $request = $request.properties_with_history($options.properties_with_history.clone());
        }
        if !$options.associations.is_empty() {
            $request = $request.associations($options.association_names());
        }
    };
}

impl Client {
    /// Logs a message (the guide's "Create a WhatsApp, LinkedIn, or SMS message"), with its
    /// associations, and returns it as HubSpot stored it.
    ///
    /// A create is not retried when HubSpot may have acted on it (see [`Error::is_fate_unknown`]).
    pub async fn create(&self, message: &NewMessage) -> Result<Message, Error> {
        let body = message.to_input(chrono::Utc::now())?;
        let created = self
            .execute(Operation::CreateCommunication, |raw| {
                raw.objects
                    .create_object()
                    .object_type(COMMUNICATIONS)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(created.into())
    }

    /// Reads a message with HubSpot's default properties.
    pub async fn get(&self, id: &str) -> Result<Message, Error> {
        self.get_with(id, &ReadOptions::new()).await
    }

    /// Reads a message, choosing properties, history, associations and archived.
    pub async fn get_with(&self, id: &str, options: &ReadOptions) -> Result<Message, Error> {
        self.read(id, None, options).await
    }

    /// Reads the message whose unique property `id_property` has the value `value` (HubSpot's
    /// `idProperty`).
    pub async fn get_by(
        &self,
        id_property: &str,
        value: &str,
        options: &ReadOptions,
    ) -> Result<Message, Error> {
        check_id(id_property)?;
        self.read(value, Some(id_property), options).await
    }

    async fn read(
        &self,
        id: &str,
        id_property: Option<&str>,
        options: &ReadOptions,
    ) -> Result<Message, Error> {
        check_id(id)?;
        let found = self
            .execute(Operation::GetCommunication, |raw| {
                let mut request = raw
                    .objects
                    .get_object()
                    .object_type(COMMUNICATIONS)
                    .object_id(id);
                apply_read_options!(request, options);
                if let Some(name) = id_property {
                    request = request.id_property(name);
                }
                request.send()
            })
            .await?;
        Ok(found.into())
    }

    /// Sets and clears properties of a message; returns the message after the change.
    pub async fn update(&self, id: &str, update: &MessageUpdate) -> Result<Message, Error> {
        check_id(id)?;
        let body = types::SimplePublicObjectInput {
            properties: update.to_properties()?,
        };
        let updated = self
            .execute(Operation::UpdateCommunication, |raw| {
                raw.objects
                    .update_object()
                    .object_type(COMMUNICATIONS)
                    .object_id(id)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(updated.into())
    }

    /// Moves a message to the recycle bin (the guide's "Delete messages"); it can be restored
    /// from the record's timeline.
    pub async fn archive(&self, id: &str) -> Result<(), Error> {
        check_id(id)?;
        self.execute(Operation::ArchiveCommunication, |raw| {
            raw.objects
                .archive_object()
                .object_type(COMMUNICATIONS)
                .object_id(id)
                .send()
        })
        .await
    }

    /// One page of messages, from the cursor `after` (`None` for the first page).
    pub async fn list_page(
        &self,
        options: &ListOptions,
        after: Option<&str>,
    ) -> Result<Page<Message>, Error> {
        let limit = options.page_size;
        if limit == 0 || limit > MAX_LIST_PAGE_SIZE {
            return Err(Error::InvalidInput(format!(
                "a list page holds 1 to {MAX_LIST_PAGE_SIZE} messages, not {limit}"
            )));
        }
        let read = &options.read;
        let page = self
            .execute(Operation::ListCommunications, |raw| {
                let mut request = raw
                    .objects
                    .list_objects()
                    .object_type(COMMUNICATIONS)
                    .limit(limit as i32);
                apply_read_options!(request, read);
                if let Some(after) = after {
                    request = request.after(after);
                }
                request.send()
            })
            .await?;
        Ok(Page {
            items: page.results.into_iter().map(Message::from).collect(),
            next: page.paging.and_then(|p| p.next).map(|next| next.after),
        })
    }

    /// Every message, as a stream that fetches the next page when the last one is used up.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use hubspot_communications::{Client, ReadOptions};
    ///
    /// # async fn run(client: Client) -> Result<(), hubspot_communications::Error> {
    /// let mut messages = client.list(ReadOptions::new().properties(["hs_communication_body"]));
    /// while let Some(message) = messages.try_next().await? {
    ///     println!("{}: {:?}", message.id, message.body);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self, options: impl Into<ListOptions>) -> Paged<Message> {
        let client = self.clone();
        let options = options.into();
        Paged::new(Operation::ListCommunications, move |after| {
            let (client, options) = (client.clone(), options.clone());
            async move { client.list_page(&options, after.as_deref()).await }
        })
    }
}
