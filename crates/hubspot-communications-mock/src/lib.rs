//! An embedded fake of HubSpot's CRM Communications API, for tests, examples and demos with no
//! HubSpot account.
//!
//! It is stateful and in memory, and serves every endpoint of `hubspot-communications-raw` the
//! way HubSpot does: numeric ids, default and requested properties (`null` where unset),
//! cursor paging, archiving, batches with 207 answers, search with filters, sorts, paging and
//! the 10,000-result cap, v3 and v4 associations, CRM records and pinning (which needs an
//! association), HubSpot's Properties API (an account's property definitions and groups for
//! every object type, with HubSpot's rules; a property created through it takes effect at
//! once), HubSpot's error bodies, bearer authentication, rolling-window rate limits
//! with HubSpot's headers, and seeded fault injection; and HubSpot's OAuth token endpoint, with
//! apps, installed accounts (each with its own limits) and access tokens that expire
//! ([`Config::oauth_app`], [`Account`]); and HubSpot's webhooks: signed batches of events
//! posted to your receiver when messages and contacts change ([`Config::webhooks`],
//! [`MockServer::webhook_deliveries`]). Where its state cannot produce an answer a test needs
//! (an HTML 502, a 429 with a chosen `Retry-After`), [`MockServer::script`] queues one for the
//! next calls of an operation; [`MockServer::stop`] is HubSpot going away, every connection
//! closed. Its names are the facade's where the concept is the same ([`ObjectType`],
//! [`RateLimit`], [`PropertyDefinition`]'s property type, [`AssociationCategory`],
//! [`EventKind`]).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use hubspot_communications_mock::MockServer;
//!
//! let server = MockServer::start().await?;
//! let contact = server.seed_contact("linda@example.com");
//! println!("fake HubSpot at {} with contact {contact}", server.base_url());
//! server.stop();
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod account;
mod association;
mod calculated;
mod config;
mod connection;
mod error;
mod faults;
mod gate;
mod label;
mod lock;
mod log;
mod oauth;
mod object;
mod object_type;
mod observe;
mod open_connections;
mod property;
mod rate_limit;
mod routes;
mod schema;
mod script;
mod scripts;
mod server;
mod state;
mod store;
mod versions;
mod webhooks;
mod webhooks_journal;

pub use account::{Account, AccountStats};
pub use config::{Config, DEFAULT_SEARCH_LAG};
pub use faults::{FaultKind, Faults};
pub use label::{AssociationCategory, AssociationLabel};
pub use object_type::ObjectType;
pub use observe::{Exchange, Observer};
pub use property::{PropertyDefinition, PropertyOwner, PropertyType};
pub use rate_limit::{DailyLimit, RateLimit};
pub use routes::MAX_SEARCH_BODY_CHARS;
pub use schema::{MAX_TEXT_PROPERTY_CHARS, MAX_UNIQUE_PROPERTIES};
pub use script::Script;
pub use server::MockServer;
pub use state::Stats;
pub use versions::DATE_VERSIONS;
pub use webhooks::{
    DeliveryOutcome, EventKind, LegacySignature, MAX_KEPT_DELIVERIES, RetryOn, Subscription,
    WebhookDelivery, Webhooks,
};
pub use webhooks_journal::{
    JournalAction, JournalDownload, MAX_KEPT_DOWNLOADS, ObjectSubscription, WebhooksJournal,
};

/// The README's example, compiled as a doctest so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
