//! The scripts a test queued ([`crate::MockServer::script`]), and the middleware that gives
//! their answers in place of the routes'.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::lock::lock;
use crate::script::Script;

/// The queued scripts, oldest first, and how many answers they gave.
#[derive(Default)]
pub(crate) struct Scripts {
    queue: Mutex<Vec<Script>>,
    given: AtomicU64,
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
    match scripts.take(&request) {
        Some(response) => response,
        None => next.run(request).await,
    }
}
