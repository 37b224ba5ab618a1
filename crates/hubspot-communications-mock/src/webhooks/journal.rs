//! What the store notes of each write, and how many notes and events are not delivered yet.

use std::sync::{Arc, Mutex};

use tokio::sync::Notify;
use tokio::sync::mpsc::UnboundedSender;

use crate::association::AssociationType;
use crate::lock::lock;
use crate::object_type::RecordId;
use crate::property::PropertyOwner;

/// One write, as webhooks see it.
#[derive(Debug, Clone)]
pub(crate) enum Change {
    /// A message or record was created.
    Created { object: PropertyOwner, id: u64 },
    /// A property was set, changed or cleared (`""`).
    PropertyChanged {
        object: PropertyOwner,
        id: u64,
        name: String,
        value: String,
    },
    /// A message or record was archived.
    Deleted { object: PropertyOwner, id: u64 },
    /// An association type between a message and a record was added or removed.
    Associated {
        message: u64,
        record: RecordId,
        how: AssociationType,
        removed: bool,
    },
}

/// A change and when it happened (Unix ms: `occurredAt`).
#[derive(Debug, Clone)]
pub(crate) struct Noted {
    pub(crate) change: Change,
    pub(crate) at: i64,
}

/// The store's side of the delivery task: notes go down an unbounded channel (a write never
/// waits for a delivery), each counted as pending until the task has delivered it.
#[derive(Debug, Clone)]
pub(crate) struct Journal {
    pub(crate) sender: UnboundedSender<Noted>,
    pub(crate) pending: Arc<Pending>,
}

impl Journal {
    pub(crate) fn note(&self, change: Change) {
        self.pending.add(1);
        let noted = Noted {
            change,
            at: chrono::Utc::now().timestamp_millis(),
        };
        if self.sender.send(noted).is_err() {
            self.pending.done(1);
        }
    }
}

/// How many notes and events are not settled yet (delivered, refused for good, or out of
/// retries), and a signal when none is.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    count: Mutex<usize>,
    settled: Notify,
}

impl Pending {
    pub(crate) fn add(&self, n: usize) {
        *lock(&self.count) += n;
    }

    pub(crate) fn done(&self, n: usize) {
        let mut count = lock(&self.count);
        *count = count.saturating_sub(n);
        if *count == 0 {
            self.settled.notify_waiters();
        }
    }

    /// Waits until nothing is pending.
    pub(crate) async fn settled(&self) {
        loop {
            let notified = self.settled.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if *lock(&self.count) == 0 {
                return;
            }
            notified.await;
        }
    }
}
