//! One HubSpot API version's base paths and operations: the type of the generated
//! `API_VERSIONS` (its lookups are in `lib.rs`, beside the table they read).

/// One HubSpot API version, as the generated [`API_VERSIONS`](crate::API_VERSIONS) lists it: the base path of each
/// family of operations, and the operations the version has. A [`Client`](crate::Client) built on host +
/// a family's base path calls that family's operations in that version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiVersionPaths {
    /// The version's name: `v3` (with v4 associations), `2026-03`, `2026-09`, ….
    pub name: &'static str,
    /// The base of the objects operations (`list_objects`, `get_object`, `search_objects`,
    /// the `batch_*_objects`, …, and in v3 `associate_communication` and
    /// `remove_communication_association`): `/crm/v3/objects`, `/crm/objects/2026-09`.
    pub objects: &'static str,
    /// The base of one record's association operations (`create_association`,
    /// `create_default_association`, `list_associations`, `archive_associations`):
    /// `/crm/v4/objects`, `/crm/objects/2026-09`.
    pub record_associations: &'static str,
    /// The base of the association batch operations (`batch_read_associations`):
    /// `/crm/v4/associations`, `/crm/associations/2026-09`.
    pub association_batches: &'static str,
    /// The base of the OAuth token operation (`create_token`): `/oauth/v1` (with v3),
    /// `/oauth/2026-03`, `/oauth/2026-09`. It takes no bearer token: build its client on a
    /// context without one.
    pub oauth: &'static str,
    /// The base of the Properties API (`list_properties`, `get_property`, `create_property`,
    /// `update_property`, `archive_property`, `batch_read_properties`, `list_property_groups`,
    /// `get_property_group`): `/crm/v3/properties`, `/crm/properties/2026-09`.
    pub properties: &'static str,
    /// The base of the OAuth client-credentials grant (`create_client_credentials_token`: an
    /// app's own token, which the webhooks journal takes): `/oauth/v1` in every version (the
    /// endpoint HubSpot's journal guide names; 2026-09's has no such grant). Like `oauth`, it
    /// takes no bearer token.
    pub client_credentials: &'static str,
    /// The base of HubSpot's webhooks journal, its subscriptions and snapshots
    /// (`get_journal_next_batch`, `upsert_journal_subscription`, `create_crm_snapshots`, …):
    /// `/webhooks-journal` in every version, each operation's path carrying the journal's one
    /// version, 2026-03 (`/journal/2026-03/...`).
    pub webhooks_journal: &'static str,
    /// The operations (by name, as the client's methods and `OPERATION_PATHS` name them)
    /// this version has, sorted.
    pub operations: &'static [&'static str],
}
