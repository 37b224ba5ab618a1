//! Where each account's messages are: waiting for a worker (the backlog), with a worker
//! (pending: delivered, not yet acknowledged), or dead letters; and how old the oldest message
//! not yet logged is. Each account's figures are read by one script, at one instant.

use std::time::Duration;

use redis::{Script, Value};

use super::accounts::AccountName;
use super::error::RelayError;
use super::streams::Streams;
use super::work::{text, unexpected};

/// An account's figures, read together.
const STATUS: &str = r"
-- KEYS[1]: the inbox; KEYS[2]: the dead letters. ARGV[1]: the group.
local length = redis.call('XLEN', KEYS[1])
local dead = redis.call('XLEN', KEYS[2])
local pending = 0
local ok, summary = pcall(redis.call, 'XPENDING', KEYS[1], ARGV[1])
if ok and type(summary) == 'table' and summary[1] then
  pending = summary[1]
end
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
local oldest = ''
if #first > 0 then
  oldest = first[1][1]
end
local now = redis.call('TIME')
return {length, pending, dead, oldest, now[1], now[2]}
";

/// One account's messages.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountStatus {
    /// The account.
    pub account: AccountName,
    /// Entries no worker has read yet.
    pub backlog: u64,
    /// Entries a worker holds: read, not yet acknowledged (being logged, or waiting for a
    /// retry).
    pub pending: u64,
    /// Dead letters.
    pub dead_letters: u64,
    /// How long ago the oldest entry not yet logged was received (by Redis's clock), if
    /// there is one: the relay's lag.
    pub oldest: Option<Duration>,
}

impl AccountStatus {
    /// Sets the account's gauges of the [`metrics`](super::metrics) (`relay_backlog`,
    /// `relay_pending`, `relay_dead_letters`, `relay_lag_seconds`) to these figures.
    pub fn record_gauges(&self) {
        super::metrics::status_gauges(
            &self.account,
            self.backlog,
            self.pending,
            self.dead_letters,
            self.oldest.unwrap_or_default(),
        );
    }
}

/// The status of each of `accounts`, in their order.
pub async fn status<'a>(
    streams: &Streams,
    accounts: impl IntoIterator<Item = &'a AccountName>,
) -> Result<Vec<AccountStatus>, RelayError> {
    let script = Script::new(STATUS);
    let mut statuses = Vec::new();
    for account in accounts {
        let keys = streams.keys(account);
        let mut invocation = script.key(keys.inbox());
        invocation.key(keys.dead()).arg(streams.group());
        let reply: Value = invocation.invoke_async(&mut streams.connection()).await?;
        statuses.push(read(account, &reply)?);
    }
    Ok(statuses)
}

/// Every account with an inbox or dead letters under the streams' prefix (found with `SCAN`,
/// for an operator's look: a relay knows its accounts from its routes).
pub async fn known_accounts(streams: &Streams) -> Result<Vec<AccountName>, RelayError> {
    let pattern = format!("{}:{{*}}:*", glob_escape(streams.prefix()));
    let mut connection = streams.connection();
    let mut cursor = 0u64;
    let mut accounts = std::collections::BTreeSet::new();
    loop {
        let (next, keys): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(&pattern)
            .arg("COUNT")
            .arg(1_000)
            .arg("TYPE")
            .arg("stream")
            .query_async(&mut connection)
            .await?;
        for key in keys {
            let Ok(key) = String::from_utf8(key) else {
                continue;
            };
            let rest = &key[streams.prefix().len().min(key.len())..];
            let name = rest
                .strip_prefix(":{")
                .and_then(|rest| rest.split_once('}'))
                .filter(|(_, kind)| matches!(*kind, ":inbox" | ":dead"))
                .and_then(|(name, _)| AccountName::new(name).ok());
            accounts.extend(name);
        }
        if next == 0 {
            return Ok(accounts.into_iter().collect());
        }
        cursor = next;
    }
}

fn read(account: &AccountName, reply: &Value) -> Result<AccountStatus, RelayError> {
    let number = |value: Option<&Value>| match value {
        Some(Value::Int(n)) => u64::try_from(*n).ok(),
        Some(other) => text(other).and_then(|t| t.parse().ok()),
        None => None,
    };
    let Value::Array(parts) = reply else {
        return Err(unexpected("the status script", reply));
    };
    let (Some(length), Some(pending), Some(dead), Some(seconds), Some(micros)) = (
        number(parts.first()),
        number(parts.get(1)),
        number(parts.get(2)),
        number(parts.get(4)),
        number(parts.get(5)),
    ) else {
        return Err(unexpected("the status script", reply));
    };
    let now_ms = seconds * 1_000 + micros / 1_000;
    let oldest = parts
        .get(3)
        .and_then(text)
        .and_then(|id| {
            id.split_once('-')
                .and_then(|(ms, _)| ms.parse::<u64>().ok())
        })
        .map(|ms| Duration::from_millis(now_ms.saturating_sub(ms)));
    Ok(AccountStatus {
        account: account.clone(),
        // Acknowledged entries are deleted: the stream is the backlog and the pending ones.
        backlog: length.saturating_sub(pending),
        pending,
        dead_letters: dead,
        oldest,
    })
}

/// `text` matched literally by `SCAN MATCH`.
fn glob_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
