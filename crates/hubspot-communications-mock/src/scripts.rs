//! The scripts a test queued ([`crate::MockServer::script`]), an outage it declared
//! ([`crate::MockServer::outage`]), and the middleware that gives their answers in place of the
//! routes'.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::lock::lock;
use crate::script::Script;

/// The queued scripts, oldest first, how many answers they gave, and when an outage ends.
#[derive(Default)]
pub(crate) struct Scripts {
    queue: Mutex<Vec<Script>>,
    given: AtomicU64,
    outage_until: Mutex<Option<Instant>>,
}

impl Scripts {
    /// Queues `script` after those already queued.
    pub(crate) fn push(&self, script: Script) {
        if script.times > 0 {
            lock(&self.queue).push(script);
        }
    }

    /// How many scripted answers were given.
    pub(crate) fn given(&self) -> u64 {
        self.given.load(Ordering::Relaxed)
    }

    /// Every request is answered 503 for `length` from now (zero ends an outage).
    pub(crate) fn outage(&self, length: Duration) {
        *lock(&self.outage_until) = Some(Instant::now() + length);
    }

    /// The answer of an outage, while one lasts: what HubSpot's edge answers when the API
    /// behind it is down, an HTML page, not HubSpot's error JSON.
    fn outage_answer(&self) -> Option<Response> {
        let until = (*lock(&self.outage_until))?;
        if Instant::now() >= until {
            return None;
        }
        let page = "<html><body><h1>503 Service Unavailable</h1></body></html>";
        let mut response = Response::new(Body::from(page));
        *response.status_mut() = axum::http::StatusCode::SERVICE_UNAVAILABLE;
        response.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("text/html"),
        );
        Some(response)
    }

    /// The answer of the oldest script that matches, counted down (and dropped once used up):
    /// first in, first out among the scripts of one selector.
    fn take(&self, request: &Request) -> Option<Response> {
        let mut queue = lock(&self.queue);
        let index = queue
            .iter()
            .position(|script| script.matches(request.method(), request.uri().path()))?;
        let script = &mut queue[index];
        let mut response = Response::new(Body::from(script.body.clone()));
        *response.status_mut() = script.status;
        *response.headers_mut() = script.headers.clone();
        script.times -= 1;
        if script.times == 0 {
            queue.remove(index);
        }
        self.given.fetch_add(1, Ordering::Relaxed);
        Some(response)
    }
}

/// The middleware: a scripted answer if one matches, else the route's.
pub(crate) async fn answer(
    State(scripts): State<Arc<Scripts>>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(down) = scripts.outage_answer() {
        return down;
    }
    match scripts.take(&request) {
        Some(response) => response,
        None => next.run(request).await,
    }
}
