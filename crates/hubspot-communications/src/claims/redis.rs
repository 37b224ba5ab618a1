//! Claims on phone numbers kept in Redis, for every process and machine (the `redis` feature).

use std::fmt;
use std::sync::LazyLock;
use std::time::Duration;

use futures::future::BoxFuture;
use redis::Script;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

use super::store::{Claim, ContactClaims, DEFAULT_CLAIM_TTL, DEFAULT_RECORD_TTL};
use crate::error::Error;

/// Claims on phone numbers in Redis, shared by every client that names the same Redis and key
/// prefix, in any process on any machine: give one to
/// [`ClientBuilder::contact_claims`](crate::ClientBuilder::contact_claims) in each of them.
/// Use one key prefix per HubSpot account (numbers of two accounts are two contacts).
///
/// A claim is `<prefix>:contact-claim:<number>` (the holder's token, expiring after the claim's
/// lifetime), a record `<prefix>:contact:<number>` (the contact's id, expiring after the
/// record's); each step is one script Redis runs atomically.
///
/// ```no_run
/// use hubspot_communications::{Client, RedisClaims};
///
/// # fn run() -> Result<(), hubspot_communications::Error> {
/// let claims = RedisClaims::new("redis://10.0.0.5:6379/", "hubspot:portal-62515")?;
/// let client = Client::builder("pat-na1-…").contact_claims(claims).build()?;
/// # Ok(()) }
/// ```
pub struct RedisClaims {
    client: redis::Client,
    prefix: String,
    claim_ttl: Duration,
    record_ttl: Duration,
    timeout: Duration,
    connection: OnceCell<ConnectionManager>,
}

/// Answers `{"recorded", id}`, `{"held", ""}` or `{"won", ""}` (taking the claim).
const CLAIM: &str = r"
local id = redis.call('GET', KEYS[1])
if id then return {'recorded', id} end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] then return {'held', ''} end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return {'won', ''}
";

/// Records the contact and ends the claim, if the caller still holds it.
const RECORD: &str = r"
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  redis.call('DEL', KEYS[2])
end
return 0
";

/// Ends the claim, if the caller still holds it.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
";

/// The scripts, hashed once (Redis keeps them loaded; `invoke` loads one again after a restart).
static CLAIM_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(CLAIM));
static RECORD_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(RECORD));
static RELEASE_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(RELEASE));

impl RedisClaims {
    /// Claims in the Redis at `url` (`redis://[user:password@]host[:port][/db]` or
    /// `redis+unix:///path`) under keys that start with `key_prefix`. Nothing connects yet.
    pub fn new(url: &str, key_prefix: impl Into<String>) -> Result<Self, Error> {
        // The error names no part of the URL, which may hold a password.
        let client = redis::Client::open(url)
            .map_err(|error| Error::InvalidSetting(format!("the claims' Redis URL: {error}")))?;
        let prefix = key_prefix.into();
        if prefix.is_empty() {
            return Err(Error::InvalidSetting(
                "the claims' key prefix is empty".into(),
            ));
        }
        Ok(Self {
            client,
            prefix,
            claim_ttl: DEFAULT_CLAIM_TTL,
            record_ttl: DEFAULT_RECORD_TTL,
            timeout: Duration::from_secs(1),
            connection: OnceCell::new(),
        })
    }

    /// How long a claim holds: [`DEFAULT_CLAIM_TTL`] unless set (at least 1 ms).
    #[must_use]
    pub fn claim_ttl(mut self, ttl: Duration) -> Self {
        self.claim_ttl = ttl.max(Duration::from_millis(1));
        self
    }

    /// How long a created contact's id is kept: [`DEFAULT_RECORD_TTL`] unless set.
    #[must_use]
    pub fn record_ttl(mut self, ttl: Duration) -> Self {
        self.record_ttl = ttl.max(Duration::from_millis(1));
        self
    }

    async fn connection(&self) -> Result<ConnectionManager, Error> {
        let make = || async {
            // No retries inside the manager: a lookup whose claims cannot be reached fails at
            // once, typed, and the caller decides when to try again.
            let config = ConnectionManagerConfig::new()
                .set_number_of_retries(0)
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

    fn keys(&self, number: &str) -> (String, String) {
        (
            format!("{}:contact:{number}", self.prefix),
            format!("{}:contact-claim:{number}", self.prefix),
        )
    }
}

fn unavailable(error: redis::RedisError) -> Error {
    Error::ClaimsUnavailable(Box::new(error))
}

fn millis(length: Duration) -> u64 {
    u64::try_from(length.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl fmt::Debug for RedisClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The address without credentials.
        let info = self.client.get_connection_info();
        f.debug_struct("RedisClaims")
            .field(
                "redis",
                &format!("{}/{}", info.addr(), info.redis_settings().db()),
            )
            .field("prefix", &self.prefix)
            .field("claim_ttl", &self.claim_ttl)
            .field("record_ttl", &self.record_ttl)
            .finish_non_exhaustive()
    }
}

impl ContactClaims for RedisClaims {
    fn claim<'a>(&'a self, number: &'a str, owner: &'a str) -> BoxFuture<'a, Result<Claim, Error>> {
        Box::pin(async move {
            let mut connection = self.connection().await?;
            let (record, claim) = self.keys(number);
            let (state, id): (String, String) = CLAIM_SCRIPT
                .key(record)
                .key(claim)
                .arg(owner)
                .arg(millis(self.claim_ttl))
                .invoke_async(&mut connection)
                .await
                .map_err(unavailable)?;
            match state.as_str() {
                "recorded" => Ok(Claim::Recorded(id)),
                "held" => Ok(Claim::Held),
                "won" => Ok(Claim::Won),
                // Only the script answers here; anything else is not a claim to act on (a
                // create under a claim not won could make a second contact).
                other => Err(Error::ClaimsUnavailable(
                    format!("the claim script answered {other:?}").into(),
                )),
            }
        })
    }

    fn record<'a>(
        &'a self,
        number: &'a str,
        owner: &'a str,
        contact_id: &'a str,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let mut connection = self.connection().await?;
            let (record, claim) = self.keys(number);
            RECORD_SCRIPT
                .key(record)
                .key(claim)
                .arg(owner)
                .arg(contact_id)
                .arg(millis(self.record_ttl))
                .invoke_async::<i64>(&mut connection)
                .await
                .map(drop)
                .map_err(unavailable)
        })
    }

    fn release<'a>(&'a self, number: &'a str, owner: &'a str) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let mut connection = self.connection().await?;
            let (_, claim) = self.keys(number);
            RELEASE_SCRIPT
                .key(claim)
                .arg(owner)
                .invoke_async::<i64>(&mut connection)
                .await
                .map(drop)
                .map_err(unavailable)
        })
    }

    fn claim_ttl(&self) -> Duration {
        self.claim_ttl
    }
}
