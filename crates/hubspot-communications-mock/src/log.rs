//! One line per request on stderr: what a program under test sent, and what it was answered.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// Logs `METHOD path?query status` once the answer is ready.
pub(crate) async fn log(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let target = request
        .uri()
        .path_and_query()
        .map_or_else(|| request.uri().path().to_owned(), ToString::to_string);
    let response = next.run(request).await;
    eprintln!("{method} {target} {}", response.status().as_u16());
    response
}
