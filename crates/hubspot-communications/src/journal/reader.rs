//! Reading the journal: a `Stream` of entries from a starting point.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::stream::{BoxStream, Stream, StreamExt};

use super::entry::{JournalEntry, JournalStart};
use crate::client::Client;
use crate::error::Error;

/// How many entries one request of the journal asks for, by default.
pub const DEFAULT_BATCH_SIZE: u32 = 100;
/// How long a reader that has caught up waits before asking again, by default.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(1);
/// How many entry files are downloaded at once, by default (handed on in the journal's order).
const DEFAULT_DOWNLOADS_AT_ONCE: usize = 4;

/// A read of the webhooks journal, configured: where it starts, which journal, how it asks.
/// Made by [`Client::journal`]; [`JournalReader::stream`] reads.
///
/// By default it reads the global journal (every account the app is installed in) from the
/// earliest entry it holds, asks for [`DEFAULT_BATCH_SIZE`] entries at a time, and, once it
/// has caught up, asks again every [`DEFAULT_POLL_INTERVAL`] for ever.
#[must_use]
#[derive(Clone)]
pub struct JournalReader {
    pub(crate) client: Client,
    pub(crate) start: JournalStart,
    pub(crate) account: Option<u64>,
    pub(crate) batch_size: u32,
    pub(crate) poll_interval: Option<Duration>,
    pub(crate) downloads_at_once: usize,
}

impl fmt::Debug for JournalReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JournalReader")
            .field("start", &self.start)
            .field("account", &self.account)
            .field("batch_size", &self.batch_size)
            .field("poll_interval", &self.poll_interval)
            .field("downloads_at_once", &self.downloads_at_once)
            .finish_non_exhaustive()
    }
}

impl JournalReader {
    pub(crate) fn new(client: Client) -> Self {
        Self {
            client,
            start: JournalStart::Earliest,
            account: None,
            batch_size: DEFAULT_BATCH_SIZE,
            poll_interval: Some(DEFAULT_POLL_INTERVAL),
            downloads_at_once: DEFAULT_DOWNLOADS_AT_ONCE,
        }
    }

    /// Where the read starts: [`JournalStart::Earliest`] unless set (a
    /// [`Checkpoint`](super::Checkpoint)'s [`start_or`](super::Checkpoint::start_or) gives the
    /// start after the saved offset).
    pub fn start(mut self, start: JournalStart) -> Self {
        self.start = start;
        self
    }

    /// Reads one account's journal (the local journal of the account `account_id` that
    /// installed the app) instead of the global one.
    pub fn account(mut self, account_id: u64) -> Self {
        self.account = Some(account_id);
        self
    }

    /// How many entries one request asks for (1 to 1,000; [`DEFAULT_BATCH_SIZE`] unless set).
    pub fn batch_size(mut self, entries: u32) -> Self {
        self.batch_size = entries.clamp(1, 1000);
        self
    }

    /// Once caught up, asks again after `interval` ([`DEFAULT_POLL_INTERVAL`] unless set), for
    /// ever: the stream ends only with an error, or when dropped.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = Some(interval);
        self
    }

    /// Ends the stream once it has caught up (no entry follows the last one read) instead of
    /// waiting for more.
    pub fn until_caught_up(mut self) -> Self {
        self.poll_interval = None;
        self
    }

    /// How many entry files are downloaded at once (at least 1; 4 unless set). Entries are
    /// handed on in the journal's order whatever the order their downloads finish in.
    pub fn concurrent_downloads(mut self, downloads: usize) -> Self {
        self.downloads_at_once = downloads.max(1);
        self
    }
}

/// The journal's entries, in order: a `Stream` of `Result<JournalEntry, Error>` that ends after
/// its first error. Made by [`JournalReader::stream`].
pub struct JournalStream {
    pub(crate) inner: BoxStream<'static, Result<JournalEntry, Error>>,
}

impl fmt::Debug for JournalStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JournalStream").finish_non_exhaustive()
    }
}

impl Stream for JournalStream {
    type Item = Result<JournalEntry, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}
