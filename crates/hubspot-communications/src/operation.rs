//! The calls the client makes to HubSpot, and what sending one twice would do.

use std::fmt;

/// One kind of call to HubSpot: every error of a sent request names the one it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// List messages, a page at a time.
    ListCommunications,
    /// Create one message.
    CreateCommunication,
    /// Read one message.
    GetCommunication,
    /// Update one message.
    UpdateCommunication,
    /// Move one message to the recycle bin.
    ArchiveCommunication,
    /// Read up to 100 messages.
    BatchRead,
    /// Create up to 100 messages.
    BatchCreate,
    /// Update up to 100 messages.
    BatchUpdate,
    /// Create or update up to 100 messages by a unique property.
    BatchUpsert,
    /// Archive up to 100 messages.
    BatchArchive,
    /// One page of a search.
    Search,
    /// Associate a message with a record, with the association's types: the guide's v3 path
    /// once per type, one labelled `PUT` in the date versions, HubSpot's default association
    /// when no type is named.
    Associate,
    /// Remove association types between a message and a record: the guide's v3 path, or, in
    /// the date versions, every step of reading, removing and putting back the others.
    RemoveAssociation,
    /// List a record's associations of one object type.
    ListAssociations,
    /// Remove every association between a message and a record.
    RemoveAllAssociations,
    /// Associate up to 1,000 messages with records (the association batch create).
    BatchCreateAssociations,
    /// Read the associations of up to 1,000 records or messages (the association batch read).
    BatchReadAssociations,
    /// Create a CRM record.
    CreateObject,
    /// Read a CRM record.
    GetObject,
    /// Update a CRM record (pinning).
    UpdateObject,
    /// Archive a CRM record.
    ArchiveObject,
    /// One page of a search of CRM records (contacts by phone number).
    SearchObjects,
    /// Read up to 100 CRM records (contacts by e-mail or by id).
    BatchReadObjects,
    /// Create up to 100 CRM records (contacts for unknown phone numbers).
    BatchCreateObjects,
    /// Exchange an OAuth refresh token for a new access token (HubSpot's token endpoint).
    RefreshAccessToken,
    /// Read an object type's property definitions.
    ListProperties,
    /// Read one property definition.
    GetProperty,
    /// Create a property.
    CreateProperty,
    /// Archive a property.
    ArchiveProperty,
    /// Read an object type's property groups.
    ListPropertyGroups,
    /// Ask for an app's own access token (HubSpot's token endpoint, the OAuth
    /// client-credentials grant).
    CreateAppToken,
    /// Read entries of the webhooks journal: the earliest, the latest, those after an offset,
    /// or those at given offsets (their files' URLs again).
    ReadJournal,
    /// Download a journal entry's file from its pre-signed URL (not HubSpot's API: no token
    /// is sent).
    DownloadJournalEntry,
    /// Read the app's journal subscriptions.
    ListJournalSubscriptions,
    /// Create or update a journal subscription.
    UpsertJournalSubscription,
    /// Delete a journal subscription.
    DeleteJournalSubscription,
    /// Add a filter to a journal subscription.
    CreateSubscriptionFilter,
    /// Read a journal subscription's filters.
    ListSubscriptionFilters,
    /// Delete a journal subscription's filter.
    DeleteSubscriptionFilter,
    /// Ask for snapshots of CRM objects in the journal.
    CreateSnapshots,
    /// Read a snapshot's status.
    GetSnapshotStatus,
}

/// What sending a call has on HubSpot's data, which decides what may be retried and whether a
/// failure leaves its fate unknown (see `classify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Changes nothing.
    Read,
    /// Changes data; sending it twice does what sending it once does.
    IdempotentWrite,
    /// Creates data; sent twice, it creates twice (a message logged twice on a timeline).
    Create,
}

impl Operation {
    /// The operation's name in traces and errors.
    pub fn name(self) -> &'static str {
        match self {
            Self::ListCommunications => "list_communications",
            Self::CreateCommunication => "create_communication",
            Self::GetCommunication => "get_communication",
            Self::UpdateCommunication => "update_communication",
            Self::ArchiveCommunication => "archive_communication",
            Self::BatchRead => "batch_read_communications",
            Self::BatchCreate => "batch_create_communications",
            Self::BatchUpdate => "batch_update_communications",
            Self::BatchUpsert => "batch_upsert_communications",
            Self::BatchArchive => "batch_archive_communications",
            Self::Search => "search_communications",
            Self::Associate => "associate_communication",
            Self::RemoveAssociation => "remove_communication_association",
            Self::ListAssociations => "list_associations",
            Self::RemoveAllAssociations => "remove_all_associations",
            Self::BatchCreateAssociations => "batch_create_associations",
            Self::BatchReadAssociations => "batch_read_associations",
            Self::CreateObject => "create_object",
            Self::GetObject => "get_object",
            Self::UpdateObject => "update_object",
            Self::ArchiveObject => "archive_object",
            Self::SearchObjects => "search_objects",
            Self::BatchReadObjects => "batch_read_objects",
            Self::BatchCreateObjects => "batch_create_objects",
            Self::RefreshAccessToken => "refresh_access_token",
            Self::ListProperties => "list_properties",
            Self::GetProperty => "get_property",
            Self::CreateProperty => "create_property",
            Self::ArchiveProperty => "archive_property",
            Self::ListPropertyGroups => "list_property_groups",
            Self::CreateAppToken => "create_app_token",
            Self::ReadJournal => "read_journal",
            Self::DownloadJournalEntry => "download_journal_entry",
            Self::ListJournalSubscriptions => "list_journal_subscriptions",
            Self::UpsertJournalSubscription => "upsert_journal_subscription",
            Self::DeleteJournalSubscription => "delete_journal_subscription",
            Self::CreateSubscriptionFilter => "create_subscription_filter",
            Self::ListSubscriptionFilters => "list_subscription_filters",
            Self::DeleteSubscriptionFilter => "delete_subscription_filter",
            Self::CreateSnapshots => "create_snapshots",
            Self::GetSnapshotStatus => "get_snapshot_status",
        }
    }

    /// Whether sending the call twice has the effect of sending it once. Creates are not: a
    /// create retried after HubSpot acted on it logs the message twice.
    pub fn is_idempotent(self) -> bool {
        self.effect() != Effect::Create
    }

    /// Exhaustive on purpose: a new operation must say what sending it twice does, or a
    /// create could be retried blindly.
    pub(crate) fn effect(self) -> Effect {
        match self {
            Self::CreateCommunication
            | Self::BatchCreate
            | Self::CreateObject
            | Self::BatchCreateObjects
            // Sent twice, the second is refused (409); one whose fate is unknown is read back.
            | Self::CreateProperty
            // Sent twice, a subscription has two filters, or the journal two snapshots.
            | Self::CreateSubscriptionFilter
            | Self::CreateSnapshots => Effect::Create,
            Self::ListCommunications
            | Self::GetCommunication
            | Self::BatchRead
            | Self::Search
            | Self::ListAssociations
            | Self::BatchReadAssociations
            | Self::GetObject
            | Self::SearchObjects
            | Self::BatchReadObjects
            | Self::ListProperties
            | Self::GetProperty
            | Self::ListPropertyGroups
            | Self::ReadJournal
            | Self::DownloadJournalEntry
            | Self::ListJournalSubscriptions
            | Self::ListSubscriptionFilters
            | Self::GetSnapshotStatus => Effect::Read,
            // A refresh sent twice issues two access tokens, both good; the refresh token it
            // was sent with keeps working (HubSpot's do), so sending it again is safe.
            Self::RefreshAccessToken => Effect::IdempotentWrite,
            // Two app tokens, both good.
            Self::CreateAppToken => Effect::IdempotentWrite,
            // Sent twice, each leaves the data as one does: the same values set, the same
            // association made or removed, the same thing archived.
            Self::UpdateCommunication
            | Self::ArchiveCommunication
            | Self::BatchUpdate
            | Self::BatchUpsert
            | Self::BatchArchive
            | Self::Associate
            | Self::RemoveAssociation
            | Self::RemoveAllAssociations
            | Self::BatchCreateAssociations
            | Self::UpdateObject
            | Self::ArchiveObject
            | Self::ArchiveProperty
            // HubSpot's "upsert": the same subscription, created or updated to the same.
            | Self::UpsertJournalSubscription
            | Self::DeleteJournalSubscription
            | Self::DeleteSubscriptionFilter => Effect::IdempotentWrite,
        }
    }

    /// HubSpot's token endpoint: not the account's API, it takes no access token and no turn
    /// of the account's limits.
    pub(crate) fn is_token_request(self) -> bool {
        matches!(self, Self::RefreshAccessToken | Self::CreateAppToken)
    }

    /// The webhooks journal's calls are exempt from HubSpot's daily and ten-secondly limits
    /// (`x-hubspot-rate-limit-exemptions` in its spec): they take no turn of them.
    pub(crate) fn is_rate_limit_exempt(self) -> bool {
        self.is_token_request()
            || matches!(
                self,
                Self::ReadJournal
                    | Self::DownloadJournalEntry
                    | Self::ListJournalSubscriptions
                    | Self::UpsertJournalSubscription
                    | Self::DeleteJournalSubscription
                    | Self::CreateSubscriptionFilter
                    | Self::ListSubscriptionFilters
                    | Self::DeleteSubscriptionFilter
                    | Self::CreateSnapshots
                    | Self::GetSnapshotStatus
            )
    }

    /// Search has its own rate limit.
    pub(crate) fn is_search(self) -> bool {
        matches!(self, Self::Search | Self::SearchObjects)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
