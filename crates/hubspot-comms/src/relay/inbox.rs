//! The inbox: each received message appended to its account's stream, once per message key.
//!
//! One Lua script does it, atomically: if the key's marker (`<prefix>:{<account>}:seen:<key>`)
//! is there, the delivery is a repeat and nothing is written; otherwise the entry is appended
//! (`XADD`) and the marker set to its id, with a time to live. Redis runs a script whole, and
//! its writes reach the AOF and the replicas together, so after a crash and a restart either
//! both the entry and its marker are there or neither is: a provider that heard nothing retries,
//! and that retry is stored.
//!
//! Why a marker and not an entry id made from the key: a stream's ids must grow, and a key
//! does not; an id of the stream's own (`*`) with a marker beside it is what survives a
//! restart and reaches replicas unchanged (Redis 8.6's `XADD … IDMP` would do the same inside
//! the stream; the relay runs on Redis 6.2 and newer).
//!
//! The marker outlives Twilio's retries (15 s) by far: a day by default. A repeat after it
//! expired is stored again, and logged once all the same: the workers upsert by key. So the
//! marker keeps the stream small; the key property is what makes logging exactly once.

use std::time::Duration;

use redis::Script;

use super::entry::{Entry, MAX_KEY_BYTES};
use super::error::RelayError;
use super::streams::Streams;

/// Appends the entry unless its key's marker is there.
const APPEND: &str = r"
-- KEYS[1]: the key's marker; KEYS[2]: the inbox stream.
-- ARGV[1]: the marker's time to live (ms); ARGV[2..]: the entry's fields and values.
local seen = redis.call('GET', KEYS[1])
if seen then
  return {0, seen}
end
local id = redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))
redis.call('SET', KEYS[1], id, 'PX', ARGV[1])
return {1, id}
";

/// How long a key's marker is kept, unless set otherwise: a day.
pub const DEFAULT_DEDUPE_FOR: Duration = Duration::from_secs(24 * 60 * 60);

/// What the inbox promises beyond its stream.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct InboxOptions {
    /// How long a repeated delivery of a key is recognised ([`DEFAULT_DEDUPE_FOR`]).
    pub dedupe_for: Duration,
    /// With replicas: after each append, wait until this many replicas have it (Redis's
    /// `WAIT`), at most this long; fewer in time is a failure (the provider hears 503 and
    /// retries, which the marker recognises). `WAIT` holds the inbox's connection while it
    /// waits, so appends go one at a time. `None` (the default): answer once the primary has it.
    pub wait_for_replicas: Option<(u32, Duration)>,
}

impl Default for InboxOptions {
    fn default() -> Self {
        Self {
            dedupe_for: DEFAULT_DEDUPE_FOR,
            wait_for_replicas: None,
        }
    }
}

/// What became of an appended entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Appended {
    /// Stored now, under this id.
    Stored(String),
    /// Its key was stored before, under this id: a repeated delivery, stored once.
    Repeated(String),
}

impl Appended {
    /// The id of the entry its key is stored as.
    pub fn id(&self) -> &str {
        match self {
            Self::Stored(id) | Self::Repeated(id) => id,
        }
    }
}

/// Appends received messages to their accounts' streams, once per key. Clones share the
/// connection.
#[derive(Debug, Clone)]
pub struct Inbox {
    streams: Streams,
    options: InboxOptions,
    script: std::sync::Arc<Script>,
}

impl Inbox {
    /// The inbox of `streams`, with the default options.
    pub fn new(streams: Streams) -> Self {
        Self::with_options(streams, InboxOptions::default())
    }

    /// The inbox of `streams`, with `options`.
    pub fn with_options(streams: Streams, options: InboxOptions) -> Self {
        Self {
            streams,
            options,
            script: std::sync::Arc::new(Script::new(APPEND)),
        }
    }

    /// The streams it appends to.
    pub fn streams(&self) -> &Streams {
        &self.streams
    }

    /// Appends `entry` to its account's stream, unless its key was stored before. `Ok` means
    /// Redis has it (and, with [`InboxOptions::wait_for_replicas`], its replicas): the
    /// provider may be answered.
    pub async fn append(&self, entry: &Entry) -> Result<Appended, RelayError> {
        if entry.key.is_empty() || entry.key.len() > MAX_KEY_BYTES {
            return Err(RelayError::Setting(format!(
                "a message key of {} bytes (1 to {MAX_KEY_BYTES})",
                entry.key.len()
            )));
        }
        let keys = self.streams.keys(&entry.account);
        let ttl = u64::try_from(self.options.dedupe_for.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let mut invocation = self.script.key(keys.seen(&entry.key));
        invocation.key(keys.inbox()).arg(ttl);
        for (name, value) in entry.to_fields() {
            invocation.arg(name).arg(value);
        }
        let mut connection = self.streams.connection();
        let (stored, id): (i64, String) = invocation.invoke_async(&mut connection).await?;
        if let Some((replicas, timeout)) = self.options.wait_for_replicas {
            let timeout_ms = u64::try_from(timeout.as_millis())
                .unwrap_or(u64::MAX)
                .max(1);
            let acknowledged: u32 = redis::cmd("WAIT")
                .arg(replicas)
                .arg(timeout_ms)
                .query_async(&mut connection)
                .await?;
            if acknowledged < replicas {
                return Err(RelayError::Unreplicated {
                    wanted: replicas,
                    acknowledged,
                });
            }
        }
        super::metrics::appended(&entry.account, stored != 1);
        Ok(if stored == 1 {
            Appended::Stored(id)
        } else {
            Appended::Repeated(id)
        })
    }
}
