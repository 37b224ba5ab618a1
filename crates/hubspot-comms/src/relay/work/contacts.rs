//! Entries' contacts: first from the account's contact directory in Redis, which every worker
//! shares ([`Contacts::known`]); the numbers it does not hold leased to one lookup of one
//! worker at a time ([`Contacts::lease`]: a number another lookup is on waits for the
//! directory rather than being searched twice), then found or created many per search (the
//! facade's `try_find_or_create_contacts_by_phone`) and written back ([`Contacts::look_up`]).
//! A new number another worker is creating the contact of is not waited for either: its
//! entries look again a moment later, and the rest is logged now (a worker that crashed
//! holding a number's claim would otherwise stall every entry of that number until the claim
//! lapses).
//!
//! HubSpot's search takes 5 requests a second per account, about a quarter of what upserts and
//! associations may use (19 a second on Professional): a relay that searched every batch's
//! numbers would drain a backlog at the search limit. The directory answers a number seen in
//! the last [`TTL`] by any worker without a search, so an account's searches are about one per
//! new or returning number.
//!
//! One key a number, `<prefix>:{<account>}:directory:<E.164>` holding the contact's id, read
//! with one `MGET` and written with one pipeline of `SET … EX`: each entry has its own time to
//! live (a hash's fields have none before Redis 7.4), a stale one is deleted alone, and the
//! keys share the account's hash tag (one slot, so `MGET` works on a cluster too).
//!
//! Only a contact the lookup found or created is written: never an ambiguous number, a refusal
//! or a number no contact holds (those are searched again each time). What is read is checked
//! (an id is digits) and anything else counts as absent: Redis's content is input. Redis
//! failing the directory never holds a message: an unreadable directory is an empty one (the
//! numbers are looked up, without leases), a failed write is logged and forgotten. New numbers
//! stay one contact each across workers through the facade's claims (`RedisClaims`, set where
//! the worker's client is made: `accounts::worker_client`), not through the leases, which only
//! spare searches: two lookups may meet on one new number when a lease lapsed or Redis
//! failed.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hubspot_communications::{Client, ContactMatch, Error, PhoneNumber};
use redis::Value;
use redis::aio::ConnectionManager;
use tokio::time::Instant;

use crate::relay::keys::Keys;

/// How long an entry holds: a number that writes again within the hour (a conversation, or a
/// backlog after an outage) is not searched again; and what changed in HubSpot without a
/// refusal telling (the number moved to another contact, a second contact took it) is seen
/// within the hour, since every entry is searched afresh once it lapses (a read does not
/// extend it). About 100 bytes of Redis a number active in the last hour.
const TTL: Duration = Duration::from_secs(60 * 60);

/// How long a worker's lease on looking a number up lasts: longer than a lookup takes, waits
/// for the search limit included (after an outage, workers' lookups queue for it for tens of
/// seconds: a shorter lease lapses mid-lookup and the number is searched twice); a crashed
/// worker's leases hold back only the entries of its numbers, retried until they lapse, as its
/// contact claims do.
const LEASE: Duration = Duration::from_secs(60);

/// Takes the lookup lease of each key for `ARGV[1]` (this lookup) for `ARGV[2]` ms: 1 where it
/// is this lookup's (taken now, or its own already), 0 where another holds it. One script, any
/// Redis version (`SET … NX GET` needs 7.0).
const LEASE_SCRIPT: &str = r"
local taken = {}
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, ARGV[1], 'NX', 'PX', ARGV[2]) then
    taken[i] = 1
  elseif redis.call('GET', key) == ARGV[1] then
    taken[i] = 1
  else
    taken[i] = 0
  end
end
return taken
";

/// The longest contact id read back: HubSpot's are decimal numbers of a dozen digits or so.
const MAX_ID_DIGITS: usize = 24;

/// How long this worker leaves the directory out for a number whose entry it evicted, should
/// the eviction not have reached Redis: the number's next lookup searches whatever Redis holds.
const DISTRUST: Duration = Duration::from_secs(5 * 60);

/// The most numbers distrusted at once (a bound on memory; past it, those whose time is up go,
/// then all).
const MAX_DISTRUSTED: usize = 10_000;

/// An account's contacts, through the shared directory.
pub(crate) struct Contacts {
    connection: ConnectionManager,
    keys: Keys,
    /// The start of this worker's lookup leases' holders (its consumer name; each lookup adds
    /// a random part, so that two lookups of one worker hold each other off too).
    owner: String,
    lease_script: redis::Script,
    /// Numbers whose entry was evicted lately, not to be read from the directory.
    distrusted: std::sync::Mutex<HashMap<PhoneNumber, Instant>>,
    /// Whether the directory's last read worked (leases are worth taking only then).
    readable: AtomicBool,
}

impl std::fmt::Debug for Contacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Contacts")
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

/// A lookup's numbers, leased.
#[derive(Debug, Default)]
pub(crate) struct Leased {
    /// Those this lookup looks up.
    pub mine: Vec<PhoneNumber>,
    /// Those another lookup is on now.
    pub theirs: Vec<PhoneNumber>,
}

impl Contacts {
    pub(crate) fn new(connection: ConnectionManager, keys: Keys, owner: String) -> Self {
        Self {
            connection,
            keys,
            owner,
            lease_script: redis::Script::new(LEASE_SCRIPT),
            distrusted: std::sync::Mutex::new(HashMap::new()),
            readable: AtomicBool::new(true),
        }
    }

    /// The contacts the directory holds of `numbers` (one round trip; numbers lately evicted
    /// left out). Redis failing answers none: the numbers are looked up.
    pub(crate) async fn known(&self, numbers: &[PhoneNumber]) -> HashMap<PhoneNumber, String> {
        let trusted = self.trusted(numbers);
        self.read(&trusted)
            .await
            .unwrap_or_default()
            .into_iter()
            .collect()
    }

    /// Those of `numbers` not lately evicted.
    fn trusted(&self, numbers: &[PhoneNumber]) -> Vec<PhoneNumber> {
        let distrusted = self.distrusted();
        numbers
            .iter()
            .filter(|number| !distrusted.contains_key(*number))
            .cloned()
            .collect()
    }

    /// Leases the lookup of `numbers` (not in the directory) to one lookup of this worker:
    /// those it may look up, and those another lookup (of any worker) is on now, whose
    /// contacts are in the directory once it is done. With a directory that cannot be read,
    /// there is nothing to wait for: all are this lookup's.
    pub(crate) async fn lease(&self, numbers: &[PhoneNumber]) -> Leased {
        if !self.readable.load(Ordering::Relaxed) {
            return Leased {
                mine: numbers.to_vec(),
                theirs: Vec::new(),
            };
        }
        let owner = format!("{}:{:08x}", self.owner, super::options::random() as u32);
        let (mine, theirs) = self.take_leases(numbers, &owner).await;
        Leased { mine, theirs }
    }

    /// Finds or creates the contact of each of `numbers` (leased to this lookup), and writes
    /// those found or made to the directory for [`TTL`].
    pub(crate) async fn look_up(
        &self,
        client: &Client,
        numbers: &[PhoneNumber],
    ) -> Result<HashMap<PhoneNumber, ContactMatch>, Error> {
        let found = match client.try_find_or_create_contacts_by_phone(numbers).await {
            Ok(found) => found,
            Err(error) => {
                self.unlease(numbers).await;
                return Err(error);
            }
        };
        let learned: Vec<(&PhoneNumber, &str)> = found
            .iter()
            .filter_map(|(number, answer)| match answer {
                ContactMatch::Found(id) | ContactMatch::Created(id) if valid_id(id) => {
                    Some((number, id.as_str()))
                }
                _ => None,
            })
            .collect();
        // The leases of what the directory now holds are kept till they lapse: a worker that
        // missed the directory a moment before the write meets the lease, waits, and reads the
        // directory (given up, it would search again). The rest (an ambiguous number, a
        // refusal, or all when the write failed) is for the next lookup.
        let written = self.write(&learned).await;
        let settled: HashSet<&PhoneNumber> = if written {
            learned.iter().map(|(number, _)| *number).collect()
        } else {
            HashSet::new()
        };
        let open: Vec<PhoneNumber> = numbers
            .iter()
            .filter(|number| !settled.contains(number))
            .cloned()
            .collect();
        self.unlease(&open).await;
        Ok(found)
    }

    /// Deletes the entries of `numbers` (their contact was refused: deleted or merged since),
    /// so that their next lookup searches; until then, and should the delete fail, this
    /// worker reads them no more for a while.
    pub(crate) async fn evict(&self, numbers: &[PhoneNumber]) {
        if numbers.is_empty() {
            return;
        }
        {
            let mut distrusted = self.distrusted();
            if distrusted.len() + numbers.len() > MAX_DISTRUSTED {
                let now = Instant::now();
                distrusted.retain(|_, since| now.duration_since(*since) < DISTRUST);
                if distrusted.len() + numbers.len() > MAX_DISTRUSTED {
                    distrusted.clear();
                }
            }
            let now = Instant::now();
            for number in numbers {
                distrusted.insert(number.clone(), now);
            }
        }
        // The lookup leases too: the entries' retry looks them up again at once.
        let keys: Vec<String> = numbers
            .iter()
            .flat_map(|n| [self.keys.directory(n), self.keys.lookup(n)])
            .collect();
        let deleted: Result<i64, redis::RedisError> = redis::cmd("DEL")
            .arg(&keys)
            .query_async(&mut self.connection.clone())
            .await;
        if let Err(error) = deleted {
            tracing::warn!(%error, numbers = numbers.len(),
                "Redis failed deleting stale contact directory entries; this worker searches those numbers, and the entries lapse within the hour");
        }
    }

    /// The numbers lately evicted, those whose time is up dropped.
    fn distrusted(&self) -> std::sync::MutexGuard<'_, HashMap<PhoneNumber, Instant>> {
        let mut distrusted = self
            .distrusted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !distrusted.is_empty() {
            let now = Instant::now();
            distrusted.retain(|_, since| now.duration_since(*since) < DISTRUST);
        }
        distrusted
    }

    /// The directory's entries of `numbers`, one round trip; valid ids only. Redis failing is
    /// an empty answer: the numbers are searched.
    async fn read(&self, numbers: &[PhoneNumber]) -> Option<Vec<(PhoneNumber, String)>> {
        if numbers.is_empty() {
            return Some(Vec::new());
        }
        let keys: Vec<String> = numbers.iter().map(|n| self.keys.directory(n)).collect();
        let reply: Result<Value, redis::RedisError> = redis::cmd("MGET")
            .arg(&keys)
            .query_async(&mut self.connection.clone())
            .await;
        let values = match reply {
            Ok(Value::Array(values)) if values.len() == numbers.len() => values,
            Ok(other) => {
                tracing::warn!(reply = %super::unexpected("MGET", &other),
                    "the contact directory's answer is not one value a number; looking the numbers up");
                self.readable.store(false, Ordering::Relaxed);
                return None;
            }
            Err(error) => {
                tracing::warn!(%error, "Redis failed reading the contact directory; looking the numbers up");
                self.readable.store(false, Ordering::Relaxed);
                return None;
            }
        };
        self.readable.store(true, Ordering::Relaxed);
        numbers
            .iter()
            .zip(values)
            .filter_map(|(number, value)| {
                let id = super::text(&value).filter(|id| valid_id(id))?;
                Some((number.clone(), id))
            })
            .collect::<Vec<_>>()
            .into()
    }

    /// Leases the lookup of `numbers` for [`LEASE`]: those this worker may look up, and those
    /// another worker is looking up now. Redis failing leases them all here (a number may
    /// then be searched twice, never lost; a new one is still created once, by the claims).
    async fn take_leases(
        &self,
        numbers: &[PhoneNumber],
        owner: &str,
    ) -> (Vec<PhoneNumber>, Vec<PhoneNumber>) {
        if numbers.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let mut invocation = self.lease_script.prepare_invoke();
        for number in numbers {
            invocation.key(self.keys.lookup(number));
        }
        invocation.arg(owner).arg(LEASE.as_millis() as u64);
        let replies: Result<Vec<i64>, redis::RedisError> =
            invocation.invoke_async(&mut self.connection.clone()).await;
        match replies {
            Ok(replies) if replies.len() == numbers.len() => {
                let (mine, theirs): (Vec<_>, Vec<_>) = numbers
                    .iter()
                    .cloned()
                    .zip(replies)
                    .partition(|(_, reply)| *reply == 1);
                (
                    mine.into_iter().map(|(number, _)| number).collect(),
                    theirs.into_iter().map(|(number, _)| number).collect(),
                )
            }
            Ok(_) | Err(_) => (numbers.to_vec(), Vec::new()),
        }
    }

    /// Gives up leases whose numbers the directory does not answer (a lookup failed, or left
    /// them unsettled), so that nobody waits them out. (A lease that lapsed meanwhile and is another's now may go too: a second search
    /// of those numbers, no more.)
    async fn unlease(&self, numbers: &[PhoneNumber]) {
        if numbers.is_empty() {
            return;
        }
        let keys: Vec<String> = numbers.iter().map(|n| self.keys.lookup(n)).collect();
        let deleted: Result<i64, redis::RedisError> = redis::cmd("DEL")
            .arg(&keys)
            .query_async(&mut self.connection.clone())
            .await;
        if let Err(error) = deleted {
            tracing::debug!(%error, "Redis failed giving up lookup leases; they lapse");
        }
    }

    /// Writes what the lookup learned, one round trip, each entry for [`TTL`]; answers whether
    /// Redis took it. A failure is logged and forgotten: those numbers are searched again
    /// next time.
    async fn write(&self, learned: &[(&PhoneNumber, &str)]) -> bool {
        if learned.is_empty() {
            return true;
        }
        let mut pipe = redis::pipe();
        for (number, id) in learned {
            pipe.cmd("SET")
                .arg(self.keys.directory(number))
                .arg(*id)
                .arg("EX")
                .arg(TTL.as_secs())
                .ignore();
        }
        let written: Result<(), redis::RedisError> =
            pipe.query_async(&mut self.connection.clone()).await;
        if let Err(error) = &written {
            tracing::warn!(%error, numbers = learned.len(),
                "Redis failed writing the contact directory; those numbers are searched again next time");
        }
        written.is_ok()
    }
}

/// Whether `id` can be a HubSpot contact id: decimal digits, not too many.
fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_ID_DIGITS && id.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_digits_are_contact_ids() {
        assert!(valid_id("1"));
        assert!(valid_id("123456789012"));
        for bad in [
            "",
            "12a",
            " 12",
            "-1",
            "1.5",
            "１２",
            "12\n",
            &"9".repeat(MAX_ID_DIGITS + 1),
        ] {
            assert!(!valid_id(bad), "{bad:?}");
        }
    }
}
