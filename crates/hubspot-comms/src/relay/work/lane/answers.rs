//! What each answer does to the entries it was for: ready, stored, logged, dead, to retry
//! after a backoff, or to look in the directory again; and whether HubSpot is failing.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use hubspot_communications::{ContactMatch, PhoneNumber};
use tokio::task::JoinError;
use tokio::time::Instant;

use super::in_flight::Ended;
use super::{Found, Lane, Settle, Waiting};
use crate::relay::accounts::AccountName;
use crate::relay::metrics::{self, Settled};
use crate::relay::work::batch::{self, Group, Held, Ready, Stored, Verdict};
use crate::relay::work::options::random;

/// How long an entry whose number another worker is looking up waits before it looks in the
/// directory again (no request to HubSpot: a read of Redis).
const ELSEWHERE_WAIT: Duration = Duration::from_millis(500);

/// The longest wait between probes while HubSpot fails.
const MAX_PROBE_WAIT: Duration = Duration::from_secs(1);

impl Lane {
    /// An entry whose number another worker is looking up: it looks in the directory again
    /// in a moment.
    pub(super) fn wait_elsewhere(&mut self, held: Held) {
        let due = Instant::now() + ELSEWHERE_WAIT;
        self.waiting.push(Waiting { due, held });
    }

    /// HubSpot answered a batch or a lookup: `Some(true)` it took something, `Some(false)` it
    /// failed in a way that may pass, `None` it said nothing either way.
    pub(super) fn hubspot_answered(&mut self, took: Option<bool>) {
        match took {
            Some(true) => {
                if self.failures > 0 {
                    // HubSpot is back: what waits for it need not wait out its backoff.
                    let now = Instant::now();
                    for waiting in &mut self.waiting {
                        waiting.due = waiting.due.min(now);
                    }
                    tracing::info!(account = %self.logging.account, "HubSpot answers again");
                }
                self.failures = 0;
            }
            Some(false) => {
                self.failures = self.failures.saturating_add(1);
                // Probes go at most a second apart (each is one request): a lane meets HubSpot
                // back from an outage within a second, whatever its entries' backoffs.
                self.probe_at = Instant::now() + self.backoff(self.failures).min(MAX_PROBE_WAIT);
            }
            None => {}
        }
    }

    /// A lookup's answers: each number's entries ready, or judged.
    pub(super) fn looked_up(&mut self, (numbers, outcome): Ended<Vec<PhoneNumber>, Found>) {
        self.hubspot_answered(match &outcome {
            Ok(Ok(_)) => Some(true),
            Ok(Err(_)) => Some(false),
            Err(_) => None,
        });
        let now = Instant::now();
        let mut retried = Retried::default();
        for number in numbers {
            let entries = self.unresolved.remove(&number).unwrap_or_default();
            let verdict = match &outcome {
                Ok(Ok(found)) => match found.get(&number) {
                    Some(ContactMatch::Found(id) | ContactMatch::Created(id)) => {
                        for held in entries {
                            let contact = id.clone();
                            self.make_ready(
                                Ready {
                                    held,
                                    contact,
                                    from_directory: false,
                                },
                                now,
                            );
                        }
                        continue;
                    }
                    answer => batch::unmatched(&number, answer.unwrap_or(&ContactMatch::NotFound)),
                },
                Ok(Err(error)) => {
                    batch::judge(error, &self.logging.key_property, "finding the contacts")
                }
                Err(error) => Verdict::Retry(task_failed("the lookup", error)),
            };
            for held in entries {
                self.conclude(held, verdict.clone(), &mut retried);
            }
        }
        retried.log(&self.logging.account);
    }

    /// An upsert's answers: each message stored (to be associated), or its entries judged.
    pub(super) fn upserted(
        &mut self,
        (groups, outcome): Ended<Arc<Vec<Group>>, Vec<Result<String, Verdict>>>,
    ) {
        let (answers, failure) = match outcome {
            Ok(answers) => (answers, None),
            Err(error) => (Vec::new(), Some(task_failed("an upsert", &error))),
        };
        let stored_any = answers.iter().any(Result::is_ok);
        let mut answers = answers.into_iter();
        let now = Instant::now();
        let mut retried = Retried::default();
        for group in Arc::unwrap_or_clone(groups) {
            match answers.next() {
                Some(Ok(message)) => {
                    self.stored.push(Stored { group, message });
                    self.stored_since.get_or_insert(now);
                }
                Some(Err(verdict)) => self.conclude_all(group, &verdict, &mut retried),
                None => self.conclude_all(group, &unanswered(&failure), &mut retried),
            }
        }
        self.answered(stored_any, failure.is_none() && retried.first.is_some());
        retried.log(&self.logging.account);
    }

    /// An association request's answers: each message's entries logged, or judged.
    pub(super) fn associated(&mut self, (stored, outcome): Ended<Arc<Vec<Stored>>, Vec<Verdict>>) {
        let (verdicts, failure) = match outcome {
            Ok(verdicts) => (verdicts, None),
            Err(error) => (
                Vec::new(),
                Some(task_failed("an association request", &error)),
            ),
        };
        let logged_any = verdicts.contains(&Verdict::Logged);
        let mut verdicts = verdicts.into_iter();
        let mut retried = Retried::default();
        for stored in Arc::unwrap_or_clone(stored) {
            let verdict = verdicts.next().unwrap_or_else(|| unanswered(&failure));
            self.conclude_all(stored.group, &verdict, &mut retried);
        }
        self.answered(logged_any, failure.is_none() && retried.first.is_some());
        retried.log(&self.logging.account);
    }

    /// What an upsert's or association's answer says of HubSpot: it took something, or it
    /// failed every message in a way that may pass.
    pub(super) fn answered(&mut self, took_any: bool, retried_any: bool) {
        if took_any {
            self.hubspot_answered(Some(true));
        } else if retried_any {
            self.hubspot_answered(Some(false));
        }
    }

    fn conclude_all(&mut self, group: Group, verdict: &Verdict, retried: &mut Retried) {
        for ready in group {
            self.conclude(ready.held, verdict.clone(), retried);
        }
    }

    /// An entry's verdict: settled, or queued for its next try.
    fn conclude(&mut self, held: Held, verdict: Verdict, retried: &mut Retried) {
        match verdict {
            Verdict::Wait(_) => self.wait_elsewhere(held),
            Verdict::Retry(reason) => {
                self.counts.retried.fetch_add(1, Ordering::Relaxed);
                metrics::settled(&self.logging.account, Settled::Retried, 1);
                let tries = self.tries.entry(held.id.clone()).or_insert(0);
                *tries += 1;
                let tries = *tries;
                let due = Instant::now() + self.backoff(tries);
                retried.first.get_or_insert((reason, tries));
                self.waiting.push(Waiting { due, held });
            }
            settled => self.conclude_settled(held.id, settled),
        }
    }

    /// An entry logged or dead, to be written to Redis.
    pub(super) fn conclude_settled(&mut self, id: String, verdict: Verdict) {
        self.tries.remove(&id);
        match verdict {
            Verdict::Logged => {
                self.counts.logged.fetch_add(1, Ordering::Relaxed);
                metrics::settled(&self.logging.account, Settled::Logged, 1);
                self.unsettled.push((id, Settle::Ack));
            }
            Verdict::Dead(reason) => {
                tracing::warn!(account = %self.logging.account, entry = %id, %reason, "dead letter");
                self.counts.dead_lettered.fetch_add(1, Ordering::Relaxed);
                metrics::settled(&self.logging.account, Settled::DeadLettered, 1);
                self.unsettled.push((id, Settle::Dead(reason)));
            }
            Verdict::Retry(reason) | Verdict::Wait(reason) => {
                // Not reached (`conclude` queues retries); kept, not lost, all the same.
                tracing::error!(account = %self.logging.account, entry = %id, %reason,
                    "an entry to retry was settled; it stays pending, for a claim");
            }
        }
    }

    /// The wait before try `tries + 1`: doubling from `retry_after` up to `max_retry_after`,
    /// with a fifth of jitter so that workers do not come back together.
    pub(super) fn backoff(&self, tries: u32) -> Duration {
        let base = self
            .options
            .retry_after
            .saturating_mul(1 << tries.saturating_sub(1).min(16))
            .min(self.options.max_retry_after);
        let jitter = base.mul_f64((random() % 1_000) as f64 / 5_000.0);
        base.saturating_sub(base / 10) + jitter
    }
}

/// Why a task failed, for its entries' retry.
fn task_failed(what: &str, error: &JoinError) -> String {
    tracing::error!(%error, "{what}'s task failed; its entries are tried again");
    format!("{what}'s task failed: {error}")
}

/// The verdict of an entry a task's answer left out: tried again rather than lost.
fn unanswered(failure: &Option<String>) -> Verdict {
    Verdict::Retry(
        failure
            .clone()
            .unwrap_or_else(|| "HubSpot's answer did not account for the message".to_owned()),
    )
}

/// The first reason entries of one answer were kept for a retry, logged once for them all.
#[derive(Default)]
struct Retried {
    first: Option<(String, u32)>,
}

impl Retried {
    fn log(&self, account: &AccountName) {
        if let Some((reason, tries)) = &self.first {
            tracing::warn!(%account, %reason, tries, "not logged yet; trying again later");
        }
    }
}
