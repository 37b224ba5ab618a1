//! What a read returns: the options of a get, a list and a batch read.

use super::object_type::ObjectType;

/// HubSpot's largest page of a list.
pub const MAX_LIST_PAGE_SIZE: u32 = 100;

/// What a read of messages returns: which properties, with or without history, which
/// associations, and whether to read archived messages. For
/// [`get_with`](crate::Client::get_with), [`get_by`](crate::Client::get_by) and, through
/// [`ListOptions`], [`list`](crate::Client::list).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct ReadOptions {
    pub(crate) properties: Vec<String>,
    pub(crate) properties_with_history: Vec<String>,
    pub(crate) associations: Vec<ObjectType>,
    pub(crate) archived: bool,
}

/// The choices every read of messages has: properties, history, archived. (A macro: the read
/// options of single reads and of batch reads are different types with these setters.)
macro_rules! read_choices {
    () => {
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

        /// Reads archived (recycle-bin) messages instead of live ones.
        pub fn archived(mut self, archived: bool) -> Self {
            self.archived = archived;
            self
        }
    };
}

impl ReadOptions {
    /// HubSpot's defaults: the default properties, no associations, live messages.
    pub fn new() -> Self {
        Self::default()
    }

    read_choices!();

    /// Returns the ids of the associated records of this type.
    pub fn associations(mut self, object_type: ObjectType) -> Self {
        self.associations.push(object_type);
        self
    }

    pub(crate) fn association_names(&self) -> Vec<String> {
        self.associations
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect()
    }
}

/// How to list messages: what each read returns ([`ReadOptions`]) and how many messages a
/// page holds.
///
/// ```
/// use hubspot_communications::{ListOptions, ReadOptions};
///
/// let options = ListOptions::from(ReadOptions::new().properties(["hs_communication_body"])).page_size(50);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct ListOptions {
    pub(crate) read: ReadOptions,
    pub(crate) page_size: u32,
}

impl ListOptions {
    /// Pages of HubSpot's largest size (100), read with HubSpot's defaults.
    pub fn new() -> Self {
        ReadOptions::new().into()
    }

    /// How many messages each request fetches: 1 to 100 (100 by default).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size;
        self
    }
}

impl Default for ListOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl From<ReadOptions> for ListOptions {
    fn from(read: ReadOptions) -> Self {
        Self {
            read,
            page_size: MAX_LIST_PAGE_SIZE,
        }
    }
}

/// What a batch read returns: which properties, with or without history, and whether to read
/// archived messages. (Reading by a unique property is
/// [`Client::read_batch_by`](crate::Client::read_batch_by).)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct BatchReadOptions {
    pub(crate) properties: Vec<String>,
    pub(crate) properties_with_history: Vec<String>,
    pub(crate) archived: bool,
    pub(crate) id_property: Option<String>,
}

impl BatchReadOptions {
    /// HubSpot's defaults: the default properties of live messages.
    pub fn new() -> Self {
        Self::default()
    }

    read_choices!();
}
