//! A request's turn, and why a limiter refused one.

use std::time::Duration;

use tokio::time::Instant;

/// A request's turn: how long it waited for it, when this process's window counted it, and, in
/// a shared window, its entry there.
#[derive(Debug)]
pub(crate) struct Permit {
    pub(crate) waited: Duration,
    pub(crate) counted_at: Instant,
    #[cfg(feature = "redis")]
    pub(crate) entry: Option<String>,
}

impl Permit {
    pub(crate) fn local(waited: Duration, counted_at: Instant) -> Self {
        Self {
            waited,
            counted_at,
            #[cfg(feature = "redis")]
            entry: None,
        }
    }
}

/// Why the limiter let a request not wait for its turn.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// The window asks for a wait this long, over the longest the client waits.
    TooLong(Duration),
    /// The turn would come after the call's deadline.
    Deadline,
    /// The shared window's Redis could not be reached within the call's bounds.
    #[cfg(feature = "redis")]
    Unavailable(redis::RedisError),
}

/// Requests arrive at HubSpot a little later than they leave; counting each for a little longer
/// than the window keeps a client running at the limit from meeting 429s through network jitter.
pub(crate) const GUARD: Duration = Duration::from_millis(25);
