//! The cap on what is read of an answer.
//!
//! Progenitor's generated code reads a whole answer into memory before decoding it, so a
//! server (or anything between it and the client) could make the client buffer gigabytes. The
//! client's `exec` hook hands progenitor a response whose body fails with [`ResponseTooLarge`]
//! once more than the cap would be read; nothing past the cap is ever buffered.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use reqwest::ResponseBuilderExt;

/// The default cap on an answer's body: 32 MiB.
///
/// Far above any real HubSpot answer: a page or batch holds at most 100 records (200 for
/// search), and even 100 records that each carry one text property at HubSpot's limit of
/// 65,536 characters, all 4-byte UTF-8, come to about 25 MiB; a typical page is tens of KiB.
/// Low enough that a few requests in flight cannot exhaust a small container's memory.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 32 * 1024 * 1024;

/// An answer's body was larger than the client's cap, and reading it was stopped.
///
/// Found in the [`source`](std::error::Error::source) chain of the `reqwest::Error` that the
/// client returns (as `Error::ResponseBodyError`); [`response_too_large`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseTooLarge {
    /// The cap, in bytes ([`ClientContext::max_response_bytes`](crate::ClientContext::max_response_bytes)).
    pub limit: u64,
}

impl std::fmt::Display for ResponseTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the answer's body is larger than the client's limit of {} bytes",
            self.limit
        )
    }
}

impl std::error::Error for ResponseTooLarge {}

/// The [`ResponseTooLarge`] behind an error of the client, if that is what stopped it: looks
/// at `error` and every error in its [`source`](std::error::Error::source) chain (and inside
/// any `std::io::Error` on the way, which hides what it wraps from that chain).
///
/// ```
/// # async fn run(client: hubspot_communications_raw::Client) {
/// match client.get_object().object_type("communications").object_id("1").send().await {
///     Err(error) => {
///         if let Some(too_large) = hubspot_communications_raw::response_too_large(&error) {
///             eprintln!("refused an answer over {} bytes", too_large.limit);
///         }
///     }
///     Ok(_) => {}
/// }
/// # }
/// ```
pub fn response_too_large<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a ResponseTooLarge> {
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(found) = error.downcast_ref::<ResponseTooLarge>() {
            return Some(found);
        }
        // An `io::Error` hides the error it wraps from `source()`: look inside it.
        next = match error
            .downcast_ref::<std::io::Error>()
            .and_then(|e| e.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => error.source(),
        };
    }
    None
}

/// The response with a body that fails once more than `limit` bytes would be read. A
/// Content-Length over the limit fails at the first read, without reading anything.
pub(crate) fn cap(mut response: reqwest::Response, limit: u64) -> reqwest::Response {
    let declared = response.content_length();
    if declared.is_some_and(|length| length <= limit) {
        // hyper never yields more than a declared Content-Length: nothing to count.
        return response;
    }
    let head = Head::take(&mut response);
    let body = if declared.is_some() {
        // Dropping the response closes its connection: not a byte of the body is read.
        Capped {
            inner: None,
            read: 0,
            limit,
            failed: false,
        }
    } else {
        Capped {
            inner: Some(Box::pin(response.bytes_stream())),
            read: 0,
            limit,
            failed: false,
        }
    };
    head.with_body(reqwest::Body::wrap_stream(body))
}

/// What a response is besides its body: taken from one, and given another body.
pub(crate) struct Head {
    status: reqwest::StatusCode,
    version: reqwest::Version,
    url: reqwest::Url,
    headers: reqwest::header::HeaderMap,
    extensions: http::Extensions,
}

impl Head {
    /// Takes the head of `response`, leaving its body to be read.
    pub(crate) fn take(response: &mut reqwest::Response) -> Self {
        Self {
            status: response.status(),
            version: response.version(),
            url: response.url().clone(),
            headers: std::mem::take(response.headers_mut()),
            extensions: std::mem::take(response.extensions_mut()),
        }
    }

    /// The headers the response will carry.
    pub(crate) fn headers_mut(&mut self) -> &mut reqwest::header::HeaderMap {
        &mut self.headers
    }

    /// A response with this head and `body`.
    pub(crate) fn with_body(self, body: reqwest::Body) -> reqwest::Response {
        let mut extensions = self.extensions;
        // `url` is kept through the builder's extension, the only public way to set it.
        let mut builder = http::Response::builder().url(self.url);
        if let Some(url) = builder.extensions_mut() {
            extensions.extend(std::mem::take(url));
        }
        let mut response = http::Response::new(body);
        *response.status_mut() = self.status;
        *response.version_mut() = self.version;
        *response.headers_mut() = self.headers;
        *response.extensions_mut() = extensions;
        reqwest::Response::from(response)
    }
}

type Chunks = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// A body that counts what it passes on and fails once past the limit; without `inner`, it
/// fails at the first read.
struct Capped {
    inner: Option<Chunks>,
    read: u64,
    limit: u64,
    failed: bool,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl Stream for Capped {
    type Item = Result<Bytes, BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.failed {
            return Poll::Ready(None);
        }
        let too_large = ResponseTooLarge { limit: this.limit };
        let Some(inner) = this.inner.as_mut() else {
            this.failed = true;
            return Poll::Ready(Some(Err(Box::new(too_large))));
        };
        match inner.as_mut().poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(Box::new(error)))),
            Poll::Ready(Some(Ok(chunk))) => {
                let length = u64::try_from(chunk.len()).unwrap_or(u64::MAX);
                this.read = this.read.saturating_add(length);
                if this.read > this.limit {
                    // Stop reading: the rest of the body is never pulled from the socket.
                    this.inner = None;
                    this.failed = true;
                    Poll::Ready(Some(Err(Box::new(too_large))))
                } else {
                    Poll::Ready(Some(Ok(chunk)))
                }
            }
        }
    }
}
