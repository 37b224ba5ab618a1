//! The server's open connections, each a task, so that stopping the server closes every one of
//! them: a stopped fake that still answered on a kept-alive connection would let a "HubSpot went
//! away" test pass wrongly.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::task::AbortHandle;

use crate::lock::lock;

/// The tasks serving open connections, until [`OpenConnections::close_all`].
#[derive(Default)]
pub(crate) struct OpenConnections {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Set once by `close_all`: a connection accepted later is closed at once.
    closed: bool,
    next_id: u64,
    /// The running connections' tasks; each removes itself when its connection ends.
    tasks: HashMap<u64, AbortHandle>,
}

impl OpenConnections {
    /// Serves a connection on a task of its own, unless every connection was closed: then
    /// `serve` (which owns the socket) is dropped, and the connection with it.
    pub(crate) fn spawn(self: &Arc<Self>, serve: impl Future<Output = ()> + Send + 'static) {
        // Held until the task is registered, so that the task cannot remove itself first.
        let mut inner = lock(&self.inner);
        if inner.closed {
            return;
        }
        let id = inner.next_id;
        inner.next_id += 1;
        let connections = Arc::clone(self);
        let task = tokio::spawn(async move {
            serve.await;
            lock(&connections.inner).tasks.remove(&id);
        });
        inner.tasks.insert(id, task.abort_handle());
    }

    /// Closes every open connection and each one accepted from now on. An aborted task is never
    /// polled again, so no request is answered once this returns, not even one already read
    /// from a kept-alive connection; its socket closes when the runtime drops the task.
    pub(crate) fn close_all(&self) {
        let mut inner = lock(&self.inner);
        inner.closed = true;
        for (_, task) in inner.tasks.drain() {
            task.abort();
        }
    }

    /// How many connections are open (for the tests of closing them).
    #[cfg(test)]
    fn count(&self) -> usize {
        lock(&self.inner).tasks.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn closing_aborts_the_open_connections_and_refuses_later_ones() {
        let connections = Arc::new(OpenConnections::default());
        let (dropped, was_dropped) = tokio::sync::oneshot::channel::<()>();
        connections.spawn(async move {
            // Holds the sender until the task is dropped: the receiver then sees it gone.
            let _dropped = dropped;
            std::future::pending::<()>().await;
        });
        assert_eq!(connections.count(), 1);
        connections.close_all();
        assert_eq!(connections.count(), 0);
        assert!(
            was_dropped.await.is_err(),
            "the connection's task was dropped"
        );

        let (late, late_dropped) = tokio::sync::oneshot::channel::<()>();
        connections.spawn(async move {
            let _ = late.send(());
        });
        assert!(late_dropped.await.is_err(), "a later connection never runs");
    }

    #[tokio::test]
    async fn a_connection_that_ends_is_forgotten() {
        let connections = Arc::new(OpenConnections::default());
        let (ended, has_ended) = tokio::sync::oneshot::channel::<()>();
        connections.spawn(async move {
            let _ = ended.send(());
        });
        has_ended.await.unwrap();
        // The task removes itself just after it sent; give it its turn.
        for _ in 0..100 {
            if connections.count() == 0 {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert_eq!(connections.count(), 0);
    }
}
