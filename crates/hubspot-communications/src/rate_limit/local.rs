//! This process's rolling window: the start times of the requests in the current window.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::HeaderMap;
use tokio::time::Instant;

use super::limit::RateLimit;
use super::permit::{GUARD, Permit, Refusal};

/// A rolling window kept in this process.
#[derive(Debug)]
pub(crate) struct LocalWindow {
    window: Mutex<Window>,
}

impl LocalWindow {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self {
            window: Mutex::new(Window {
                limit,
                starts: VecDeque::with_capacity(limit.max.min(1024) as usize),
                counted: 0,
                paused_until: None,
            }),
        }
    }

    /// Waits until a request may start in this window, counts it, and returns its turn (see
    /// [`RateLimiter::acquire`](super::RateLimiter::acquire) for the bounds).
    pub(crate) async fn acquire(
        &self,
        longest_wait: Duration,
        deadline: Option<Instant>,
    ) -> Result<Permit, Refusal> {
        let mut begun = None;
        loop {
            let ready_at = {
                let mut window = self.lock();
                let now = Instant::now();
                match window.ready_at(now) {
                    None => {
                        window.count(now, 1);
                        let waited = begun.map_or(Duration::ZERO, |begun| now - begun);
                        return Ok(Permit::local(waited, now));
                    }
                    Some(at) if at - now > longest_wait => return Err(Refusal::TooLong(at - now)),
                    Some(at) if deadline.is_some_and(|deadline| at > deadline) => {
                        return Err(Refusal::Deadline);
                    }
                    Some(at) => at,
                }
            };
            begun.get_or_insert_with(Instant::now);
            tokio::time::sleep_until(ready_at).await;
        }
    }

    /// Adjusts to the rate-limit headers of a HubSpot answer.
    pub(crate) fn observe(&self, headers: &HeaderMap) {
        let (mut max, mut interval, mut remaining) = (None, None, None);
        // One pass over the few headers of an answer costs less than hashing three names.
        for (name, value) in headers {
            let Some(which) = name.as_str().strip_prefix("x-hubspot-ratelimit-") else {
                continue;
            };
            let number = || value.to_str().ok()?.trim().parse::<u64>().ok();
            match which {
                "max" => max = number().filter(|&max| max > 0),
                "interval-milliseconds" => {
                    interval = number()
                        .filter(|&ms| ms > 0)
                        .map(|ms| ms.min(LONGEST_WINDOW_MS));
                }
                "remaining" => remaining = number(),
                _ => {}
            }
        }
        if max.is_none() && interval.is_none() && remaining.is_none() {
            return;
        }
        let mut window = self.lock();
        if let Some(max) = max {
            window.limit.max = u32::try_from(max).unwrap_or(u32::MAX);
        }
        if let Some(ms) = interval {
            window.limit.interval = Duration::from_millis(ms);
        }
        if let Some(remaining) = remaining {
            let now = Instant::now();
            window.evict(now);
            let max = u64::from(window.limit.max);
            let ours = max.saturating_sub(window.counted);
            // Others spend the same budget: count what they spent as if it started now.
            let theirs = ours.saturating_sub(remaining);
            if theirs > 0 {
                window.count(now, u32::try_from(theirs).unwrap_or(u32::MAX));
            }
        }
    }

    /// Lets no request start before `until` (a 429's `Retry-After`).
    pub(crate) fn pause_until(&self, until: Instant) {
        let mut window = self.lock();
        window.paused_until = Some(window.paused_until.map_or(until, |at| at.max(until)));
    }

    /// Counts the request of a turn counted at `counted_at` from now: it was answered.
    pub(crate) fn finished(&self, counted_at: Instant) {
        self.lock().recount(counted_at, Instant::now());
    }

    /// When this process's pause ends, if one holds at `now`, and the limit in force.
    #[cfg(feature = "redis")]
    pub(crate) fn pause_and_limit(&self, now: Instant) -> (Option<Instant>, RateLimit) {
        let mut window = self.lock();
        let paused = window.paused_until.filter(|until| *until > now);
        if paused.is_none() {
            window.paused_until = None;
        }
        (paused, window.limit)
    }

    /// Counts a request that started at `at` by the shared window's leave, so that this
    /// window knows the process's recent requests if it has to decide alone.
    #[cfg(feature = "redis")]
    pub(crate) fn record(&self, at: Instant) -> Instant {
        let mut window = self.lock();
        window.evict(at);
        window.count(at, 1);
        at
    }

    /// The limit in force (it follows HubSpot's headers).
    pub(crate) fn limit(&self) -> RateLimit {
        self.lock().limit
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Window> {
        // The window holds plain numbers: a panic elsewhere cannot leave it inconsistent.
        self.window
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[derive(Debug)]
struct Window {
    limit: RateLimit,
    /// Requests counted in the current window, oldest first: when they started and how many
    /// started then (one for ours; a batch for other clients' seen in a header at once).
    starts: VecDeque<(Instant, u32)>,
    /// The sum of the counts in `starts`.
    counted: u64,
    paused_until: Option<Instant>,
}

/// HubSpot's windows are seconds long; a header claiming more than a day is not believed (and
/// could not be added to a clock).
const LONGEST_WINDOW_MS: u64 = 24 * 60 * 60 * 1000;

impl Window {
    /// `None` if a request may start at `now`, else when to look again.
    fn ready_at(&mut self, now: Instant) -> Option<Instant> {
        if let Some(until) = self.paused_until {
            if until > now {
                return Some(until);
            }
            self.paused_until = None;
        }
        self.evict(now);
        if self.counted < u64::from(self.limit.max) {
            None
        } else {
            self.starts
                .front()
                .map(|(oldest, _)| *oldest + self.limit.interval + GUARD)
        }
    }

    fn count(&mut self, at: Instant, requests: u32) {
        // Entries stay in time order: `at` is nearly always the newest.
        let place = self.starts.partition_point(|&(start, _)| start <= at);
        self.starts.insert(place, (at, requests));
        self.counted += u64::from(requests);
    }

    /// Moves one request counted at `counted_at` to `now`; counts it anew if it already left
    /// the window (HubSpot may have counted it as late as now).
    fn recount(&mut self, counted_at: Instant, now: Instant) {
        let first = self
            .starts
            .partition_point(|&(start, _)| start < counted_at);
        if let Some(entry) = self
            .starts
            .get_mut(first)
            .filter(|(start, _)| *start == counted_at)
        {
            entry.1 -= 1;
            if entry.1 == 0 {
                self.starts.remove(first);
            }
            self.counted -= 1;
        }
        self.count(now, 1);
    }

    fn evict(&mut self, now: Instant) {
        let span = self.limit.interval + GUARD;
        // A shrunken limit: forget the oldest beyond the new maximum's worth of history.
        let history = 4 * u64::from(self.limit.max.max(1));
        while let Some(&(start, requests)) = self.starts.front() {
            if now.duration_since(start) < span && self.counted <= history {
                break;
            }
            self.starts.pop_front();
            self.counted -= u64::from(requests);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A window of `limit` that then read HubSpot's `X-HubSpot-RateLimit-*` headers, named here
    /// without that prefix.
    fn after_headers(limit: RateLimit, headers: &[(&str, &str)]) -> LocalWindow {
        let limiter = LocalWindow::new(limit);
        let headers: HeaderMap = headers
            .iter()
            .map(|(name, value)| {
                let name = format!("x-hubspot-ratelimit-{name}");
                (name.parse().unwrap(), value.parse().unwrap())
            })
            .collect();
        limiter.observe(&headers);
        limiter
    }

    #[tokio::test(start_paused = true)]
    async fn lets_max_through_then_waits_for_the_oldest_to_leave_the_window() {
        let limiter = LocalWindow::new(RateLimit::new(3, Duration::from_secs(1)));
        for _ in 0..3 {
            assert_eq!(take(&limiter).await, Duration::ZERO);
        }
        let waited = take(&limiter).await;
        assert_eq!(waited, Duration::from_secs(1) + GUARD);
    }

    #[tokio::test(start_paused = true)]
    async fn never_exceeds_max_in_any_rolling_window() {
        let limiter = std::sync::Arc::new(LocalWindow::new(RateLimit::new(
            5,
            Duration::from_millis(500),
        )));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..40 {
            let limiter = limiter.clone();
            tasks.push(tokio::spawn(async move {
                take(&limiter).await;
                Instant::now() - start
            }));
        }
        let mut times = Vec::new();
        for task in tasks {
            times.push(task.await.unwrap());
        }
        times.sort();
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..]
                .iter()
                .take_while(|u| **u - *t < Duration::from_millis(500))
                .count();
            assert!(
                in_window <= 5,
                "{in_window} requests within 500 ms from {t:?}"
            );
        }
        // And it runs at the limit: 40 requests at 5 per ~0.5 s take ~7 windows.
        assert!(*times.last().unwrap() < Duration::from_millis(7 * 525 + 1));
    }

    #[tokio::test(start_paused = true)]
    async fn adopts_the_limit_hubspot_reports_and_counts_other_clients() {
        let limiter = after_headers(
            RateLimit::STARTER,
            &[
                ("max", "190"),
                ("interval-milliseconds", "10000"),
                ("remaining", "2"),
            ],
        );
        assert_eq!(limiter.limit(), RateLimit::PROFESSIONAL);
        assert_eq!(take(&limiter).await, Duration::ZERO);
        assert_eq!(take(&limiter).await, Duration::ZERO);
        assert!(take(&limiter).await >= Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_request_until_it_ends() {
        let limiter = LocalWindow::new(RateLimit::STARTER);
        limiter.pause_until(Instant::now() + Duration::from_secs(2));
        assert_eq!(take(&limiter).await, Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn other_clients_spending_a_huge_budget_are_counted_in_one_entry() {
        // A limit of u32::MAX fully spent by others: one entry, not four billion.
        let limiter = after_headers(
            RateLimit::STARTER,
            &[
                ("max", "4294967295"),
                ("interval-milliseconds", "1000"),
                ("remaining", "0"),
            ],
        );
        assert_eq!(limiter.lock().starts.len(), 1);
        assert_eq!(
            take(&limiter).await,
            Duration::from_secs(1) + GUARD,
            "the spent budget holds requests until it leaves the window"
        );
    }

    #[test]
    fn ignores_malformed_headers() {
        let limiter = after_headers(RateLimit::STARTER, &[("max", "lots"), ("remaining", "-1")]);
        assert_eq!(limiter.limit(), RateLimit::STARTER);
    }

    #[tokio::test(start_paused = true)]
    async fn an_absurd_interval_is_capped_not_a_panic_and_never_waited_out() {
        let limiter = after_headers(
            RateLimit::new(1, Duration::from_secs(1)),
            &[("interval-milliseconds", "18446744073709551615")],
        );
        assert_eq!(
            limiter.limit().interval,
            Duration::from_millis(LONGEST_WINDOW_MS)
        );
        take(&limiter).await;
        let started = Instant::now();
        let refused = limiter.acquire(Duration::from_secs(60), None).await;
        assert!(
            matches!(refused, Err(Refusal::TooLong(wait)) if wait > Duration::from_secs(86_000)),
            "{refused:?}"
        );
        assert_eq!(started.elapsed(), Duration::ZERO, "refused at once");
    }

    #[tokio::test(start_paused = true)]
    async fn one_header_cannot_hold_calls_for_a_day() {
        let limiter = after_headers(
            RateLimit::STARTER,
            &[("max", "1"), ("interval-milliseconds", "86400000")],
        );
        take(&limiter).await;
        assert!(matches!(
            limiter.acquire(Duration::from_secs(60), None).await,
            Err(Refusal::TooLong(_))
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn a_turn_after_the_deadline_is_refused_without_waiting() {
        let limiter = LocalWindow::new(RateLimit::new(1, Duration::from_secs(10)));
        take(&limiter).await;
        let deadline = Instant::now() + Duration::from_secs(5);
        let started = Instant::now();
        assert!(matches!(
            limiter.acquire(Duration::MAX, Some(deadline)).await,
            Err(Refusal::Deadline)
        ));
        assert_eq!(started.elapsed(), Duration::ZERO);
        // A deadline past the turn waits for it.
        let deadline = Instant::now() + Duration::from_secs(11);
        assert!(limiter.acquire(Duration::MAX, Some(deadline)).await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_counts_from_its_answer() {
        // HubSpot counts a request when it arrives, which may be long after its turn: the next
        // turn is a window after the answer, not after the turn.
        let limiter = LocalWindow::new(RateLimit::new(1, Duration::from_secs(1)));
        let slow = limiter.acquire(Duration::MAX, None).await.unwrap();
        tokio::time::advance(Duration::from_millis(600)).await;
        limiter.finished(slow.counted_at);
        let waited = take(&limiter).await;
        assert_eq!(waited, Duration::from_millis(1000) + GUARD);

        // Answered long after its turn: the window counts it from the answer.
        let slow = limiter.acquire(Duration::MAX, None).await.unwrap();
        tokio::time::advance(Duration::from_secs(3)).await;
        limiter.finished(slow.counted_at);
        assert_eq!(take(&limiter).await, Duration::from_secs(1) + GUARD);
    }

    #[tokio::test(start_paused = true)]
    async fn requests_answered_out_of_order_keep_the_window_in_order() {
        let limiter = LocalWindow::new(RateLimit::new(3, Duration::from_secs(1)));
        let first = limiter.acquire(Duration::MAX, None).await.unwrap();
        tokio::time::advance(Duration::from_millis(100)).await;
        let second = limiter.acquire(Duration::MAX, None).await.unwrap();
        tokio::time::advance(Duration::from_millis(100)).await;
        limiter.finished(second.counted_at); // at 200 ms
        tokio::time::advance(Duration::from_millis(100)).await;
        limiter.finished(first.counted_at); // at 300 ms
        take(&limiter).await; // the third, at 300 ms
        // The window is full until the entry of 200 ms leaves, at 1,200 ms + GUARD.
        assert_eq!(take(&limiter).await, Duration::from_millis(900) + GUARD);
    }

    /// A turn with no bound on the wait.
    async fn take(limiter: &LocalWindow) -> Duration {
        limiter.acquire(Duration::MAX, None).await.unwrap().waited
    }
}
