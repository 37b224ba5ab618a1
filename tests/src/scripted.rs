//! A wiremock server, a client pointed at it with fast retries, and HubSpot-shaped bodies: for
//! answers the fake never gives (malformed, hostile, or exactly scripted).

use std::time::Duration;

use hubspot_communications::{ApiVersion, Client, RateLimit};
use serde_json::{Value, json};
use wiremock::MockServer;

use crate::fast_retries;

/// The token the scripted server's client sends.
pub const TOKEN: &str = "pat-na1-secret-token";

/// A scripted server, and a client of it with fast retries (3) and no rate limit to speak of,
/// speaking v3 (the scripts name the guide's paths; `setup_with` chooses another version).
pub async fn setup() -> (MockServer, Client) {
    setup_with(ApiVersion::V3).await
}

/// [`setup`], speaking `version`.
pub async fn setup_with(version: ApiVersion) -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::builder(TOKEN)
        .api_version(version)
        .base_url(server.uri())
        .retry(fast_retries().max_retries(3))
        .rate_limit(RateLimit::new(10_000, Duration::from_secs(1)))
        .search_rate_limit(RateLimit::new(10_000, Duration::from_secs(1)))
        .build()
        .unwrap();
    (server, client)
}

/// A message as HubSpot returns it (its guide's example: a channel with a trailing space, a
/// `null` owner).
pub fn message(id: &str) -> Value {
    json!({
        "id": id,
        "properties": {
            "hs_communication_channel_type": "SMS ",
            "hs_communication_logged_from": "CRM",
            "hs_communication_body": "Texted John.",
            "hs_timestamp": "2022-11-12T15:48:22Z",
            "hubspot_owner_id": null,
            "hs_object_id": id
        },
        "createdAt": "2022-11-29T18:35:00.484Z",
        "updatedAt": "2022-11-29T18:35:00.484Z",
        "archived": false
    })
}

/// The JSON body of the `index`th request the server received.
pub async fn body(server: &MockServer, index: usize) -> Value {
    let requests = server.received_requests().await.unwrap();
    serde_json::from_slice(&requests[index].body).unwrap()
}
