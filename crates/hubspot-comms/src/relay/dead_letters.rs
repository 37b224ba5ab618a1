//! Dead letters: the entries a worker could not log for good (HubSpot refused them, their
//! number names no one contact, they could not be read), each kept whole in its account's
//! dead-letter stream with why; listed, and retried by moving them back into the inbox.
//!
//! A dead letter holds its entry's fields as the inbox held them, and three of its own:
//! `dead_reason`, `dead_at` (RFC 3339) and `dead_entry` (its id in the inbox). A retry moves
//! it back without those three, keeping its key: if HubSpot had stored it after all (an
//! association refused after the upsert, say), it is still logged once.

use chrono::{DateTime, Utc};
use redis::{Script, Value};

use super::accounts::AccountName;
use super::entry::{Entry, Unreadable};
use super::error::RelayError;
use super::streams::Streams;
use super::work::{range_reply, unexpected};

/// Moves dead letters back into the inbox, without their `dead_*` fields.
const RETRY: &str = r"
-- KEYS[1]: the dead letters; KEYS[2]: the inbox. ARGV: the dead letters' ids.
local moved = 0
for i = 1, #ARGV do
  local found = redis.call('XRANGE', KEYS[1], ARGV[i], ARGV[i])
  if #found > 0 then
    local fields = found[1][2]
    local kept = {}
    for j = 1, #fields - 1, 2 do
      local name = fields[j]
      if name ~= 'dead_reason' and name ~= 'dead_at' and name ~= 'dead_entry' then
        table.insert(kept, name)
        table.insert(kept, fields[j + 1])
      end
    end
    if #kept > 0 then
      redis.call('XADD', KEYS[2], '*', unpack(kept))
      redis.call('XDEL', KEYS[1], ARGV[i])
      moved = moved + 1
    end
  end
end
return moved
";

/// The most dead letters one call moves (and one page lists).
pub const PAGE: usize = 100;

/// A message the relay could not log, and why.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DeadLetter {
    /// Its id in the dead-letter stream (what [`retry`] takes).
    pub id: String,
    /// Why it could not be logged.
    pub reason: String,
    /// When it was dead-lettered.
    pub dead_at: Option<DateTime<Utc>>,
    /// Its id in the inbox, when it was there.
    pub entry_id: Option<String>,
    /// The entry, or why it cannot be read.
    pub entry: Result<Entry, Unreadable>,
}

impl DeadLetter {
    fn read(id: String, fields: &[(Vec<u8>, Vec<u8>)]) -> Self {
        // The last of each, should an entry hold a field of that name of its own.
        let own = |name: &str| {
            fields
                .iter()
                .rev()
                .find(|(n, _)| n.as_slice() == name.as_bytes())
                .map(|(_, value)| String::from_utf8_lossy(value).into_owned())
        };
        let entry_fields: Vec<(Vec<u8>, Vec<u8>)> = fields
            .iter()
            .filter(|(name, _)| {
                !matches!(name.as_slice(), b"dead_reason" | b"dead_at" | b"dead_entry")
            })
            .cloned()
            .collect();
        Self {
            id,
            reason: own("dead_reason").unwrap_or_else(|| "(no reason given)".to_owned()),
            dead_at: own("dead_at")
                .and_then(|at| DateTime::parse_from_rfc3339(&at).ok())
                .map(|at| at.to_utc()),
            entry_id: own("dead_entry"),
            entry: Entry::from_fields(&entry_fields),
        }
    }
}

/// Up to `count` (at most [`PAGE`]) of `account`'s dead letters, oldest first, after the one
/// of id `after` (from the first, with `None`).
pub async fn list(
    streams: &Streams,
    account: &AccountName,
    after: Option<&str>,
    count: usize,
) -> Result<Vec<DeadLetter>, RelayError> {
    page(streams, account, after, "+", count).await
}

/// [`list`] up to the dead letter of id `until` (`+`: the last).
async fn page(
    streams: &Streams,
    account: &AccountName,
    after: Option<&str>,
    until: &str,
    count: usize,
) -> Result<Vec<DeadLetter>, RelayError> {
    let start = match after {
        Some(id) => format!("({id}"),
        None => "-".to_owned(),
    };
    let reply: Value = redis::cmd("XRANGE")
        .arg(streams.keys(account).dead())
        .arg(start)
        .arg(until)
        .arg("COUNT")
        .arg(count.clamp(1, PAGE))
        .query_async(&mut streams.connection())
        .await?;
    Ok(range_reply(&reply)?
        .into_iter()
        .map(|delivered| DeadLetter::read(delivered.id, &delivered.fields))
        .collect())
}

/// Moves the dead letters `ids` of `account` back into its inbox, where a worker logs them
/// again; answers how many were moved (an id that is not a dead letter is skipped).
pub async fn retry(
    streams: &Streams,
    account: &AccountName,
    ids: &[String],
) -> Result<usize, RelayError> {
    let keys = streams.keys(account);
    let script = Script::new(RETRY);
    let mut moved = 0;
    for chunk in ids.chunks(PAGE) {
        let mut invocation = script.key(keys.dead());
        invocation.key(keys.inbox()).arg(chunk);
        let count: i64 = invocation.invoke_async(&mut streams.connection()).await?;
        moved += usize::try_from(count)
            .map_err(|_| unexpected("the retry script", &Value::Int(count)))?;
    }
    Ok(moved)
}

/// Moves every dead letter `account` has when it starts back into its inbox; answers how
/// many. One dead-lettered again while it runs (a worker can read an entry back faster than
/// this pages) stays: a retry that fails again is not retried in a loop.
pub async fn retry_all(streams: &Streams, account: &AccountName) -> Result<usize, RelayError> {
    let last: Value = redis::cmd("XREVRANGE")
        .arg(streams.keys(account).dead())
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(1)
        .query_async(&mut streams.connection())
        .await?;
    let Some(last) = range_reply(&last)?.pop().map(|delivered| delivered.id) else {
        return Ok(0);
    };
    let mut moved = 0;
    let mut after: Option<String> = None;
    loop {
        let letters = page(streams, account, after.as_deref(), &last, PAGE).await?;
        let Some(end) = letters.last().map(|letter| letter.id.clone()) else {
            return Ok(moved);
        };
        let ids: Vec<String> = letters.into_iter().map(|letter| letter.id).collect();
        // Dead letters without a field to move (not the relay's) are left where they are.
        moved += retry(streams, account, &ids).await?;
        after = Some(end);
    }
}
