//! The Lua scripts that keep a rolling window in Redis. Redis runs a script atomically, so
//! concurrent clients never both see room for one request (no read-then-write from clients).

use std::sync::LazyLock;
use std::time::Duration;

use redis::Script;

/// Takes a turn in the window at `KEYS[1]` (a sorted set: one member per request, scored by its
/// start in microseconds of Redis's clock, then by its answer: [`FINISH`]), unless the pause at
/// `KEYS[2]` holds.
///
/// `ARGV`: the window's maximum, its length in microseconds, and the request's member name
/// (unique). Answers 0 if the request was counted, else the microseconds to wait before asking
/// again.
static TAKE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
-- Redis 3.2 to 4 replicate a script's writes only when told; from 5 on, this is a no-op.
if redis.replicate_commands then pcall(redis.replicate_commands) end
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then
  return paused * 1000
end
local max = tonumber(ARGV[1])
local span = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
local counted = redis.call('ZCARD', KEYS[1])
if counted < max then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  -- Idle for a window's length, every entry is stale: let the key go.
  redis.call('PEXPIRE', KEYS[1], math.ceil(span / 1000))
  return 0
end
-- The request that must leave before this one fits (the oldest, unless the limit shrank).
local leaving = redis.call('ZRANGE', KEYS[1], counted - max, counted - max, 'WITHSCORES')
local wait = math.ceil(tonumber(leaving[2]) + span - now)
if wait < 1 then
  wait = 1
end
return wait
",
    )
});

/// Counts the request `ARGV[1]` of the window at `KEYS[1]` from now (Redis's clock): its answer
/// came, so HubSpot has counted it, however late it arrived. Added again if it already left the
/// window (a request slower than the window). `ARGV[2]`: the window's length in milliseconds.
static FINISH: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.replicate_commands then pcall(redis.replicate_commands) end
local clock = redis.call('TIME')
redis.call('ZADD', KEYS[1], tonumber(clock[1]) * 1000000 + tonumber(clock[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0
",
    )
});

/// Pauses the window: sets `KEYS[1]` to live `ARGV[1]` milliseconds, unless it already lives
/// longer.
static PAUSE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local wanted = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < wanted then
  redis.call('SET', KEYS[1], '1', 'PX', wanted)
end
return 0
",
    )
});

/// What the window said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Turn {
    /// The request was counted: it may start.
    Now,
    /// The window is full (or paused): ask again after this long.
    After(Duration),
}

/// The longest wait believed from an answer (it cannot exceed a day-long window plus a pause).
const LONGEST_WAIT: Duration = Duration::from_secs(2 * 24 * 60 * 60);

/// Asks the window at `key` for a turn.
pub(super) async fn take(
    connection: &mut redis::aio::ConnectionManager,
    key: &str,
    paused_key: &str,
    max: u32,
    span: Duration,
    member: &str,
) -> redis::RedisResult<Turn> {
    let span_us = u64::try_from(span.as_micros()).unwrap_or(u64::MAX);
    let wait_us: i64 = TAKE
        .key(key)
        .key(paused_key)
        .arg(max)
        .arg(span_us)
        .arg(member)
        .invoke_async(connection)
        .await?;
    Ok(match u64::try_from(wait_us) {
        Ok(0) => Turn::Now,
        Ok(us) => Turn::After(Duration::from_micros(us).min(LONGEST_WAIT)),
        // The script never answers less than 0; ask again soon if it did.
        Err(_) => Turn::After(Duration::from_millis(1)),
    })
}

/// Counts the request `member` of the window at `key` (`span` long) from now.
pub(super) async fn finish(
    connection: &mut redis::aio::ConnectionManager,
    key: &str,
    member: &str,
    span: Duration,
) -> redis::RedisResult<()> {
    run(connection, FINISH.key(key).arg(member).arg(millis(span))).await
}

/// Pauses the window at `key` for `pause` (at least 1 ms).
pub(super) async fn pause(
    connection: &mut redis::aio::ConnectionManager,
    paused_key: &str,
    pause: Duration,
) -> redis::RedisResult<()> {
    run(connection, PAUSE.key(paused_key).arg(millis(pause))).await
}

/// Runs a script whose answer (always 0) says nothing.
async fn run(
    connection: &mut redis::aio::ConnectionManager,
    invocation: &redis::ScriptInvocation<'_>,
) -> redis::RedisResult<()> {
    invocation.invoke_async::<i64>(connection).await.map(drop)
}

/// A length in whole milliseconds, at least 1: what `PEXPIRE` and `SET … PX` take (they refuse
/// 0).
fn millis(length: Duration) -> u64 {
    u64::try_from(length.as_millis()).unwrap_or(u64::MAX).max(1)
}
