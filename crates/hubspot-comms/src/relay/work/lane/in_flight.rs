//! Tasks in flight, each with what it carries (its numbers, or its entries), handed back when
//! it ends, however it ends: a task that panicked gives its entries back for a retry.

use std::collections::HashMap;
use std::future::Future;

use tokio::task::{Id, JoinError, JoinSet};

/// Tasks of one kind (lookups, upserts, association requests) and what each carries.
pub(super) struct InFlight<T, R> {
    tasks: JoinSet<R>,
    carried: HashMap<Id, T>,
}

/// A task that ended: what it carried, and its output (or why there is none).
pub(super) type Ended<T, R> = (T, Result<R, JoinError>);

impl<T, R> Default for InFlight<T, R> {
    fn default() -> Self {
        Self {
            tasks: JoinSet::new(),
            carried: HashMap::new(),
        }
    }
}

impl<T, R: Send + 'static> InFlight<T, R> {
    /// Runs `task`, carrying `carried` until it ends.
    pub(super) fn spawn(&mut self, carried: T, task: impl Future<Output = R> + Send + 'static) {
        let id = self.tasks.spawn(task).id();
        self.carried.insert(id, carried);
    }

    pub(super) fn len(&self) -> usize {
        self.tasks.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// What the tasks in flight carry.
    pub(super) fn carried(&self) -> impl Iterator<Item = &T> {
        self.carried.values()
    }

    /// A task that has ended already, if any.
    pub(super) fn try_join_next(&mut self) -> Option<Ended<T, R>> {
        loop {
            let done = self.tasks.try_join_next_with_id()?;
            if let Some(ended) = self.ended(done) {
                return Some(ended);
            }
        }
    }

    /// The next task to end (none when none is in flight).
    pub(super) async fn join_next(&mut self) -> Option<Ended<T, R>> {
        loop {
            let done = self.tasks.join_next_with_id().await?;
            if let Some(ended) = self.ended(done) {
                return Some(ended);
            }
        }
    }

    fn ended(&mut self, done: Result<(Id, R), JoinError>) -> Option<Ended<T, R>> {
        let (id, output) = match done {
            Ok((id, output)) => (id, Ok(output)),
            Err(error) => (error.id(), Err(error)),
        };
        // Every task's id is kept at its spawn: this finds it.
        self.carried.remove(&id).map(|carried| (carried, output))
    }
}
