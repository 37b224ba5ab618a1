//! What one fake server shares between its connections and routes: configuration, store,
//! rate-limit windows, the fault generator and counters.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::account::AccountStats;
use crate::config::Config;
use crate::faults::FaultKind;
use crate::label::Labels;
use crate::lock::lock;
use crate::oauth::Registry;
use crate::rate_limit::Windows;
use crate::schema::Schema;
use crate::scripts::Scripts;
use crate::store::Store;

/// The shared state of one fake server.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) store: Mutex<Store>,
    pub(crate) windows: Mutex<Windows>,
    /// Draws which fault a request gets; seeded so that runs repeat.
    pub(crate) rng: Mutex<StdRng>,
    pub(crate) counters: Counters,
    /// The account's property definitions and groups, HubSpot's defaults and its own; a
    /// request reads a snapshot ([`Shared::schema`]), the Properties API replaces it.
    schema: Mutex<Arc<Schema>>,
    /// The account's association labels.
    pub(crate) labels: Labels,
    /// OAuth apps, installed accounts (with their own windows) and issued tokens.
    pub(crate) oauth: Mutex<Registry>,
    /// The answers a test scripted, given in place of the routes'.
    pub(crate) scripts: Arc<Scripts>,
    /// HubSpot's webhooks journal (the store notes its writes there too).
    pub(crate) journal: Arc<crate::webhooks_journal::Log>,
}

impl Shared {
    pub(crate) fn new(config: Config) -> Self {
        Self {
            windows: Mutex::new(Windows::new(config.rate_limit, config.search_rate_limit)),
            rng: Mutex::new(StdRng::seed_from_u64(config.faults.seed)),
            store: Mutex::new(Store::new(
                config.phone_region.trim().to_ascii_uppercase().parse().ok(),
                config.search_lag,
            )),
            counters: Counters::default(),
            schema: Mutex::new(Arc::new(Schema::new(&config.properties))),
            labels: Labels::new(&config.association_labels),
            oauth: Mutex::new(Registry::new(&config)),
            scripts: Arc::default(),
            journal: Arc::new(crate::webhooks_journal::Log::new(
                config.webhooks_journal.clone(),
                Labels::new(&config.association_labels),
            )),
            config,
        }
    }
}

impl Shared {
    /// The property definitions as they are now: a request reads one snapshot throughout, so
    /// a property created meanwhile takes effect from the next request on.
    pub(crate) fn schema(&self) -> Arc<Schema> {
        Arc::clone(&lock(&self.schema))
    }

    /// Changes the property definitions, atomically with respect to other changes: `change`
    /// works on a copy that replaces them only if it succeeds.
    pub(crate) fn change_schema<T, E>(
        &self,
        change: impl FnOnce(&mut Schema) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut current = lock(&self.schema);
        let mut next = Schema::clone(&current);
        let result = change(&mut next)?;
        *current = Arc::new(next);
        Ok(result)
    }

    /// What the server has served so far, every OAuth account's counts included.
    pub(crate) fn stats(&self) -> Stats {
        let mut stats = self.counters.snapshot();
        stats.accounts = lock(&self.oauth).stats();
        stats.refreshes = stats.accounts.values().map(|a| a.refreshes).sum();
        stats.scripted = self.scripts.given();
        stats
    }
}

/// Running totals behind [`Stats`].
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) requests: AtomicU64,
    pub(crate) rate_limited: AtomicU64,
    pub(crate) faults: Mutex<BTreeMap<FaultKind, u64>>,
}

impl Counters {
    /// A snapshot of the totals.
    pub(crate) fn snapshot(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            faults: lock(&self.faults).clone(),
            refreshes: 0,
            accounts: BTreeMap::new(),
            scripted: 0,
        }
    }
}

/// What a fake server has served so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Requests received.
    pub requests: u64,
    /// Requests refused with a 429 for the rate limits (injected 429s are faults).
    pub rate_limited: u64,
    /// Faults injected, by kind.
    pub faults: BTreeMap<FaultKind, u64>,
    /// Refresh tokens exchanged at the OAuth token endpoint, all accounts together.
    pub refreshes: u64,
    /// Each OAuth account's counts, by account id.
    pub accounts: BTreeMap<u64, AccountStats>,
    /// Scripted answers given ([`MockServer::script`](crate::MockServer::script)).
    pub scripted: u64,
}
