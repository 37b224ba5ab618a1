//! What a client reports of each request it sends: for metrics (HubSpot's 429s, the time
//! spent waiting for the account's limit) without a dependency on any metrics crate.

use std::sync::Arc;
use std::time::Duration;

use crate::operation::Operation;

/// One request a client sent, as [`ClientBuilder::on_attempt`](crate::ClientBuilder::on_attempt)
/// reports it: which call, which try of it, how long it waited for the rate limit before it
/// was sent, and what HubSpot answered.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use hubspot_communications::Client;
///
/// let rate_limited = Arc::new(AtomicU64::new(0));
/// let count = Arc::clone(&rate_limited);
/// let client = Client::builder("pat-na1-example")
///     .on_attempt(move |attempt| {
///         if attempt.status() == Some(429) {
///             count.fetch_add(1, Ordering::Relaxed);
///         }
///     })
///     .build()?;
/// # Ok::<(), hubspot_communications::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Attempt {
    pub(crate) operation: Operation,
    pub(crate) number: u32,
    pub(crate) waited: Duration,
    pub(crate) status: Option<u16>,
}

impl Attempt {
    /// The call it belongs to.
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// Which try of the call it was: 1 for the first, more for retries.
    pub fn number(&self) -> u32 {
        self.number
    }

    /// How long it waited for the account's rate limit before it was sent.
    pub fn waited(&self) -> Duration {
        self.waited
    }

    /// HubSpot's HTTP status; `None` when no answer came (a transport failure, or the
    /// client's deadline).
    pub fn status(&self) -> Option<u16> {
        self.status
    }
}

/// The callback of [`ClientBuilder::on_attempt`](crate::ClientBuilder::on_attempt).
pub(crate) type AttemptCallback = Arc<dyn Fn(&Attempt) + Send + Sync>;
