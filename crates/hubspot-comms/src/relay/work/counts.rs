//! What a worker did since it started.

use std::sync::atomic::{AtomicU64, Ordering};

/// What a worker did since it started, readable while it runs (each count an atomic).
#[derive(Debug, Default)]
pub struct WorkerCounts {
    pub(super) logged: AtomicU64,
    pub(super) dead_lettered: AtomicU64,
    pub(super) retried: AtomicU64,
    pub(super) claimed: AtomicU64,
}

impl WorkerCounts {
    /// Entries logged and acknowledged (acknowledgements Redis has not taken yet included).
    pub fn logged(&self) -> u64 {
        self.logged.load(Ordering::Relaxed)
    }

    /// Entries moved to the dead letters.
    pub fn dead_lettered(&self) -> u64 {
        self.dead_lettered.load(Ordering::Relaxed)
    }

    /// Tries that failed in a way that may pass, each to be tried again.
    pub fn retried(&self) -> u64 {
        self.retried.load(Ordering::Relaxed)
    }

    /// Entries claimed from other consumers that held them too long.
    pub fn claimed(&self) -> u64 {
        self.claimed.load(Ordering::Relaxed)
    }
}
