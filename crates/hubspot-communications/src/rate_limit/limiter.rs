//! The limiter a client holds: this process's window, or, with a
//! [`SharedRateLimit`](crate::SharedRateLimit), the window in Redis that decides instead (this
//! process's then only counts along, for when Redis cannot be reached).

use std::time::Duration;

use reqwest::header::HeaderMap;
use tokio::time::Instant;

use super::limit::RateLimit;
use super::local::LocalWindow;
use super::permit::{Permit, Refusal};
#[cfg(feature = "redis")]
use super::shared::SharedWindow;

/// A rolling-window limiter.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    local: LocalWindow,
    /// The window in Redis that decides instead, if the client shares one.
    #[cfg(feature = "redis")]
    shared: Option<SharedWindow>,
}

impl RateLimiter {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self {
            local: LocalWindow::new(limit),
            #[cfg(feature = "redis")]
            shared: None,
        }
    }

    /// This limiter, deciding through `shared`'s window in Redis.
    #[cfg(feature = "redis")]
    pub(crate) fn shared(mut self, shared: SharedWindow) -> Self {
        self.shared = Some(shared);
        self
    }

    /// Waits until a request may start, counts it, and returns its turn (how long it waited).
    ///
    /// A wait is bounded twice: no single wait the window (as HubSpot's headers describe it)
    /// asks for may exceed `longest_wait`, and no wait may end after `deadline`. Either way the
    /// request is not counted, and the refusal says why.
    pub(crate) async fn acquire(
        &self,
        longest_wait: Duration,
        deadline: Option<Instant>,
    ) -> Result<Permit, Refusal> {
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            return shared.acquire(&self.local, longest_wait, deadline).await;
        }
        self.local.acquire(longest_wait, deadline).await
    }

    /// Says that the request of `permit` was answered (or given up on). HubSpot counted it
    /// before then, however late it arrived: the window counts it from now on, so that no delay
    /// between its turn and its arrival (a busy machine, a slow network) lets the next turn
    /// come too early.
    pub(crate) async fn finished(&self, permit: Permit) {
        self.local.finished(permit.counted_at);
        #[cfg(feature = "redis")]
        if let (Some(shared), Some(entry)) = (&self.shared, permit.entry) {
            shared.finished(&entry, self.limit()).await;
        }
    }

    /// Adjusts to the rate-limit headers of a HubSpot answer.
    pub(crate) fn observe(&self, headers: &HeaderMap) {
        self.local.observe(headers);
    }

    /// Lets no request start before `until` (a 429's `Retry-After`), in every process that
    /// shares the window.
    pub(crate) async fn pause_until(&self, until: Instant) {
        self.local.pause_until(until);
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            shared.pause(until - Instant::now()).await;
        }
    }

    /// The limit in force (it follows HubSpot's headers).
    pub(crate) fn limit(&self) -> RateLimit {
        self.local.limit()
    }
}
