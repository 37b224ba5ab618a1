//! A typed, resilient client for HubSpot's
//! [CRM Communications API](https://developers.hubspot.com/docs/guides/api/crm/engagements/communications):
//! log WhatsApp, LinkedIn and SMS messages on contacts, companies, deals and tickets.
//!
//! This quickstart runs as it is (it is a doctest), against the embedded fake HubSpot of
//! `hubspot-communications-mock`; for your account, build the client with
//! `Client::new(token)` instead.
//!
//! ```
//! use hubspot_communications::{Association, Channel, Client, MessageUpdate, NewMessage, Record};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let hubspot = hubspot_communications_mock::MockServer::start().await?;
//! let contact = hubspot.seed_contact("linda@example.com");
//! let client = Client::builder("pat-na1-demo").base_url(hubspot.base_url()).build()?;
//!
//! let message = client
//!     .create(
//!         &NewMessage::new(Channel::Sms, "Texted Linda to confirm the contract.")
//!             .associate(Association::contact(&contact)),
//!     )
//!     .await?;
//! client.update(&message.id, &MessageUpdate::new().body("Sent a follow-up.")).await?;
//! client.pin(&message.id, &Record::contact(&contact)).await?;
//! assert_eq!(client.get(&message.id).await?.body.as_deref(), Some("Sent a follow-up."));
//! # Ok(()) }
//! ```
//!
//! The sections below follow HubSpot's guide.
//!
//! # Create a WhatsApp, LinkedIn, or SMS message
//!
//! [`Client::create`] takes a [`NewMessage`]: channel and text are required by its
//! constructor, so a message without them cannot be built. `hs_communication_logged_from` is
//! always `CRM`, and `hs_timestamp` is the time of sending unless set.
//!
//! ## Properties
//!
//! | property | set with | read from |
//! |---|---|---|
//! | `hs_communication_channel_type` | [`NewMessage::new`] ([`Channel`]) | [`Message::channel`] |
//! | `hs_communication_logged_from` | always `CRM` | [`Message::properties`] |
//! | `hs_communication_body` | [`NewMessage::new`] | [`Message::body`] |
//! | `hubspot_owner_id` | [`NewMessage::owner`] | [`Message::owner_id`] |
//! | `hs_timestamp` | [`NewMessage::timestamp`] | [`Message::timestamp`] |
//! | any other | [`NewMessage::property`] | [`Message::property`] |
//!
//! | [`Channel`] | HubSpot's value |
//! |---|---|
//! | `WhatsApp` | `WHATS_APP` |
//! | `LinkedIn` | `LINKEDIN_MESSAGE` |
//! | `Sms` | `SMS` |
//! | `Other(value)` | a value HubSpot adds later |
//!
//! ## Associations
//!
//! [`Association::contact`], [`company`](Association::company), [`deal`](Association::deal)
//! and [`ticket`](Association::ticket) use HubSpot's default types from a communication
//! (81, 87, 85, 83); labels and custom types go through [`Association::new`] with an
//! [`AssociationType`].
//!
//! # Retrieve messages
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use hubspot_communications::{Client, ObjectType, ReadOptions};
//!
//! # async fn run(client: Client) -> Result<(), hubspot_communications::Error> {
//! let options = ReadOptions::new()
//!     .properties(["hs_communication_body"])
//!     .associations(ObjectType::Contact);
//! let one = client.get_with("12021896773", &options).await?;
//! let all: Vec<_> = client.list(options).try_collect().await?;
//! # Ok(()) }
//! ```
//!
//! # Update messages
//!
//! ```no_run
//! use hubspot_communications::{Client, MessageUpdate};
//!
//! # async fn run(client: Client) -> Result<(), hubspot_communications::Error> {
//! // Set one value and clear another (HubSpot's empty string).
//! let update = MessageUpdate::new().body("Sent a follow-up message to Carla.").clear("hubspot_owner_id");
//! client.update("12021896773", &update).await?;
//! # Ok(()) }
//! ```
//!
//! # Associate an existing message with a record, and remove an association
//!
//! ```no_run
//! use hubspot_communications::{Association, Client};
//!
//! # async fn run(client: Client) -> Result<(), hubspot_communications::Error> {
//! client.associate("12021896773", &Association::deal("5001")).await?;
//! client.remove_association("12021896773", &Association::deal("5001")).await?;
//! # Ok(()) }
//! ```
//!
//! # Pin a message on a record
//!
//! [`Client::pin`] checks that the message is associated with the record first, as HubSpot
//! requires, and answers [`Error::NotAssociated`] if not.
//!
//! # Delete messages
//!
//! [`Client::archive`] moves a message to the recycle bin; [`Client::archive_batch`] does so
//! for many.
//!
//! # Batches
//!
//! [`Client::create_batch`], [`read_batch`](Client::read_batch),
//! [`update_batch`](Client::update_batch), [`upsert_batch`](Client::upsert_batch) and
//! [`archive_batch`](Client::archive_batch) take any number of inputs, send them 100 at a
//! time, and return a [`BatchOutcome`] that accounts for every input.
//!
//! # Bulk logging
//!
//! [`Client::log_all`] logs a stream of any length (read from a file, say) through the batch
//! endpoints at the rate limit with bounded memory, and yields one [`Logged`] per input: logged,
//! refused, or of unknown fate, never dropped. [`Client::log_all_keyed`] logs exactly once
//! through upserts on a unique property.
//!
//! # Search
//!
//! [`Client::search`] streams the results of a [`Search`]; [`Client::search_past_cap`] reads past
//! HubSpot's 10,000-result cap.
//!
//! # Properties, and the key of exactly-once logging
//!
//! [`Client::properties`], [`property`](Client::property),
//! [`create_property`](Client::create_property), [`archive_property`](Client::archive_property)
//! and [`property_groups`](Client::property_groups) read and manage the property definitions
//! of any object type through HubSpot's Properties API ([`PropertyDefinition`],
//! [`NewProperty`]). [`Client::ensure_key_property`] makes sure communications have the
//! unique text property that [`Client::log_all_keyed`] upserts messages by: created when
//! missing, accepted when it is a unique text property, refused with a
//! [`KeyPropertyError`] otherwise (a user's property is never changed).
//!
//! # API versions, and moving from v3
//!
//! The client speaks HubSpot's date versions (2026-09, the default, and 2026-03) and the
//! guide's v3 paths, chosen with [`ClientBuilder::api_version`]; every call works on every
//! version, and the code that uses the client does not change. The v3 paths go unsupported in
//! September 2027. What differs on the wire, and how the client keeps one behaviour, is in
//! [`ApiVersion`]'s docs; from 2026-09, HubSpot enforces the account's validation rules on
//! writes ([`Error::is_validation_error`]).
//!
//! # Resilience
//!
//! Every call goes through one request path: a rolling-window rate limiter shared by every
//! clone of the client ([`RateLimit`]), retries with backoff ([`RetryPolicy`]) that never
//! repeat a create HubSpot may have acted on (one rule, a table in [`RetryPolicy`]'s docs,
//! decides what is retried and whose fate is unknown), timeouts on by default, an optional
//! deadline for a whole call, answers capped in size, no redirects followed, and a `tracing`
//! span per request (operation, account id, attempt, status, wait, correlation id; never the
//! token).
//!
//! # OAuth apps and many accounts
//!
//! [`Client::new`] takes a private app's token. A public app authenticates each installing
//! account with [`Client::oauth`] and [`OAuthCredentials`]: the client refreshes the access
//! token before it expires and on HubSpot's 401 `EXPIRED_AUTHENTICATION`, one refresh at a
//! time for all clones, gives each new refresh token to [`ClientBuilder::on_refresh`] to store,
//! and reports a refresh token HubSpot refuses as [`Error::RefreshRefused`].
//! [`Client::for_account`] makes the next account's client on the same connection pool, with
//! its own tokens and rate limiter ([`RateLimit::PUBLIC_APP`]). Secrets are [`Secret`]s: no
//! `Debug`, error or trace shows them.

//!
//! # HubSpot's webhooks
//!
//! [`webhooks::Verifier`] checks that a request came from HubSpot (`X-HubSpot-Signature-v3`,
//! and v1/v2 for legacy apps), on any framework's method, URL, headers and body bytes, in
//! constant time, with a typed [`SignatureError`]; [`parse_events`] reads the events
//! ([`WebhookEvent`], [`EventKind`]: unknown ones kept), and [`SeenEvents`] drops the
//! duplicates HubSpot's retries cause. The fake delivers signed webhooks to your receiver
//! (`hubspot_communications_mock::Config::webhooks`).

#![warn(missing_docs, unreachable_pub, missing_debug_implementations)]

// Where things are (each folder's `mod.rs` says what it holds):
//
// - `client/`      `Client` (what its clones share), `ClientBuilder`, `ApiVersion`, `RawClients`
// - `api/`         every call on `Client`, a module per resource: `objects` (HubSpot's objects
//                  API for any object type, which the next ones call), `messages/` (one,
//                  batches, bulk logging), `associations/` (one, batches), `records/` (records,
//                  pinning),
//                  `search`, `lookup` (contacts by phone and e-mail), `properties/` (the
//                  Properties API, the key property), `oauth` (the token exchange)
// - `model/`       what is sent and received: messages, records, associations, options,
//                  batch outcomes, pages, lookups' answers, property definitions, searches;
//                  no I/O
// - `request/`     the one request path (`Client::execute`), the batch runner, paging
// - `operation`    the calls HubSpot knows, and what sending one twice does
// - `retry/`       the retry policy, and `classify`: the one table of what is retried
// - `rate_limit/`  the rolling windows: this process's, and Redis's (`shared/`)
// - `auth/`        secrets, OAuth credentials, the access token's keeper
// - `error`        `Error`, one type for every call
// - `phone`        phone numbers, E.164
// - `webhooks/`    verifying and reading HubSpot's webhooks (public module)
// - `journal/`     HubSpot's webhooks journal: entries, events, checkpoints, subscriptions
//                  (public module; its calls are in `api/journal/`)
//
// Types never depend on calls (`model` uses no `api`); `auth` and `rate_limit` do not reach
// back into `client`; the request path is the only way out.

mod api;
mod auth;
#[cfg(feature = "lookup")]
mod claims;
mod client;
mod error;
pub mod journal;
mod model;
mod operation;
#[cfg(feature = "lookup")]
mod phone;
mod rate_limit;
mod request;
mod retry;
#[cfg(feature = "webhooks")]
pub mod webhooks;

/// Search: a builder for HubSpot's search request ([`Search`], [`Filter`](search::Filter),
/// [`Sort`](search::Sort)) and its limits; the calls are
/// [`Client::search`](crate::Client::search), [`Client::search_past_cap`](crate::Client::search_past_cap) and
/// [`Client::search_page`](crate::Client::search_page).
pub mod search {
    pub use crate::model::search::{
        Filter, FilterGroup, FilterOperator, MAX_SEARCH_BODY_CHARS, MAX_SEARCH_PAGE_SIZE,
        SEARCH_RESULT_CAP, Search, SearchPage, Sort,
    };
}

#[cfg(feature = "lookup")]
pub use api::MAX_NUMBERS_PER_SEARCH;
pub use api::{
    COMMUNICATION_INFORMATION_GROUP, KeyProperty, KeyPropertyError, LogOutcome, Logged,
    MAX_ASSOCIATION_BATCH_SIZE,
};
pub use auth::{AppCredentials, JOURNAL_SCOPES, OAuthCredentials, OAuthTokens, Secret};
#[cfg(all(feature = "lookup", feature = "redis"))]
pub use claims::RedisClaims;
#[cfg(feature = "lookup")]
pub use claims::{Claim, ContactClaims, DEFAULT_CLAIM_TTL, DEFAULT_RECORD_TTL, LocalClaims};
/// The generated client under this one, for what the facade does not wrap: **unstable**,
/// outside this crate's semver promise (its types follow HubSpot's spec and the generator, and
/// change in any release). Only with the `unstable-raw` feature; send its calls through
/// [`Client::execute_raw`], so that the rate limiter, retries and errors apply to them.
#[cfg(feature = "unstable-raw")]
pub use client::RawClients;
pub use client::{ApiVersion, Client, ClientBuilder, DEFAULT_BASE_URL};
pub use error::{
    ApiError, Error, ErrorCategory, ErrorDetail, InvalidResponse, RateLimitPolicy, ResponseProblem,
    TransportError, TransportErrorKind,
};
#[cfg(feature = "unstable-raw")]
pub use hubspot_communications_raw as raw;
#[cfg(feature = "lookup")]
pub use model::ContactMatch;
pub use model::{
    AssociatedId, AssociatedRecord, Association, AssociationCategory, AssociationInput,
    AssociationType, BatchError, BatchFailure, BatchOutcome, BatchReadOptions, BatchSuccess,
    Channel, FieldType, LabelledType, ListOptions, MAX_BATCH_SIZE, MAX_LIST_PAGE_SIZE,
    MAX_TEXT_PROPERTY_CHARS, Message, MessageUpdate, NewMessage, NewProperty, ObjectType, Page,
    PropertyDefinition, PropertyGroup, PropertyOption, PropertyType, PropertyVersion, ReadOptions,
    Record, RecordProperties, UnknownValue, UpdateInput, UpsertInput, property,
};
pub use operation::Operation;
#[cfg(feature = "lookup")]
pub use phone::{InvalidPhoneNumber, InvalidRegion, PhoneNumber, PhoneNumberProblem, Region};
pub use rate_limit::{DailyLimit, RateLimit};
#[cfg(feature = "redis")]
pub use rate_limit::{RedisUnavailable, SharedRateLimit};
pub use request::{Attempt, Paged};
pub use retry::RetryPolicy;
pub use search::{FilterOperator, Search};
#[cfg(feature = "webhooks")]
pub use webhooks::{
    EventKind, SeenEvents, SignatureError, SignatureVersion, Verifier, WebhookEvent, parse_events,
};

/// The README's examples, compiled as this crate's doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExamples;
