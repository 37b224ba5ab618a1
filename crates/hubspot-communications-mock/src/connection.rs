//! Serving connections: the fake drives hyper itself (rather than `axum::serve`) so that a
//! fault can close a connection with no answer at all, and so that a client that never
//! finishes its headers is cut off.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower::ServiceExt;

use crate::open_connections::OpenConnections;

/// A switch that closes the connection a request came on, with no answer.
#[derive(Clone, Default)]
pub(crate) struct Hangup {
    switch: Arc<Notify>,
}

impl Hangup {
    /// Closes the connection; the request's answer is never written.
    pub(crate) fn hang_up(&self) {
        self.switch.notify_one();
    }

    async fn requested(&self) {
        self.switch.notified().await;
    }
}

/// How long the server pauses after `accept` fails before it tries again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves every connection `listener` accepts with `app`, each on a task of `connections`,
/// until the task is aborted.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    header_read_timeout: Duration,
    connections: Arc<OpenConnections>,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // Hyper's own timeout covers every request's headers once it knows the connection is
    // HTTP/1 (it needs a timer to count with).
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors (EMFILE) and the like: the error repeats at once, so
            // retrying at once would spin a core until a connection closes.
            Err(_) => {
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let hangup = Hangup::default();
        let arrived = Arc::new(Notify::new());
        let service = app.clone().map_request({
            let (hangup, arrived) = (hangup.clone(), arrived.clone());
            move |mut request: Request<Incoming>| {
                arrived.notify_one();
                request.extensions_mut().insert(hangup.clone());
                request
            }
        });
        let builder = builder.clone();
        connections.spawn(async move {
            let connection =
                builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            tokio::select! {
                _ = connection => {}
                // Dropping the connection closes the socket without a response.
                () = hangup.requested() => {}
                () = first_request_overdue(&arrived, header_read_timeout) => {}
            }
        });
    }
}

/// Ends when no request has arrived within `timeout` of the connection's start. Before its
/// first request hyper is still telling HTTP/1 from HTTP/2 (a client that sends nothing, or
/// part of HTTP/2's preface, is never timed out there), and HTTP/2 has no header timeout.
async fn first_request_overdue(arrived: &Notify, timeout: Duration) {
    if tokio::time::timeout(timeout, arrived.notified())
        .await
        .is_ok()
    {
        std::future::pending::<()>().await;
    }
}
