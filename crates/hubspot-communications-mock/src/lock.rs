//! Locking the fake's mutexes: one rule for poisoning, shared by the state, the store's
//! journal and the webhook worker (which the state does not depend back on).

use std::sync::{Mutex, MutexGuard};

/// Locks a mutex, even one a panicking handler left poisoned.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Handlers never leave the state half-written across a panic point; keep serving.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
