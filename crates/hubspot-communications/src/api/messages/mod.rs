//! Creating, reading, listing, updating and archiving messages.

mod batch;
mod bulk;
mod gather;

pub(crate) use bulk::ASSOCIATION_LINGER;
pub use bulk::{LogOutcome, Logged};

use crate::client::Client;
use crate::error::Error;
use crate::model::FromRaw;
use crate::model::Page;
use crate::model::{
    COMMUNICATIONS, ListOptions, MAX_LIST_PAGE_SIZE, Message, MessageUpdate, NewMessage,
    ReadOptions, check_id, check_name,
};
use crate::operation::Operation;
use crate::request::Paged;

impl Client {
    /// Logs a message (the guide's "Create a WhatsApp, LinkedIn, or SMS message"), with its
    /// associations, and returns it as HubSpot stored it.
    ///
    /// A create is not retried when HubSpot may have acted on it (see [`Error::is_fate_unknown`]).
    pub async fn create(&self, message: &NewMessage) -> Result<Message, Error> {
        let body = message.to_input(chrono::Utc::now())?;
        let created = self
            .create_object(Operation::CreateCommunication, COMMUNICATIONS, body)
            .await?;
        Ok(Message::from_raw(created))
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
    /// `idProperty`). Every call that addresses messages by a unique property takes it first:
    /// this one, [`Client::read_batch_by`] and [`Client::upsert_batch`].
    pub async fn get_by(
        &self,
        id_property: &str,
        value: &str,
        options: &ReadOptions,
    ) -> Result<Message, Error> {
        check_name(id_property)?;
        self.read(value, Some(id_property), options).await
    }

    async fn read(
        &self,
        id: &str,
        id_property: Option<&str>,
        options: &ReadOptions,
    ) -> Result<Message, Error> {
        let operation = Operation::GetCommunication;
        let found = self
            .read_object(operation, COMMUNICATIONS, id, id_property, options)
            .await?;
        Ok(Message::from_raw(found))
    }

    /// Sets and clears properties of a message; returns the message after the change.
    pub async fn update(&self, id: &str, update: &MessageUpdate) -> Result<Message, Error> {
        // The id is judged before the update, as before the objects API was shared.
        check_id(id)?;
        let properties = update.to_properties()?;
        let updated = self
            .update_object(
                Operation::UpdateCommunication,
                COMMUNICATIONS,
                id,
                properties,
            )
            .await?;
        Ok(Message::from_raw(updated))
    }

    /// Moves a message to the recycle bin (the guide's "Delete messages"); it can be restored
    /// from the record's timeline.
    pub async fn archive(&self, id: &str) -> Result<(), Error> {
        self.archive_object(Operation::ArchiveCommunication, COMMUNICATIONS, id)
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
        let page = self
            .list_objects(
                Operation::ListCommunications,
                COMMUNICATIONS,
                options,
                after,
            )
            .await?;
        Ok(page.map(Message::from_raw))
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
