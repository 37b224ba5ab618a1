//! The receiver's core, apart from `main` so that the tests package runs it: an axum `Router`
//! that takes HubSpot's webhook requests, verifies their signature, and for each communication
//! created or changed reads the message and reports its channel and body.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use hubspot_communications::webhooks::{
    EventKind, SeenEvents, Verifier, WebhookEvent, parse_events,
};
use hubspot_communications::{Channel, Client};

/// Where HubSpot posts (the app's target URL's path).
pub const PATH: &str = "/hubspot/webhooks";

/// How many events are remembered to drop the duplicates HubSpot's retries cause.
const REMEMBERED_EVENTS: usize = 10_000;

/// A message an event was about, as read from HubSpot after the event.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageEvent {
    /// `created` or `changed (<property>)`.
    pub change: String,
    /// The message's id.
    pub id: String,
    /// Its channel.
    pub channel: Option<Channel>,
    /// Its text.
    pub body: Option<String>,
}

type Report = Arc<dyn Fn(&MessageEvent) + Send + Sync>;

/// What the receiver needs: a client of HubSpot (to read the messages) and the app's client
/// secret (which signs HubSpot's requests).
#[derive(Clone)]
pub struct Settings {
    client: Client,
    verifier: Verifier,
    public_url: Option<String>,
    seen: Arc<Mutex<SeenEvents>>,
    report: Report,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("client", &self.client)
            .field("verifier", &self.verifier)
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// Reads messages through `client`; requests must be signed with `client_secret`. Each
    /// message read is printed.
    pub fn new(client: Client, client_secret: impl Into<String>) -> Self {
        Self {
            client,
            verifier: Verifier::new(client_secret.into()),
            public_url: None,
            seen: Arc::new(Mutex::new(SeenEvents::new(REMEMBERED_EVENTS))),
            report: Arc::new(|message: &MessageEvent| {
                println!(
                    "message {} {}: {} \"{}\"",
                    message.id,
                    message.change,
                    message
                        .channel
                        .as_ref()
                        .map_or("(no channel)", Channel::as_str),
                    message.body.as_deref().unwrap_or("")
                );
            }),
        }
    }

    /// The URL HubSpot calls (the app's target URL, `https://hooks.example.com/hubspot/webhooks`)
    /// or its origin: the v3 signature covers it. The request's own path and query are put
    /// after its origin (and any prefix a proxy strips before [`PATH`]). Without it, the URL
    /// is rebuilt from the request's `Host` and `X-Forwarded-Proto` (`http` without).
    pub fn public_url(mut self, url: &str) -> Self {
        let url = url.trim_end_matches('/');
        let base = url.strip_suffix(PATH).unwrap_or(url);
        self.public_url = Some(base.to_owned());
        self
    }

    /// Replaces the verifier (its clock, window, legacy signatures).
    pub fn verifier(mut self, verifier: Verifier) -> Self {
        self.verifier = verifier;
        self
    }

    /// Calls `report` with each message read, instead of printing it.
    pub fn on_message(mut self, report: impl Fn(&MessageEvent) + Send + Sync + 'static) -> Self {
        self.report = Arc::new(report);
        self
    }

    /// The service: `POST` [`PATH`].
    pub fn router(self) -> Router {
        Router::new()
            .route(PATH, post(receive))
            .with_state(Arc::new(self))
    }

    /// The URL HubSpot signed for this request.
    fn signed_url(&self, headers: &HeaderMap, uri: &Uri) -> Option<String> {
        let path = uri.path_and_query().map_or(PATH, |p| p.as_str());
        if let Some(base) = &self.public_url {
            return Some(format!("{base}{path}"));
        }
        let host = headers.get(header::HOST)?.to_str().ok()?;
        let proto = headers
            .get("x-forwarded-proto")
            .and_then(|p| p.to_str().ok())
            .unwrap_or("http");
        Some(format!("{proto}://{host}{path}"))
    }
}

async fn receive(
    State(settings): State<Arc<Settings>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(url) = settings.signed_url(&headers, &uri) else {
        return answer(StatusCode::BAD_REQUEST, "no Host header to verify against");
    };
    if let Err(refused) = settings
        .verifier
        .verify(method.as_str(), &url, &headers, &body)
    {
        tracing::warn!(%url, %refused, "refused a webhook request");
        return answer(StatusCode::UNAUTHORIZED, &refused.to_string());
    }
    let events = match parse_events(&body) {
        Ok(events) => events,
        Err(error) => return answer(StatusCode::BAD_REQUEST, &error.to_string()),
    };
    // HubSpot waits 5 seconds for an answer: a service with more to do per event queues the
    // events and answers at once.
    for event in &events {
        if settings
            .seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(event)
        {
            continue;
        }
        if let Err(error) = handle(&settings, event).await {
            // Not remembered: HubSpot's retry of this request handles it again.
            tracing::warn!(%error, "a webhook event could not be handled; HubSpot will retry");
            return answer(StatusCode::SERVICE_UNAVAILABLE, &error.to_string());
        }
        settings
            .seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(event);
    }
    StatusCode::NO_CONTENT.into_response()
}

/// Reads the message a communication's creation or change is about, and reports it.
async fn handle(
    settings: &Settings,
    event: &WebhookEvent,
) -> Result<(), hubspot_communications::Error> {
    let change = match &event.kind {
        EventKind::Creation => "created".to_owned(),
        EventKind::PropertyChange(change) => format!(
            "changed ({})",
            change.property_name.as_deref().unwrap_or("?")
        ),
        _ => return Ok(()),
    };
    let (true, Some(id)) = (event.is_communication(), event.object_id) else {
        return Ok(());
    };
    let id = id.to_string();
    match settings.client.get(&id).await {
        Ok(message) => {
            (settings.report)(&MessageEvent {
                change,
                id,
                channel: message.channel,
                body: message.body,
            });
            Ok(())
        }
        // Archived since: nothing to read, nothing to retry.
        Err(error) if error.status() == Some(404) => {
            tracing::info!(%id, "the message is gone");
            Ok(())
        }
        Err(error) if error.is_retryable() => Err(error),
        Err(error) => {
            tracing::warn!(%id, %error, "the message could not be read");
            Ok(())
        }
    }
}

fn answer(status: StatusCode, text: &str) -> Response {
    (status, text.to_owned()).into_response()
}
