//! A one-off answer a test scripts for the next calls of an operation, where the fake's state
//! cannot produce it: HubSpot's load balancer's HTML 502, a 429 with its `Retry-After`, a 207
//! of a shape the test needs.

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use bytes::Bytes;

/// The answer to the next [`times`](Script::times) requests that match it, given instead of
/// the route's: the store is not read or changed, and no webhook is sent. Queue it with
/// [`MockServer::script`](crate::MockServer::script).
///
/// A request matches when its path ends with the script's suffix, as
/// [`Faults::on`](crate::Faults::on) selects, and its method is the script's, if one is set.
/// The path is the one routed, as [`Exchange::path`](crate::Exchange::path) shows it: a
/// date-versioned path in its v3/v4 form (`/crm/v3/objects/communications/batch/create` for
/// `/crm/objects/2026-09/communications/batch/create`), so a suffix such as `batch/create`
/// matches on every API version.
///
/// A scripted answer comes after the gate: the request is authenticated and counted against
/// the rate limits as any other (so a refusal of those comes first), and HubSpot's rate-limit
/// headers are added to it unless the script sets them. Observers see it
/// ([`Config::observe`](crate::Config::observe)); [`Stats::scripted`](crate::Stats::scripted)
/// counts it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use hubspot_communications_mock::{MockServer, Script};
///
/// let server = MockServer::start().await?;
/// // HubSpot's load balancer, twice, then the fake's own answers again.
/// server.script(
///     Script::on("communications/batch/create")
///         .status(502)
///         .header("content-type", "text/html")
///         .body("<html><body><h1>502 Bad Gateway</h1></body></html>")
///         .times(2),
/// );
/// // A 429 whose Retry-After the test chooses.
/// server.script(
///     Script::on("/search")
///         .method(reqwest::Method::POST)
///         .status(429)
///         .header("retry-after", "7")
///         .json(&serde_json::json!({"status": "error", "errorType": "RATE_LIMIT",
///             "policyName": "SECONDLY", "message": "You have reached your secondly limit."})),
/// );
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Script {
    pub(crate) method: Option<Method>,
    pub(crate) path_suffix: String,
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) times: usize,
}

impl Script {
    /// An answer to requests whose path ends with `path_suffix` (any method): `200` with an
    /// empty body, once, until set otherwise.
    pub fn on(path_suffix: impl Into<String>) -> Self {
        Self {
            method: None,
            path_suffix: path_suffix.into(),
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::new(),
            times: 1,
        }
    }

    /// Matches only requests of this method (`http::Method`, which reqwest re-exports).
    #[must_use]
    pub fn method(mut self, method: Method) -> Self {
        self.method = Some(method);
        self
    }

    /// The answer's status.
    ///
    /// # Panics
    ///
    /// If `status` is not an HTTP status code (100 to 999): a mistake in the test.
    #[must_use]
    pub fn status(mut self, status: u16) -> Self {
        self.status = StatusCode::from_u16(status)
            .unwrap_or_else(|_| panic!("{status} is not an HTTP status code"));
        self
    }

    /// Adds a header to the answer (call again with the same name for several values).
    ///
    /// # Panics
    ///
    /// If `name` or `value` cannot be an HTTP header's: a mistake in the test.
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let name = HeaderName::from_bytes(name.as_bytes())
            .unwrap_or_else(|_| panic!("{name:?} is not a header name"));
        let value = HeaderValue::from_str(value)
            .unwrap_or_else(|_| panic!("{value:?} is not a header value"));
        self.headers.append(name, value);
        self
    }

    /// The answer's body, as it is (no `content-type` unless [`header`](Script::header) sets
    /// one).
    #[must_use]
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// The answer's body as JSON, with `content-type: application/json`.
    #[must_use]
    pub fn json(mut self, body: &serde_json::Value) -> Self {
        self.body = Bytes::from(body.to_string());
        self.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        self
    }

    /// Answers the next `times` matching requests (1 by default; 0 answers none).
    #[must_use]
    pub fn times(mut self, times: usize) -> Self {
        self.times = times;
        self
    }

    /// Whether it answers a request of `method` to `path` (the path as routed).
    pub(crate) fn matches(&self, method: &Method, path: &str) -> bool {
        self.method.as_ref().is_none_or(|m| m == method) && path.ends_with(&self.path_suffix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_matches_its_suffix_and_method() {
        let any = Script::on("batch/create");
        let path = "/crm/v3/objects/communications/batch/create";
        assert!(any.matches(&Method::POST, path));
        assert!(any.matches(&Method::GET, path));
        assert!(!any.matches(&Method::POST, "/crm/v3/objects/communications/batch/read"));
        let post = Script::on("batch/create").method(Method::POST);
        assert!(post.matches(&Method::POST, path));
        assert!(!post.matches(&Method::GET, path));
    }

    #[test]
    fn headers_add_up_and_json_says_so() {
        let script = Script::on("x")
            .header("set-cookie", "a=1")
            .header("Set-Cookie", "b=2")
            .json(&serde_json::json!({"a": 1}));
        assert_eq!(script.headers.get_all("set-cookie").iter().count(), 2);
        assert_eq!(script.headers[header::CONTENT_TYPE], "application/json");
        assert_eq!(script.body, Bytes::from_static(br#"{"a":1}"#));
        assert_eq!((script.status, script.times), (StatusCode::OK, 1));
    }

    #[test]
    #[should_panic(expected = "is not an HTTP status code")]
    fn a_status_that_is_none_is_a_mistake() {
        let _ = Script::on("x").status(1000);
    }
}
