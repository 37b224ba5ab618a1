//! What the fake's HTTP-level suites share: one request to the fake, and its answer.

#![allow(dead_code)]

use hubspot_communications_mock::MockServer;
use serde_json::Value;

/// Sends `method path` (with a JSON `body`, if any) to `server` with a bearer token; the
/// answer's status, headers and JSON body (`null` if it has none).
pub async fn call(
    server: &MockServer,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", server.base_url()))
        .bearer_auth("token");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("an HTTP answer");
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (
        status,
        headers,
        response.json().await.unwrap_or(Value::Null),
    )
}

/// [`call`] without the headers.
pub async fn send(
    server: &MockServer,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (status, _, body) = call(server, method, path, body).await;
    (status, body)
}
