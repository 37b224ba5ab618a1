//! A wiremock server and a raw client pointed at it, plus HubSpot-shaped bodies; `server`, a
//! loopback server that records request-targets exactly and can answer endless bodies.

#![allow(dead_code)]

pub mod server;

use hubspot_communications_raw::{ApiVersionPaths, Client, ClientContext};
use serde_json::{Value, json};
use wiremock::MockServer;

pub const TOKEN: &str = "pat-na1-test-token";

/// The raw clients of one version, one per family, as the facade builds them.
pub struct Clients {
    pub objects: Client,
    pub record_associations: Client,
    pub association_batches: Client,
    pub properties: Client,
}

impl Clients {
    /// The clients of `version` on `base_url`, each sending `Authorization: Bearer TOKEN`.
    pub fn new(base_url: &str, version: &str) -> Self {
        let version = ApiVersionPaths::get(version).expect("a version the client speaks");
        let auth = ClientContext::bearer(TOKEN).unwrap();
        let client = |base: &str| {
            Client::new_with_client(
                &format!("{base_url}{base}"),
                reqwest::Client::new(),
                auth.clone(),
            )
        };
        Self {
            objects: client(version.objects),
            record_associations: client(version.record_associations),
            association_batches: client(version.association_batches),
            properties: client(version.properties),
        }
    }
}

/// A fake server and the v3 clients, sending `Authorization: Bearer TOKEN` on every request.
pub async fn setup() -> (MockServer, Clients) {
    let server = MockServer::start().await;
    let clients = Clients::new(&server.uri(), "v3");
    (server, clients)
}

/// A message as HubSpot answers it (the guide's example response).
pub fn message(id: &str) -> Value {
    json!({
        "id": id,
        "properties": {
            "hs_communication_channel_type": "SMS ",
            "hs_communication_logged_from": "CRM",
            "hs_communication_body": "Texted John to confirm that we're ready to move forward with the contract.",
            "hs_timestamp": "2022-11-12T15:48:22Z",
            "hs_createdate": "2022-11-29T18:35:00.484Z",
            "hs_lastmodifieddate": "2022-11-29T18:35:00.484Z",
            "hs_object_id": id
        },
        "createdAt": "2022-11-29T18:35:00.484Z",
        "updatedAt": "2022-11-29T18:35:00.484Z",
        "archived": false
    })
}

/// A batch answer: `results`, and `errors` when given (a 207).
pub fn batch(results: Vec<Value>, errors: Option<Vec<Value>>) -> Value {
    let mut body = json!({
        "status": "COMPLETE",
        "results": results,
        "startedAt": "2022-11-29T18:35:00.100Z",
        "completedAt": "2022-11-29T18:35:00.484Z"
    });
    if let Some(errors) = errors {
        body["numErrors"] = json!(errors.len());
        body["errors"] = json!(errors);
    }
    body
}
