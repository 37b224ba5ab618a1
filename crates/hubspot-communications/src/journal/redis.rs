//! A journal position kept in Redis (the `redis` feature).

use std::fmt;
use std::time::Duration;

use futures::future::BoxFuture;
use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

use super::checkpoint::Checkpoint;
use super::entry::JournalOffset;
use crate::error::Error;

/// A journal reader's position kept in Redis, under one key: every process that names the same
/// Redis and key reads on from the same offset (one reader at a time: two readers of one key
/// would each handle the entries). Each save is one `SET`, atomic in Redis; Redis's own
/// persistence (AOF or snapshots) decides what survives a Redis restart.
///
/// ```no_run
/// use hubspot_communications::journal::{Checkpoint, JournalStart, RedisCheckpoint};
///
/// # async fn run() -> Result<(), hubspot_communications::Error> {
/// let checkpoint = RedisCheckpoint::new("redis://10.0.0.5:6379/", "hubspot:journal:offset")?;
/// let start = checkpoint.start_or(JournalStart::Earliest).await?;
/// # Ok(()) }
/// ```
pub struct RedisCheckpoint {
    client: redis::Client,
    key: String,
    timeout: Duration,
    connection: OnceCell<ConnectionManager>,
}

impl RedisCheckpoint {
    /// A position in the Redis at `url` (`redis://[user:password@]host[:port][/db]` or
    /// `redis+unix:///path`) under `key`. Nothing connects yet.
    pub fn new(url: &str, key: impl Into<String>) -> Result<Self, Error> {
        // The error names no part of the URL, which may hold a password.
        let client = redis::Client::open(url).map_err(|error| {
            Error::InvalidSetting(format!("the checkpoint's Redis URL: {error}"))
        })?;
        let key = key.into();
        if key.is_empty() {
            return Err(Error::InvalidSetting(
                "the checkpoint's Redis key is empty".into(),
            ));
        }
        Ok(Self {
            client,
            key,
            timeout: Duration::from_secs(2),
            connection: OnceCell::new(),
        })
    }

    /// How long connecting and each command may take: 2 s unless set.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    async fn connection(&self) -> Result<ConnectionManager, Error> {
        let make = || async {
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(self.timeout))
                .set_response_timeout(Some(self.timeout));
            ConnectionManager::new_lazy_with_config(self.client.clone(), config)
        };
        self.connection
            .get_or_try_init(make)
            .await
            .cloned()
            .map_err(unavailable)
    }
}

fn unavailable(error: redis::RedisError) -> Error {
    Error::CheckpointUnavailable(Box::new(error))
}

impl fmt::Debug for RedisCheckpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The address without credentials.
        let info = self.client.get_connection_info();
        f.debug_struct("RedisCheckpoint")
            .field(
                "redis",
                &format!("{}/{}", info.addr(), info.redis_settings().db()),
            )
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl Checkpoint for RedisCheckpoint {
    fn load(&self) -> BoxFuture<'_, Result<Option<JournalOffset>, Error>> {
        Box::pin(async move {
            let mut connection = self.connection().await?;
            let offset: Option<String> = connection.get(&self.key).await.map_err(unavailable)?;
            Ok(offset.map(JournalOffset::new))
        })
    }

    fn save<'a>(&'a self, offset: &'a JournalOffset) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let mut connection = self.connection().await?;
            connection
                .set::<_, _, ()>(&self.key, offset.as_str())
                .await
                .map_err(unavailable)
        })
    }
}
