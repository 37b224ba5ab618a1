//! Starting and stopping the fake, and what every request goes through first: authentication,
//! rate limits and injected faults.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::config::{Config, FaultKind};
use crate::error::ApiError;
use crate::rate_limit::Window;
use crate::store::{ObjectKind, Store};

/// The shared state of one fake server.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) store: Mutex<Store>,
    limits: Mutex<(Window, Window)>,
    rng: Mutex<StdRng>,
    pub(crate) stats: Counters,
}

#[derive(Default)]
pub(crate) struct Counters {
    requests: AtomicU64,
    rate_limited: AtomicU64,
    faults: Mutex<std::collections::BTreeMap<FaultKind, u64>>,
}

/// What a fake server has served so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Requests received.
    pub requests: u64,
    /// Requests refused with a 429 for the rate limits (injected 429s are faults).
    pub rate_limited: u64,
    /// Faults injected, by kind.
    pub faults: std::collections::BTreeMap<FaultKind, u64>,
}

/// A running fake HubSpot. Dropping it stops it.
pub struct MockServer {
    base_url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Starts a fake with the default [`Config`] on an ephemeral loopback port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(Config::default()).await
    }

    /// Starts a fake with `config` on an ephemeral loopback port.
    pub async fn start_with(config: Config) -> std::io::Result<Self> {
        Self::bind(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a fake with `config` on `address`.
    pub async fn bind(config: Config, address: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(address).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared {
            limits: Mutex::new((
                Window::new(config.rate_limit),
                Window::new(config.search_limit),
            )),
            rng: Mutex::new(StdRng::seed_from_u64(config.faults.seed)),
            store: Mutex::new(Store::new()),
            stats: Counters::default(),
            config,
        });
        let router = crate::routes::router(shared.clone());
        let task = tokio::spawn(serve(listener, router));
        Ok(Self {
            base_url,
            shared,
            task,
        })
    }

    /// The base URL to give a client, e.g. `http://127.0.0.1:49152`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Stops the server.
    pub fn stop(self) {}

    /// What the server has served so far.
    pub fn stats(&self) -> Stats {
        let counters = &self.shared.stats;
        Stats {
            requests: counters.requests.load(Ordering::Relaxed),
            rate_limited: counters.rate_limited.load(Ordering::Relaxed),
            faults: lock(&counters.faults).clone(),
        }
    }

    /// Adds a CRM record and returns its id.
    pub fn seed_record(&self, kind: ObjectKind, properties: &[(&str, &str)]) -> String {
        let properties = properties
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        lock(&self.shared.store)
            .create_record(kind, properties)
            .to_string()
    }

    /// Adds a contact and returns its id.
    pub fn seed_contact(&self, email: &str) -> String {
        self.seed_record(ObjectKind::Contact, &[("email", email)])
    }

    /// Adds a company and returns its id.
    pub fn seed_company(&self, name: &str) -> String {
        self.seed_record(ObjectKind::Company, &[("name", name)])
    }

    /// Adds a deal and returns its id.
    pub fn seed_deal(&self, name: &str) -> String {
        self.seed_record(ObjectKind::Deal, &[("dealname", name)])
    }

    /// Adds a ticket and returns its id.
    pub fn seed_ticket(&self, subject: &str) -> String {
        self.seed_record(ObjectKind::Ticket, &[("subject", subject)])
    }

    /// Adds `count` SMS messages directly to the store (no requests) and returns their ids.
    pub fn seed_messages(&self, count: usize) -> Vec<String> {
        let mut store = lock(&self.shared.store);
        (0..count)
            .map(|i| {
                let properties = [
                    ("hs_communication_channel_type", "SMS".to_owned()),
                    ("hs_communication_logged_from", "CRM".to_owned()),
                    ("hs_communication_body", format!("Seeded message {i}")),
                    ("hs_timestamp", crate::store::timestamp(chrono::Utc::now())),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
                store.create_communication(properties).to_string()
            })
            .collect()
    }

    /// How many messages are stored, archived ones included.
    pub fn message_count(&self) -> usize {
        lock(&self.shared.store).communications.len()
    }

    /// A stored message in HubSpot's shape with all its properties, archived or not.
    pub fn message(&self, id: &str) -> Option<Value> {
        let store = lock(&self.shared.store);
        let object = store.communications.get(&id.parse().ok()?)?;
        let names: Vec<String> = object.properties.keys().cloned().collect();
        Some(object.to_json(&names, &[], &[]))
    }

    /// Every stored message's properties, by id, archived ones included.
    pub fn messages(&self) -> Vec<(String, std::collections::BTreeMap<String, String>)> {
        lock(&self.shared.store)
            .communications
            .values()
            .map(|o| (o.id.to_string(), o.properties.clone()))
            .collect()
    }

    /// A stored CRM record's properties.
    pub fn record(
        &self,
        kind: ObjectKind,
        id: &str,
    ) -> Option<std::collections::BTreeMap<String, String>> {
        let store = lock(&self.shared.store);
        Some(
            store
                .records
                .get(&(kind, id.parse().ok()?))?
                .properties
                .clone(),
        )
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Handlers never leave the state half-written across a panic point; keep serving.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A switch that closes the connection a request came on, with no answer.
#[derive(Clone)]
pub(crate) struct Hangup(Arc<Notify>);

async fn serve(listener: TcpListener, router: axum::Router) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let hangup = Hangup(Arc::new(Notify::new()));
        let service = router.clone().layer(axum::Extension(hangup.clone()));
        tokio::spawn(async move {
            let service = hyper_util::service::TowerToHyperService::new(service);
            let builder =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
            let connection =
                builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                // Dropping the connection closes the socket without a response.
                () = hangup.0.notified() => {}
            }
        });
    }
}

/// Authentication, rate limits and faults, before any route.
pub(crate) async fn gate(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let count = shared.stats.requests.fetch_add(1, Ordering::Relaxed) + 1;
    if let Err(refusal) = authenticate(&shared, &request) {
        return refusal.into_response();
    }
    if shared.config.daily_limit.is_some_and(|limit| count > limit) {
        shared.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
        return ApiError::rate_limited("DAILY", 3600).into_response();
    }
    let search = request.uri().path().ends_with("/search");
    let (verdict, mut limit_headers) = {
        let mut limits = lock(&shared.limits);
        let window = if search { &mut limits.1 } else { &mut limits.0 };
        let verdict = window.admit(Instant::now());
        let mut headers = axum::http::HeaderMap::new();
        window.headers(&verdict, &mut headers);
        (verdict, headers)
    };
    if !verdict.allowed {
        shared.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
        let policy = if search {
            "SECONDLY"
        } else {
            "TEN_SECONDLY_ROLLING"
        };
        let mut response = ApiError::rate_limited(policy, verdict.retry_after_secs).into_response();
        response.headers_mut().extend(limit_headers.drain());
        return response;
    }
    let fault = pick_fault(&shared, request.uri().path());
    let hangup = request.extensions().get::<Hangup>().cloned();
    let mut response = match fault {
        Some(FaultKind::RateLimited) => {
            ApiError::rate_limited("TEN_SECONDLY_ROLLING", 1).into_response()
        }
        Some(FaultKind::InternalError) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "Injected failure",
        )
        .into_response(),
        Some(FaultKind::BadGateway) => {
            ApiError::new(StatusCode::BAD_GATEWAY, "BAD_GATEWAY", "Bad gateway").into_response()
        }
        Some(FaultKind::Unavailable) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            "Service unavailable",
        )
        .into_response(),
        Some(FaultKind::DropBeforeStore) => return hang_up(hangup).await,
        Some(FaultKind::Slow) => {
            tokio::time::sleep(shared.config.faults.slow_delay).await;
            next.run(request).await
        }
        Some(FaultKind::DropAfterStore) => {
            let _ = next.run(request).await;
            return hang_up(hangup).await;
        }
        Some(FaultKind::TruncatedBody) => truncate(next.run(request).await).await,
        None => next.run(request).await,
    };
    response.headers_mut().extend(limit_headers.drain());
    response
}

fn pick_fault(shared: &Shared, path: &str) -> Option<FaultKind> {
    let faults = &shared.config.faults;
    if !faults.applies_to(path) {
        return None;
    }
    let draw: f64 = lock(&shared.rng).random();
    let fault = faults.pick(draw)?;
    *lock(&shared.stats.faults).entry(fault).or_default() += 1;
    Some(fault)
}

async fn hang_up(hangup: Option<Hangup>) -> Response {
    if let Some(hangup) = hangup {
        hangup.0.notify_one();
        // The connection is being dropped; this answer is never written.
        std::future::pending::<()>().await;
    }
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// Sends the first half of the body, then breaks the connection.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let half = Bytes::copy_from_slice(&bytes[..bytes.len() / 2]);
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        vec![Ok(half), Err(std::io::Error::other("injected truncation"))];
    Response::from_parts(parts, Body::from_stream(futures::stream::iter(chunks)))
}

fn authenticate(shared: &Shared, request: &Request) -> Result<(), ApiError> {
    let token = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let accepted = match token {
        Some(token) => shared.config.tokens.is_empty() || shared.config.tokens.contains(token),
        None => false,
    };
    if accepted {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_AUTHENTICATION",
            "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        ))
    }
}
