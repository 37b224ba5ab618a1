//! When and how long to wait before trying a failed request again.

mod classify;

pub(crate) use classify::{Failure, Verdict, classify, status_failure};

use std::time::Duration;

/// Retries with exponential backoff and full jitter.
///
/// One rule decides what is retried and what a failure means for the data, for the client and
/// for [`Error::is_retryable`](crate::Error::is_retryable) and
/// [`Error::is_fate_unknown`](crate::Error::is_fate_unknown) alike. A read changes nothing; an
/// idempotent write (update, archive, upsert, associate) does the same sent once or twice; a
/// create (single or batch) sent twice logs twice, so it is retried only where HubSpot cannot
/// have acted on it:
///
/// | failure | read | idempotent write | create |
/// |---|---|---|---|
/// | 429, not `DAILY` | retry | retry | retry |
/// | 429 `DAILY`; any other 4xx | final | final | final |
/// | 503 | retry | retry | retry |
/// | 500, 502, 504, other 5xx | retry | retry, unknown | final, unknown |
/// | a status the operation does not document (1xx, 3xx, another 2xx) | final | final, unknown | final, unknown |
/// | an answer that cannot be read | retry | retry, unknown | final, unknown |
/// | an answer over the size limit | final | final, unknown | final, unknown |
/// | an answer that contradicts itself (a batch input unaccounted for, a repeated cursor) | final | final, unknown | final, unknown |
/// | no connection made | retry | retry | retry |
/// | timeout, or connection lost after sending | retry | retry, unknown | final, unknown |
/// | the call's deadline passed while a request was out | final | final, unknown | final, unknown |
/// | never sent (invalid input, a rate-limit wait too long, the deadline before sending) | final | final | final |
///
/// *Retry*: the client tries again as this policy allows (backoff, number of retries).
/// *Unknown*: HubSpot may have acted although no answer says so; reads change nothing, so
/// their fate is never unknown. A 429 and a 503 are HubSpot's refusals: nothing was done.
///
/// A 429 is retried after its `Retry-After`, unless that is over
/// [`max_retry_after`](Self::max_retry_after).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// Up to 5 retries, from 250 ms doubling to at most 30 s; a `Retry-After` of up to 60 s
    /// is waited out.
    fn default() -> Self {
        Self {
            max_retries: 5,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

/// The policy's setters, one a field: each replaces its field and returns the policy (`const`,
/// so a policy can be a constant).
macro_rules! setters {
    ($($(#[$doc:meta])* $field:ident($value:ident: $type:ty);)*) => {
        impl RetryPolicy {
            $(
                $(#[$doc])*
                #[must_use]
                pub const fn $field(mut self, $value: $type) -> Self {
                    self.$field = $value;
                    self
                }
            )*
        }
    };
}

setters! {
    /// How many times a request may be retried after its first attempt.
    max_retries(max_retries: u32);
    /// The backoff before the first retry; it doubles with each further one.
    initial_backoff(backoff: Duration);
    /// The longest backoff between two attempts (a `Retry-After` may ask for more).
    max_backoff(backoff: Duration);
    /// The longest wait HubSpot can impose on a call: a `Retry-After`, or one wait of the rate
    /// limiter for the window HubSpot's `X-HubSpot-RateLimit-*` headers describe. A 429 or 503
    /// asking for longer is returned to the caller at once, with the wait it asked for
    /// ([`ApiError::retry_after`](crate::ApiError::retry_after)); a longer limiter wait is
    /// [`Error::Throttled`](crate::Error::Throttled). 60 s by default.
    max_retry_after(wait: Duration);
}

impl RetryPolicy {
    /// No retries at all: every failure reaches the caller at once. (A rate-limit wait is
    /// not a retry: it is still bounded by the default [`max_retry_after`](Self::max_retry_after).)
    pub const fn never() -> Self {
        Self {
            max_retries: 0,
            initial_backoff: Duration::ZERO,
            max_backoff: Duration::ZERO,
            max_retry_after: Duration::from_secs(60),
        }
    }

    /// The longest wait HubSpot can impose on a call (see [`max_retry_after`](Self::max_retry_after)).
    pub(crate) fn longest_wait(&self) -> Duration {
        self.max_retry_after
    }

    /// Whether retry number `retry` (1 for the first) is allowed.
    pub(crate) fn allows(&self, retry: u32) -> bool {
        retry <= self.max_retries
    }

    /// The wait before retry number `retry` (1 for the first): the backoff, or the server's
    /// `Retry-After` if longer; `None` if that is longer than the policy lets a call wait.
    pub(crate) fn wait(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        match retry_after {
            Some(asked) if asked > self.max_retry_after => None,
            Some(asked) => Some(asked.max(self.backoff(retry))),
            None => Some(self.backoff(retry)),
        }
    }

    /// A random duration up to the exponential ceiling ("full jitter"), so that many clients
    /// do not retry in step.
    fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)))
            .min(self.max_backoff);
        ceiling.mul_f64(fastrand::f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_up_to_the_cap_with_jitter() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(1000));
        for _ in 0..200 {
            assert!(policy.backoff(1) <= Duration::from_millis(100));
            assert!(policy.backoff(3) <= Duration::from_millis(400));
            assert!(policy.backoff(30) <= Duration::from_millis(1000));
        }
        let spread: std::collections::BTreeSet<_> = (0..50).map(|_| policy.backoff(4)).collect();
        assert!(spread.len() > 10, "jitter should spread retries");
    }

    #[test]
    fn a_retry_after_beyond_the_longest_wait_is_not_waited_for() {
        let policy = RetryPolicy::default()
            .max_backoff(Duration::from_millis(10))
            .max_retry_after(Duration::from_secs(30));
        let asked = |secs| policy.wait(1, Some(Duration::from_secs(secs)));
        assert_eq!(asked(10), Some(Duration::from_secs(10)));
        assert_eq!(asked(30), Some(Duration::from_secs(30)));
        assert_eq!(asked(31), None);
        assert!(policy.wait(1, None).unwrap() <= Duration::from_millis(10));
    }

    #[test]
    fn never_allows_no_retry() {
        assert!(!RetryPolicy::never().allows(1));
        assert!(RetryPolicy::default().allows(5));
        assert!(!RetryPolicy::default().allows(6));
    }
}
