//! A worker's exchanges with its account's inbox stream: reading new entries as the consumer
//! group, claiming those a crashed worker held, keeping its own claim fresh, and settling each
//! entry (acknowledged and deleted, or moved to the dead letters), each settlement one atomic
//! script.

use std::future::Future;
use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::{Script, Value};

use crate::relay::error::RelayError;
use crate::relay::keys::Keys;

/// An entry as the stream delivered it: its id and its fields, as bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Delivered {
    pub id: String,
    pub fields: Vec<(Vec<u8>, Vec<u8>)>,
}

/// Acknowledges entries and deletes them: the stream keeps only what is not yet logged.
const ACK: &str = r"
-- KEYS[1]: the inbox stream; ARGV[1]: the group; ARGV[2..]: the entries' ids.
local ids = {unpack(ARGV, 2)}
local acked = redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
redis.call('XDEL', KEYS[1], unpack(ids))
return acked
";

/// Moves an entry to the dead letters, as the stream holds it, with why; then acknowledges
/// and deletes it. An entry no longer in the stream (another worker logged it) is left alone.
const DEAD: &str = r"
-- KEYS[1]: the inbox stream; KEYS[2]: the dead letters.
-- ARGV[1]: the group; ARGV[2]: the entry's id; ARGV[3]: why; ARGV[4]: when.
local found = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
if #found == 0 then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
  return 0
end
local fields = found[1][2]
table.insert(fields, 'dead_reason')
table.insert(fields, ARGV[3])
table.insert(fields, 'dead_at')
table.insert(fields, ARGV[4])
table.insert(fields, 'dead_entry')
table.insert(fields, ARGV[2])
redis.call('XADD', KEYS[2], '*', unpack(fields))
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
";

/// One worker's side of an account's stream.
pub(crate) struct StreamSide {
    pub keys: Keys,
    pub group: String,
    pub consumer: String,
    /// The shared connection (settling, claiming).
    pub connection: ConnectionManager,
    /// A connection of its own for the blocking reads.
    pub reader: ConnectionManager,
    ack: Script,
    dead: Script,
    /// Where the next `XAUTOCLAIM` goes on from.
    claim_cursor: String,
}

impl StreamSide {
    pub(crate) fn new(
        keys: Keys,
        group: String,
        consumer: String,
        connection: ConnectionManager,
        reader: ConnectionManager,
    ) -> Self {
        Self {
            keys,
            group,
            consumer,
            connection,
            reader,
            ack: Script::new(ACK),
            dead: Script::new(DEAD),
            claim_cursor: "0-0".to_owned(),
        }
    }

    /// Up to `count` entries never delivered to the group, waiting up to `block` for one: a
    /// future of its own (on the reading connection), so that the worker goes on meanwhile.
    /// It is never dropped half-way by the worker: what it read is this consumer's.
    pub(crate) fn read_new(
        &self,
        count: usize,
        block: Duration,
    ) -> impl Future<Output = Result<Vec<Delivered>, RelayError>> + Send + 'static {
        let block_ms = u64::try_from(block.as_millis()).unwrap_or(u64::MAX).max(1);
        let mut command = redis::cmd("XREADGROUP");
        command
            .arg("GROUP")
            .arg(&self.group)
            .arg(&self.consumer)
            .arg("COUNT")
            .arg(count.max(1))
            .arg("BLOCK")
            .arg(block_ms)
            .arg("STREAMS")
            .arg(self.keys.inbox())
            .arg(">");
        let mut reader = self.reader.clone();
        async move {
            let reply: Value = command.query_async(&mut reader).await?;
            read_reply(&reply)
        }
    }

    /// Up to `count` entries other consumers (or this one, having lost track) held for
    /// `idle` or longer without settling them, claimed for this consumer. Entries gone from
    /// the stream meanwhile are dropped from the group's pending list.
    pub(crate) async fn claim_idle(
        &mut self,
        idle: Duration,
        count: usize,
    ) -> Result<Vec<Delivered>, RelayError> {
        let idle_ms = u64::try_from(idle.as_millis()).unwrap_or(u64::MAX);
        let reply: Value = redis::cmd("XAUTOCLAIM")
            .arg(self.keys.inbox())
            .arg(&self.group)
            .arg(&self.consumer)
            .arg(idle_ms)
            .arg(&self.claim_cursor)
            .arg("COUNT")
            .arg(count.max(1))
            .query_async(&mut self.connection)
            .await?;
        let Value::Array(parts) = reply else {
            return Err(unexpected("XAUTOCLAIM", &reply));
        };
        let cursor = parts.first().and_then(text).unwrap_or_else(|| "0-0".into());
        let mut claimed = Vec::new();
        let mut gone = Vec::new();
        if let Some(Value::Array(items)) = parts.get(1) {
            for item in items {
                match entry(item) {
                    Some(Ok(delivered)) => claimed.push(delivered),
                    // Redis 6.2 answers a deleted entry as its id with no fields.
                    Some(Err(id)) => gone.push(id),
                    None => return Err(unexpected("XAUTOCLAIM", item)),
                }
            }
        }
        self.claim_cursor = cursor;
        if !gone.is_empty() {
            self.ack(&gone).await?;
        }
        Ok(claimed)
    }

    /// Claims `ids` for this consumer again, resetting their idle time, so that no other
    /// worker takes entries this one is still working on.
    pub(crate) async fn renew(&mut self, ids: &[String]) -> Result<(), RelayError> {
        for chunk in ids.chunks(1_000) {
            let _: Value = redis::cmd("XCLAIM")
                .arg(self.keys.inbox())
                .arg(&self.group)
                .arg(&self.consumer)
                .arg(0)
                .arg(chunk)
                .arg("JUSTID")
                .query_async(&mut self.connection)
                .await?;
        }
        Ok(())
    }

    /// Acknowledges and deletes `ids`.
    pub(crate) async fn ack(&mut self, ids: &[String]) -> Result<(), RelayError> {
        for chunk in ids.chunks(1_000) {
            let mut invocation = self.ack.key(self.keys.inbox());
            invocation.arg(&self.group).arg(chunk);
            let _: i64 = invocation.invoke_async(&mut self.connection).await?;
        }
        Ok(())
    }

    /// Moves `id` to the dead letters with `reason`; then it is acknowledged and deleted.
    pub(crate) async fn dead_letter(&mut self, id: &str, reason: &str) -> Result<(), RelayError> {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut invocation = self.dead.key(self.keys.inbox());
        invocation
            .key(self.keys.dead())
            .arg(&self.group)
            .arg(id)
            .arg(reason)
            .arg(now);
        let _: i64 = invocation.invoke_async(&mut self.connection).await?;
        Ok(())
    }
}

/// The entries of an `XREADGROUP` (or `XREAD`) reply: nil when none came.
pub(crate) fn read_reply(reply: &Value) -> Result<Vec<Delivered>, RelayError> {
    let streams: Vec<&Value> = match reply {
        Value::Nil => return Ok(Vec::new()),
        Value::Array(streams) => streams.iter().collect(),
        // RESP3: a map of stream name to entries.
        Value::Map(pairs) => pairs.iter().map(|(_, entries)| entries).collect(),
        other => return Err(unexpected("XREADGROUP", other)),
    };
    let mut delivered = Vec::new();
    for stream in streams {
        let entries = match stream {
            Value::Array(pair) if pair.len() == 2 => &pair[1],
            Value::Array(_) => return Err(unexpected("XREADGROUP", stream)),
            entries => entries,
        };
        let Value::Array(entries) = entries else {
            return Err(unexpected("XREADGROUP", entries));
        };
        for item in entries {
            match entry(item) {
                Some(Ok(entry)) => delivered.push(entry),
                // A pending entry deleted meanwhile (only when reading one's own history).
                Some(Err(_)) => {}
                None => return Err(unexpected("XREADGROUP", item)),
            }
        }
    }
    Ok(delivered)
}

/// The entries of an `XRANGE` reply.
pub(crate) fn range_reply(reply: &Value) -> Result<Vec<Delivered>, RelayError> {
    let Value::Array(items) = reply else {
        return Err(unexpected("XRANGE", reply));
    };
    items
        .iter()
        .filter_map(|item| match entry(item) {
            Some(Ok(entry)) => Some(Ok(entry)),
            Some(Err(_)) => None,
            None => Some(Err(unexpected("XRANGE", item))),
        })
        .collect()
}

/// One entry, `[id, [field, value, …]]`: `Err(id)` when its fields are nil (deleted), `None`
/// when it is no entry at all.
fn entry(item: &Value) -> Option<Result<Delivered, String>> {
    let Value::Array(parts) = item else {
        return None;
    };
    let id = text(parts.first()?)?;
    let fields = match parts.get(1) {
        None | Some(Value::Nil) => return Some(Err(id)),
        Some(Value::Array(flat)) => {
            if flat.len() % 2 != 0 {
                return None;
            }
            flat.chunks(2)
                .map(|pair| Some((bytes(&pair[0])?, bytes(&pair[1])?)))
                .collect::<Option<Vec<_>>>()?
        }
        Some(Value::Map(pairs)) => pairs
            .iter()
            .map(|(name, value)| Some((bytes(name)?, bytes(value)?)))
            .collect::<Option<Vec<_>>>()?,
        Some(_) => return None,
    };
    Some(Ok(Delivered { id, fields }))
}

fn bytes(value: &Value) -> Option<Vec<u8>> {
    match value {
        Value::BulkString(bytes) => Some(bytes.clone()),
        Value::SimpleString(text) => Some(text.as_bytes().to_vec()),
        Value::Int(number) => Some(number.to_string().into_bytes()),
        _ => None,
    }
}

pub(crate) fn text(value: &Value) -> Option<String> {
    bytes(value).and_then(|bytes| String::from_utf8(bytes).ok())
}

pub(crate) fn unexpected(command: &str, value: &Value) -> RelayError {
    let mut shown = format!("{value:?}");
    shown.truncate(200);
    RelayError::Unexpected(format!("{command} answered {shown}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(text: &str) -> Value {
        Value::BulkString(text.as_bytes().to_vec())
    }

    #[test]
    fn replies_are_read_whatever_their_entries_hold() {
        let reply = Value::Array(vec![Value::Array(vec![
            bulk("inbox"),
            Value::Array(vec![
                Value::Array(vec![
                    bulk("1-0"),
                    Value::Array(vec![
                        bulk("v"),
                        bulk("1"),
                        bulk("body"),
                        Value::BulkString(vec![0xff]),
                    ]),
                ]),
                Value::Array(vec![bulk("2-0"), Value::Nil]),
            ]),
        ])]);
        let delivered = read_reply(&reply).unwrap();
        assert_eq!(delivered.len(), 1);
        assert_eq!(delivered[0].id, "1-0");
        assert_eq!(delivered[0].fields[1], (b"body".to_vec(), vec![0xff]));
        assert!(read_reply(&Value::Nil).unwrap().is_empty());
        assert!(read_reply(&Value::Int(3)).is_err());
        let odd = Value::Array(vec![Value::Array(vec![
            bulk("inbox"),
            Value::Array(vec![Value::Array(vec![
                bulk("1-0"),
                Value::Array(vec![bulk("v")]),
            ])]),
        ])]);
        assert!(read_reply(&odd).is_err());
    }
}
