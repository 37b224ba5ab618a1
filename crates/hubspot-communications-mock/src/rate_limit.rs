//! HubSpot's rolling-window rate limits, with its headers.

use std::collections::VecDeque;
use std::time::Instant;

use axum::http::HeaderMap;

use crate::config::Limit;

/// A rolling window of request times.
#[derive(Debug)]
pub(crate) struct Window {
    limit: Limit,
    times: VecDeque<Instant>,
}

/// What the window said about one request.
pub(crate) struct Verdict {
    pub(crate) allowed: bool,
    pub(crate) remaining: u32,
    pub(crate) retry_after_secs: u64,
}

impl Window {
    pub(crate) fn new(limit: Limit) -> Self {
        Self {
            limit,
            times: VecDeque::new(),
        }
    }

    /// Counts a request if the window has room.
    pub(crate) fn admit(&mut self, now: Instant) -> Verdict {
        while self
            .times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.limit.window)
        {
            self.times.pop_front();
        }
        let allowed = self.times.len() < self.limit.max as usize;
        if allowed {
            self.times.push_back(now);
        }
        let retry_after = self
            .times
            .front()
            .map(|oldest| {
                self.limit
                    .window
                    .saturating_sub(now.duration_since(*oldest))
            })
            .unwrap_or_default();
        Verdict {
            allowed,
            remaining: self.limit.max.saturating_sub(self.times.len() as u32),
            retry_after_secs: retry_after.as_secs_f64().ceil().max(1.0) as u64,
        }
    }

    /// HubSpot's `X-HubSpot-RateLimit-*` headers.
    pub(crate) fn headers(&self, verdict: &Verdict, headers: &mut HeaderMap) {
        let mut set = |name: &'static str, value: u64| {
            headers.insert(name, value.into());
        };
        set(
            "x-hubspot-ratelimit-interval-milliseconds",
            self.limit.window.as_millis() as u64,
        );
        set("x-hubspot-ratelimit-max", u64::from(self.limit.max));
        set(
            "x-hubspot-ratelimit-remaining",
            u64::from(verdict.remaining),
        );
    }
}

/// The two windows HubSpot keeps per account: one for search, one for everything else.
#[derive(Debug)]
pub(crate) struct Windows {
    general: Window,
    search: Window,
}

impl Windows {
    pub(crate) fn new(general: Limit, search: Limit) -> Self {
        Self {
            general: Window::new(general),
            search: Window::new(search),
        }
    }

    /// The window a request counts against.
    pub(crate) fn for_request(&mut self, search: bool) -> &mut Window {
        if search {
            &mut self.search
        } else {
            &mut self.general
        }
    }
}
