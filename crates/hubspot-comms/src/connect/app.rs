//! Where `follow` connects: as a public app itself (HubSpot's OAuth client-credentials grant:
//! `HUBSPOT_CLIENT_ID` and `HUBSPOT_CLIENT_SECRET`, the secret redacted in every printout), or,
//! only when `--demo` asks, an embedded fake HubSpot whose webhooks journal already holds the
//! demo contacts' and messages' changes. Without both credentials and without `--demo` nothing
//! runs.

use hubspot_communications::{ApiVersion, AppCredentials, Client, DEFAULT_BASE_URL};
use hubspot_communications_mock::{
    Config, MockServer, ObjectSubscription, ObjectType, WebhooksJournal,
};

use super::demo::DEMO_CONTACTS;
use super::{ConnectError, Connection, token::AccessToken};

/// The app the embedded fake knows (`--demo`).
const DEMO_APP: &str = "demo-app";
/// Its secret (the fake's, not one of yours).
const DEMO_SECRET: &str = "demo-app-secret";
/// The demo account (the fake's), whose journal `--demo` reads.
pub const DEMO_ACCOUNT: u64 = 62515;

/// Where an app connects, as the command line (or its environment) says.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AppTarget {
    /// HubSpot (or `base_url`), as the app of these credentials; none, or a blank one, is
    /// refused.
    HubSpot {
        /// The app's client id (`HUBSPOT_CLIENT_ID`).
        client_id: Option<String>,
        /// The app's client secret (`HUBSPOT_CLIENT_SECRET`), redacted in printouts.
        client_secret: Option<AccessToken>,
        /// Another server than HubSpot's (`HUBSPOT_BASE_URL`).
        base_url: Option<String>,
    },
    /// The embedded fake (`--demo`); no credential is sent anywhere.
    Demo,
}

/// Connects as an app, as `target` says (`version`: the client's API version; the journal has
/// one, 2026-03, whichever it is).
pub async fn connect_app(
    target: &AppTarget,
    version: ApiVersion,
) -> Result<Connection, ConnectError> {
    let (client_id, client_secret, base_url) = match target {
        AppTarget::Demo => {
            let fake = start_demo().await?;
            let client = Client::app(AppCredentials::new(DEMO_APP, DEMO_SECRET))
                .base_url(fake.base_url())
                .api_version(version)
                .build()?;
            return Ok(Connection {
                client,
                description: format!(
                    "an embedded fake HubSpot at {} (--demo), not your app: its webhooks journal \
                     holds the creation of its demo contacts and messages",
                    fake.base_url()
                ),
                fake: Some(fake),
            });
        }
        AppTarget::HubSpot {
            client_id,
            client_secret,
            base_url,
        } => (client_id, client_secret, base_url),
    };
    let client_id = client_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .ok_or(ConnectError::NoAppCredentials)?;
    let client_secret = client_secret
        .as_ref()
        .filter(|secret| !secret.expose().is_empty())
        .ok_or(ConnectError::NoAppCredentials)?;
    let base_url = base_url
        .as_deref()
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .unwrap_or(DEFAULT_BASE_URL);
    let client = Client::app(AppCredentials::new(client_id, client_secret.expose()))
        .base_url(base_url)
        .api_version(version)
        .build()?;
    Ok(Connection {
        client,
        fake: None,
        description: format!("HubSpot at {base_url}, as the app {client_id}"),
    })
}

/// The fake of `--demo`: the app, a journal subscribed to messages and contacts, and the demo
/// contacts with a message each (their creations and associations journaled).
async fn start_demo() -> std::io::Result<MockServer> {
    let journal = ObjectSubscription::defaults().into_iter().fold(
        WebhooksJournal::default().portal_id(DEMO_ACCOUNT),
        |journal, s| journal.subscribe(s),
    );
    let config = Config::default()
        .oauth_app(DEMO_APP, DEMO_SECRET)
        .webhooks_journal(journal);
    let fake = MockServer::start_with(config).await?;
    for (name, phone) in DEMO_CONTACTS {
        let email = format!("{}@example.com", name.to_lowercase());
        let contact = fake.seed_record(
            ObjectType::Contact,
            &[("firstname", name), ("email", &email), ("phone", phone)],
        );
        fake.seed_message(
            &[
                ("hs_communication_channel_type", "SMS"),
                ("hs_communication_logged_from", "CRM"),
                ("hs_communication_body", &format!("Hello {name}")),
            ],
            &[(ObjectType::Contact, &contact)],
        );
    }
    Ok(fake)
}
