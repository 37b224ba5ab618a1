//! Where the relay keeps its streams: one Redis server, a key prefix and the consumer group's
//! name, shared by every piece (inbox, workers, dead letters, status).

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::account_name::AccountName;
use super::error::RelayError;
use super::keys::Keys;

/// The key prefix of the relay's keys, unless another is chosen.
pub const DEFAULT_PREFIX: &str = "hubspot-comms:relay";
/// The consumer group the workers read the inbox streams as, unless another is chosen.
pub const DEFAULT_GROUP: &str = "workers";

/// The longest one exchange with Redis may take before it counts as failed: a receiver then
/// answers 503 (the provider retries) well within Twilio's 15 s.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The relay's Redis: a connection (made again whenever it breaks), the key prefix and the
/// consumer group's name. Clones share the connection.
///
/// ```no_run
/// use hubspot_comms::relay::Streams;
///
/// # async fn run() -> Result<(), hubspot_comms::relay::RelayError> {
/// let streams = Streams::connect("redis://127.0.0.1:6379/").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Streams {
    client: redis::Client,
    connection: ConnectionManager,
    settings: Arc<Settings>,
}

struct Settings {
    /// Kept for the facade's shared rate limit, which connects on its own; never printed.
    url: String,
    prefix: String,
    group: String,
    timeout: Duration,
}

/// The URL is left out: it may hold a password.
impl std::fmt::Debug for Streams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Streams")
            .field("prefix", &self.settings.prefix)
            .field("group", &self.settings.group)
            .field("timeout", &self.settings.timeout)
            .finish_non_exhaustive()
    }
}

/// How [`Streams::connect_with`] names the keys and waits.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StreamsOptions {
    /// The start of every key ([`DEFAULT_PREFIX`]): several relays can share one Redis under
    /// prefixes of their own.
    pub prefix: String,
    /// The consumer group's name ([`DEFAULT_GROUP`]).
    pub group: String,
    /// The longest one exchange with Redis may take, connecting included (5 s).
    pub timeout: Duration,
}

impl Default for StreamsOptions {
    fn default() -> Self {
        Self {
            prefix: DEFAULT_PREFIX.to_owned(),
            group: DEFAULT_GROUP.to_owned(),
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl Streams {
    /// The Redis at `url` (`redis://[user:password@]host[:port][/db]`, `rediss://…`, or
    /// `redis+unix:///path`), with the default prefix and group. Fails if the URL cannot be
    /// read or Redis does not answer a `PING`; once connected, a broken connection is made
    /// again by itself.
    pub async fn connect(url: &str) -> Result<Self, RelayError> {
        Self::connect_with(url, StreamsOptions::default()).await
    }

    /// [`connect`](Self::connect) with other names or timeout.
    pub async fn connect_with(url: &str, options: StreamsOptions) -> Result<Self, RelayError> {
        check_name("key prefix", &options.prefix)?;
        check_name("consumer group", &options.group)?;
        if options.timeout.is_zero() {
            return Err(RelayError::Setting("the Redis timeout is zero".into()));
        }
        let client = redis::Client::open(url).map_err(|error| {
            // The error names no part of the URL, which may hold a password.
            RelayError::Setting(format!("the relay's Redis URL: {error}"))
        })?;
        let connection = manager(&client, options.timeout, options.timeout)?;
        let streams = Self {
            client,
            connection,
            settings: Arc::new(Settings {
                url: url.to_owned(),
                prefix: options.prefix,
                group: options.group,
                timeout: options.timeout,
            }),
        };
        let _: String = redis::cmd("PING")
            .query_async(&mut streams.connection())
            .await?;
        Ok(streams)
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.settings.prefix
    }

    /// The consumer group's name.
    pub fn group(&self) -> &str {
        &self.settings.group
    }

    /// The URL it was opened with (it may hold a password: never print it).
    pub(crate) fn url(&self) -> &str {
        &self.settings.url
    }

    /// The shared connection.
    pub(crate) fn connection(&self) -> ConnectionManager {
        self.connection.clone()
    }

    /// A connection of its own, for commands that block up to `block` (`XREADGROUP … BLOCK`),
    /// which would hold up every other command on the shared one.
    pub(crate) fn blocking_connection(
        &self,
        block: Duration,
    ) -> Result<ConnectionManager, RelayError> {
        manager(
            &self.client,
            self.settings.timeout,
            self.settings.timeout + block,
        )
    }

    /// An account's keys.
    pub(crate) fn keys(&self, account: &AccountName) -> Keys {
        Keys::new(&self.settings.prefix, account)
    }

    /// Makes sure the account's inbox stream and its consumer group exist (the group reads
    /// from the stream's start, so that nothing appended before it existed is missed).
    pub(crate) async fn ensure_group(&self, account: &AccountName) -> Result<(), RelayError> {
        let created: Result<(), redis::RedisError> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(self.keys(account).inbox())
            .arg(self.group())
            .arg("0")
            .arg("MKSTREAM")
            .query_async(&mut self.connection())
            .await;
        match created {
            Err(error) if error.code() != Some("BUSYGROUP") => Err(error.into()),
            _ => Ok(()),
        }
    }
}

/// A connection manager that tries a lost connection again a few times, quickly: a receiver
/// waiting on it must answer within the provider's patience.
fn manager(
    client: &redis::Client,
    connect_timeout: Duration,
    response_timeout: Duration,
) -> Result<ConnectionManager, RelayError> {
    let config = ConnectionManagerConfig::new()
        .set_number_of_retries(2)
        .set_min_delay(Duration::from_millis(50))
        .set_max_delay(Duration::from_millis(500))
        .set_connection_timeout(Some(connect_timeout))
        .set_response_timeout(Some(response_timeout));
    Ok(ConnectionManager::new_lazy_with_config(
        client.clone(),
        config,
    )?)
}

/// A prefix or group name: not empty, no whitespace or braces (the prefix is followed by the
/// account's hash tag, which a brace in it would displace).
fn check_name(what: &str, name: &str) -> Result<(), RelayError> {
    if name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '{' || c == '}')
    {
        return Err(RelayError::Setting(format!(
            "the relay's {what} {name:?} is empty or holds whitespace or braces"
        )));
    }
    Ok(())
}
