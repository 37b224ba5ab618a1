//! What a store of claims does, and how long claims and records hold by default.

use std::fmt;
use std::time::Duration;

use futures::future::BoxFuture;

use crate::error::Error;

/// How long a claim holds by default: longer than HubSpot's search lag (seconds) and a
/// contact's creation, so that whoever claims a number after it lapsed finds what its holder
/// created.
pub const DEFAULT_CLAIM_TTL: Duration = Duration::from_secs(60);
/// How long a created contact's id is kept by default: far longer than HubSpot's search lag.
pub const DEFAULT_RECORD_TTL: Duration = Duration::from_secs(600);

/// What a claim on a number answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Claim {
    /// The caller holds the claim: it creates the contact (after searching once more, if it
    /// waited for the claim) and records it (or releases the claim).
    Won,
    /// Another caller holds the claim: wait for its record.
    Held,
    /// A contact was recorded for the number: its id.
    Recorded(String),
}

/// A store of claims on phone numbers, which make
/// [`Client::find_or_create_contacts_by_phone`](crate::Client::find_or_create_contacts_by_phone)
/// create one contact per new number however many look it up at once: give one to
/// [`ClientBuilder::contact_claims`](crate::ClientBuilder::contact_claims). Implement it for
/// another shared store; each method is one atomic step.
pub trait ContactClaims: Send + Sync + fmt::Debug {
    /// Claims `number` for `owner` (a token unique to one call), unless a contact is recorded
    /// for it or someone else holds it.
    fn claim<'a>(&'a self, number: &'a str, owner: &'a str) -> BoxFuture<'a, Result<Claim, Error>>;

    /// Records `contact_id` as the number's contact and ends `owner`'s claim.
    fn record<'a>(
        &'a self,
        number: &'a str,
        owner: &'a str,
        contact_id: &'a str,
    ) -> BoxFuture<'a, Result<(), Error>>;

    /// Ends `owner`'s claim without a contact (none was made): the next caller may claim it.
    fn release<'a>(&'a self, number: &'a str, owner: &'a str) -> BoxFuture<'a, Result<(), Error>>;

    /// How long a claim holds: a caller waiting for a record gives up after twice as long.
    fn claim_ttl(&self) -> Duration;
}

/// A token unique to one lookup call: whose claim a record or release ends.
pub(crate) fn owner_token() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}
