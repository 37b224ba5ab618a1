//! Creating, reading, listing, updating and archiving messages.

use futures::{Stream, StreamExt, TryStreamExt, stream};
use hubspot_communications_raw::types;

use crate::client::Client;
use crate::error::Error;
use crate::message::Message;
use crate::new_message::{MessageUpdate, NewMessage};
use crate::record::ObjectType;
use crate::request::Operation;

/// HubSpot's largest page of a list.
pub const MAX_LIST_PAGE_SIZE: u32 = 100;

/// What a read returns: which properties, with or without history, which associations, and
/// whether to read archived messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct ReadOptions {
    pub(crate) properties: Vec<String>,
    pub(crate) properties_with_history: Vec<String>,
    associations: Vec<ObjectType>,
    pub(crate) archived: bool,
    pub(crate) id_property: Option<String>,
    page_size: Option<u32>,
}

impl ReadOptions {
    /// HubSpot's defaults: the default properties, no associations, live messages.
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns these properties (unset ones come back as `None`) instead of the defaults.
    pub fn properties<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.properties.extend(names.into_iter().map(Into::into));
        self
    }

    /// Returns these properties with their past values.
    pub fn properties_with_history<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        names: I,
    ) -> Self {
        self.properties_with_history
            .extend(names.into_iter().map(Into::into));
        self
    }

    /// Returns the ids of the associated records of this type.
    pub fn associations(mut self, object_type: ObjectType) -> Self {
        self.associations.push(object_type);
        self
    }

    /// Reads archived (recycle-bin) messages instead of live ones.
    pub fn archived(mut self, archived: bool) -> Self {
        self.archived = archived;
        self
    }

    /// On a get: the id is the value of this unique property, not HubSpot's id.
    pub fn id_property(mut self, name: impl Into<String>) -> Self {
        self.id_property = Some(name.into());
        self
    }

    /// On a list: how many messages each request fetches (at most 100; 100 by default).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    fn association_names(&self) -> Vec<String> {
        self.associations
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect()
    }
}

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

/// One page of a list, and the cursor of the next.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// The cursor of the next page; `None` on the last one.
    pub next: Option<String>,
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
                raw.create_communication().body(body.clone()).send()
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
        check_id(id)?;
        let found = self
            .execute(Operation::GetCommunication, |raw| {
                let mut request = raw.get_communication().communication_id(id);
                apply_read_options!(request, options);
                if let Some(name) = &options.id_property {
                    request = request.id_property(name.clone());
                }
                request.send()
            })
            .await?;
        Ok(found.into())
    }

    /// Sets and clears properties of a message; returns the message after the change.
    pub async fn update(&self, id: &str, update: MessageUpdate) -> Result<Message, Error> {
        check_id(id)?;
        let body = types::SimplePublicObjectInput {
            properties: update.into_properties()?,
        };
        let updated = self
            .execute(Operation::UpdateCommunication, |raw| {
                raw.update_communication()
                    .communication_id(id)
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
            raw.archive_communication().communication_id(id).send()
        })
        .await
    }

    /// One page of messages, from the cursor `after` (`None` for the first page).
    pub async fn list_page(
        &self,
        options: &ReadOptions,
        after: Option<&str>,
    ) -> Result<Page<Message>, Error> {
        let limit = options.page_size.unwrap_or(MAX_LIST_PAGE_SIZE);
        if limit == 0 || limit > MAX_LIST_PAGE_SIZE {
            return Err(Error::InvalidInput(format!(
                "a list page holds 1 to {MAX_LIST_PAGE_SIZE} messages, not {limit}"
            )));
        }
        let page = self
            .execute(Operation::ListCommunications, |raw| {
                let mut request = raw.list_communications().limit(limit as i32);
                apply_read_options!(request, options);
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
    /// let mut messages = std::pin::pin!(client.list(ReadOptions::new().properties(["hs_communication_body"])));
    /// while let Some(message) = messages.try_next().await? {
    ///     println!("{}: {:?}", message.id, message.body);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(
        &self,
        options: ReadOptions,
    ) -> impl Stream<Item = Result<Message, Error>> + Send + 'static {
        let client = self.clone();
        stream::try_unfold(Some(None::<String>), move |cursor| {
            let client = client.clone();
            let options = options.clone();
            async move {
                let Some(after) = cursor else { return Ok(None) };
                let page = client.list_page(&options, after.as_deref()).await?;
                let next = page.next.map(Some);
                Ok(Some((stream::iter(page.items.into_iter().map(Ok)), next)))
            }
        })
        .try_flatten()
        .boxed()
    }
}

pub(crate) fn check_id(id: &str) -> Result<(), Error> {
    if id.trim().is_empty() {
        Err(Error::InvalidInput("an id cannot be empty".into()))
    } else {
        Ok(())
    }
}
