//! Who creates the contact of a phone number no search finds: one caller, however many look
//! at once, in one process or in many.
//!
//! HubSpot's search lags its writes by seconds: a contact created now is not found by a search
//! a second later. Two callers that each search for a new number and create its contact when
//! none is found make two contacts, and a duplicate contact is data damage someone merges by
//! hand. [`Client::find_or_create_contacts_by_phone`](crate::Client::find_or_create_contacts_by_phone)
//! therefore claims each number it did not find before creating a contact for it:
//!
//! 1. the caller that wins the claim creates the contact and records its id. Its search just
//!    missed the number, and a contact that an earlier claimant created, and then died before
//!    recording, is found by that search: a claim outlives HubSpot's search lag. A caller that
//!    won the claim only after waiting for it searches once more first (its search is as old
//!    as its wait);
//! 2. a caller that finds the number claimed waits for the record and answers that contact;
//! 3. a caller that finds the number recorded answers that contact at once (a record outlives
//!    the search lag too, so no caller in that window creates a second one).
//!
//! [`LocalClaims`], the default, holds the claims of one client and its clones (one process).
//! With the `redis` feature, `RedisClaims` holds them in Redis for every process and machine
//! that names the same Redis and key prefix.

mod local;
#[cfg(feature = "redis")]
mod redis;
mod store;

pub use local::LocalClaims;
#[cfg(feature = "redis")]
pub use redis::RedisClaims;
pub(crate) use store::owner_token;
pub use store::{Claim, ContactClaims, DEFAULT_CLAIM_TTL, DEFAULT_RECORD_TTL};
