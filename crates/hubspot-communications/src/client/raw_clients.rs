//! The raw generated clients under a client, one per family of operations.

use hubspot_communications_raw as raw;

/// The raw clients of one HubSpot API version, one per family of operations, each built on the
/// base URL + the family's base path ([`raw::ApiVersionPaths`]). Each family's operations are
/// called on its own client (nothing checks the family: in v3, an objects operation on the
/// record associations client would reach `/crm/v4/objects/...`).
#[derive(Debug, Clone)]
// Public only with the `unstable-raw` feature.
#[cfg_attr(not(feature = "unstable-raw"), allow(unreachable_pub))]
pub struct RawClients {
    /// Messages and records: `list_objects`, `get_object`, `search_objects`, the
    /// `batch_*_objects`, … (and in v3 `associate_communication`,
    /// `remove_communication_association`).
    pub objects: raw::Client,
    /// One record's associations: `create_association`, `create_default_association`,
    /// `list_associations`, `archive_associations`.
    pub record_associations: raw::Client,
    /// Associations in batches: `batch_read_associations`.
    pub association_batches: raw::Client,
    /// HubSpot's OAuth token endpoint: `create_token`. It sends no bearer token.
    pub oauth: raw::Client,
    /// The Properties API: `list_properties`, `get_property`, `create_property`,
    /// `update_property`, `archive_property`, `batch_read_properties`,
    /// `list_property_groups`, `get_property_group`.
    pub properties: raw::Client,
    /// HubSpot's token endpoint for an app's own token (the client-credentials grant):
    /// `create_client_credentials_token`. It sends no bearer token.
    pub client_credentials: raw::Client,
    /// The webhooks journal, its subscriptions and snapshots: `get_journal_next_batch`,
    /// `upsert_journal_subscription`, `create_crm_snapshots`, ….
    pub webhooks_journal: raw::Client,
}

impl RawClients {
    /// The clients of `version` on `base_url` (e.g. `https://api.hubapi.com`), sharing one
    /// `reqwest::Client` and one context (the token endpoint's without its authorization).
    pub(crate) fn new(
        base_url: &str,
        version: &raw::ApiVersionPaths,
        http: reqwest::Client,
        context: raw::ClientContext,
    ) -> Self {
        let anonymous =
            raw::ClientContext::default().with_max_response_bytes(context.max_response_bytes());
        let client = |base: &str| {
            raw::Client::new_with_client(
                &format!("{base_url}{base}"),
                http.clone(),
                context.clone(),
            )
        };
        Self {
            objects: client(version.objects),
            record_associations: client(version.record_associations),
            association_batches: client(version.association_batches),
            properties: client(version.properties),
            webhooks_journal: client(version.webhooks_journal),
            oauth: raw::Client::new_with_client(
                &format!("{base_url}{}", version.oauth),
                http.clone(),
                anonymous.clone(),
            ),
            client_credentials: raw::Client::new_with_client(
                &format!("{base_url}{}", version.client_credentials),
                http.clone(),
                anonymous,
            ),
        }
    }
}
