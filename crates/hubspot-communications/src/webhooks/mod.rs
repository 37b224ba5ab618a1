//! HubSpot's webhooks: verifying that a request came from HubSpot, and reading the events it
//! carries.
//!
//! HubSpot posts a JSON array of up to 100 events to an app's target URL, signed with the
//! app's client secret. A receiver checks the signature on the raw body ([`Verifier`]),
//! answers 401 when it does not hold, reads the events ([`parse_events`]), drops the
//! duplicates HubSpot sends ([`SeenEvents`]: its retries, and events it simply delivers
//! twice), skips changes older than one already applied ([`LatestChanges`]: HubSpot does not
//! deliver in order) and answers 2xx within 5 seconds (HubSpot retries a delivery that times
//! out, cannot connect or is answered any 4xx or 5xx, up to 10 times over a day; at most 10
//! of an account's deliveries are in flight at once).
//!
//! The core takes no framework: method, URL, headers (an [`http::HeaderMap`] or any lookup)
//! and body bytes. With axum:
//!
//! ```
//! use std::sync::{Arc, Mutex};
//!
//! use axum::body::Bytes;
//! use axum::extract::State;
//! use axum::http::{HeaderMap, Method, StatusCode, Uri};
//! use hubspot_communications::webhooks::{
//!     EventKind, LatestChanges, SeenEvents, Verifier, parse_events,
//! };
//!
//! struct Receiver {
//!     verifier: Verifier,
//!     /// The URL HubSpot calls, up to the path: what it signs.
//!     public_url: String,
//!     seen: Mutex<SeenEvents>,
//!     latest: Mutex<LatestChanges>,
//! }
//!
//! async fn receive(
//!     State(receiver): State<Arc<Receiver>>,
//!     method: Method,
//!     uri: Uri,
//!     headers: HeaderMap,
//!     body: Bytes,
//! ) -> StatusCode {
//!     let path = uri.path_and_query().map_or("/", |p| p.as_str());
//!     let url = format!("{}{path}", receiver.public_url);
//!     if let Err(refused) = receiver.verifier.verify(method.as_str(), &url, &headers, &body) {
//!         eprintln!("refused a webhook: {refused}");
//!         return StatusCode::UNAUTHORIZED;
//!     }
//!     let Ok(events) = parse_events(&body) else {
//!         return StatusCode::BAD_REQUEST;
//!     };
//!     for event in events {
//!         if receiver.seen.lock().unwrap().contains(&event) {
//!             continue; // an event already handled, delivered again
//!         }
//!         if receiver.latest.lock().unwrap().insert(&event) {
//!             // Not older than a change already applied.
//!             if event.is_communication() && event.kind == EventKind::Creation {
//!                 println!("message {:?} logged", event.object_id);
//!             }
//!         }
//!         receiver.seen.lock().unwrap().insert(&event);
//!     }
//!     StatusCode::NO_CONTENT
//! }
//!
//! let receiver = Arc::new(Receiver {
//!     verifier: Verifier::new("the app's client secret"),
//!     public_url: "https://hooks.example.com".into(),
//!     seen: Mutex::new(SeenEvents::new(10_000)),
//!     latest: Mutex::new(LatestChanges::new(10_000)),
//! });
//! let app: axum::Router = axum::Router::new()
//!     .route("/hubspot/webhooks", axum::routing::post(receive))
//!     .with_state(receiver);
//! # let _ = app;
//! ```
//!
//! `cargo run --example hubspot_webhooks` is a whole service; `hubspot-communications-mock`'s
//! fake delivers signed events to yours when messages and contacts change.

mod event;
mod signature;

pub use event::{
    AssociationChange, COMMUNICATION_OBJECT_TYPE_ID, EventKey, EventKind, EventsError,
    LatestChanges, MAX_EVENTS_PER_REQUEST, Merge, PropertyChange, SeenEvents, WebhookEvent,
    parse_events,
};
pub use signature::{
    DEFAULT_MAX_AGE, DEFAULT_MAX_CLOCK_SKEW, HeaderProblem, REQUEST_TIMESTAMP_HEADER,
    SIGNATURE_HEADER, SIGNATURE_V3_HEADER, SIGNATURE_VERSION_HEADER, SignatureError,
    SignatureHeaders, SignatureVersion, Verifier,
};
