//! Client-side rate limiting that matches HubSpot's rolling windows.
//!
//! HubSpot counts requests in a *rolling* window (100, 190 or 250 per 10 s, by tier; 110 per
//! 10 s for a public OAuth app, per installing account; search has its own, smaller one). A token bucket with a burst lets through up to twice the limit in one
//! window, so this limiter keeps the start times of the requests in the current window instead:
//! a request may start when fewer than `max` started in the last `interval`. It adapts to what
//! HubSpot reports: the `X-HubSpot-RateLimit-Max` and `-Interval-Milliseconds` headers resize it,
//! `-Remaining` lower than its own count means other clients share the account's budget (it
//! then counts their requests too), and a 429's `Retry-After` pauses it.
//!
//! One limiter is shared by every clone of a [`Client`](crate::Client). With a
//! [`SharedRateLimit`](crate::SharedRateLimit) (the `redis` feature) the window lives in Redis,
//! shared by every process; this one then only counts along, for when Redis cannot be reached.

mod limit;
mod limiter;
mod local;
mod permit;
#[cfg(feature = "redis")]
mod shared;

pub use limit::{DailyLimit, RateLimit};
pub(crate) use limiter::RateLimiter;
pub(crate) use permit::Refusal;
#[cfg(feature = "redis")]
pub use shared::{RedisUnavailable, SharedRateLimit};
