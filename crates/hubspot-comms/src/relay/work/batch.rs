//! One batch of entries through HubSpot: read, contacts found or created (many numbers per
//! search), messages logged by key (upserts, then the associations), and a verdict for each
//! entry: logged, dead (refused for good, or unreadable), or to retry.

use std::collections::{BTreeSet, HashMap};

use futures::StreamExt;
use hubspot_communications::{
    BatchError, Client, ContactMatch, Error, LogOutcome, MAX_TEXT_PROPERTY_CHARS, NewMessage,
    PhoneNumber, RateLimitPolicy, Region, UpsertInput,
};

use super::contacts::Contacts;
use super::stream::Delivered;
use crate::import::write::names_key_property;
use crate::relay::accounts::AccountName;
use crate::relay::entry::Entry;

/// What a message with no text is logged with (Twilio sends none with a picture alone).
const NO_TEXT: &str = "(no text)";

/// What becomes of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// HubSpot has it, on its contact: acknowledge.
    Logged,
    /// It can never be logged as it is: a dead letter, with why.
    Dead(String),
    /// It may be logged later: keep it, and try again.
    Retry(String),
}

/// How a worker logs an account's entries.
#[derive(Debug)]
pub(crate) struct Logging {
    pub account: AccountName,
    pub client: Client,
    pub key_property: String,
    pub region: Option<Region>,
    pub contacts: Contacts,
}

/// An entry read, its contact's number known.
struct Readable {
    entry: Entry,
    number: PhoneNumber,
}

/// Each entry of `batch` with its verdict.
pub(crate) async fn process(logging: &Logging, batch: Vec<Delivered>) -> Vec<(Delivered, Verdict)> {
    let mut verdicts: Vec<Option<Verdict>> = vec![None; batch.len()];
    let mut readable: Vec<(usize, Readable)> = Vec::new();
    for (at, delivered) in batch.iter().enumerate() {
        match read(logging, delivered) {
            Ok(entry) => readable.push((at, entry)),
            Err(reason) => verdicts[at] = Some(Verdict::Dead(reason)),
        }
    }

    let numbers: Vec<PhoneNumber> = readable
        .iter()
        .map(|(_, r)| r.number.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let contacts = if numbers.is_empty() {
        HashMap::new()
    } else {
        match logging.contacts.resolve(&logging.client, &numbers).await {
            Ok(contacts) => contacts,
            Err(error) => {
                let verdict = judge(&error, &logging.key_property, "finding the contacts");
                for (at, _) in &readable {
                    verdicts[*at] = Some(verdict.clone());
                }
                return settled(batch, verdicts);
            }
        }
    };

    // One upsert per key: HubSpot refuses a batch that names a key twice, and two entries of
    // one key are one message.
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    let mut inputs = Vec::new();
    for (at, readable) in readable {
        let contact = contacts
            .get(&readable.number)
            .cloned()
            .unwrap_or(ContactMatch::NotFound);
        let association = match &contact {
            ContactMatch::Found(_) | ContactMatch::Created(_) => contact.association(),
            _ => None,
        };
        let Some(association) = association else {
            verdicts[at] = Some(unmatched(&readable.number, &contact));
            continue;
        };
        let key = readable.entry.key.clone();
        match by_key.get_mut(&key) {
            Some(repeats) => repeats.push(at),
            None => {
                by_key.insert(key.clone(), vec![at]);
                inputs.push(UpsertInput::new(
                    key,
                    message(&readable.entry).associate(association),
                ));
            }
        }
    }
    if !inputs.is_empty() {
        let logged: Vec<_> = logging
            .client
            .log_all_keyed(&logging.key_property, futures::stream::iter(inputs))
            .collect()
            .await;
        for logged in logged {
            let verdict = match &logged.outcome {
                LogOutcome::Logged(_) => Verdict::Logged,
                LogOutcome::Unknown(error) => Verdict::Retry(format!(
                    "HubSpot may or may not have it (logging it again is safe): {error}"
                )),
                LogOutcome::Failed(BatchError::Request(error)) => {
                    judge(error.as_ref(), &logging.key_property, "logging the message")
                }
                LogOutcome::Failed(failure) => Verdict::Dead(format!(
                    "HubSpot refused the message: {}",
                    describe(failure)
                )),
            };
            for at in by_key.remove(&logged.key).unwrap_or_default() {
                verdicts[at] = Some(verdict.clone());
            }
        }
    }
    settled(batch, verdicts)
}

/// The entries with their verdicts; one the steps above left without one (which they do not)
/// is tried again rather than lost.
fn settled(batch: Vec<Delivered>, verdicts: Vec<Option<Verdict>>) -> Vec<(Delivered, Verdict)> {
    batch
        .into_iter()
        .zip(verdicts)
        .map(|(delivered, verdict)| {
            let verdict = verdict.unwrap_or_else(|| {
                Verdict::Retry("HubSpot's answer did not account for the message".to_owned())
            });
            (delivered, verdict)
        })
        .collect()
}

/// An entry and its contact's number, or why it can never be logged.
fn read(logging: &Logging, delivered: &Delivered) -> Result<Readable, String> {
    let entry = Entry::from_fields(&delivered.fields)
        .map_err(|unreadable| format!("unreadable entry: {unreadable}"))?;
    if entry.account != logging.account {
        return Err(format!(
            "an entry of the account {} in the stream of {}",
            entry.account, logging.account
        ));
    }
    let length = entry.body.chars().count();
    if length > MAX_TEXT_PROPERTY_CHARS {
        return Err(format!(
            "the message body is {length} characters long; HubSpot stores at most {MAX_TEXT_PROPERTY_CHARS} in a property"
        ));
    }
    let number = PhoneNumber::parse(&entry.contact, logging.region)
        .map_err(|error| format!("the contact's number {:?}: {error}", entry.contact))?;
    Ok(Readable { entry, number })
}

/// The message an entry is logged as (its association added by the caller).
fn message(entry: &Entry) -> NewMessage {
    let body = if entry.body.trim().is_empty() {
        NO_TEXT.to_owned()
    } else {
        entry.body.clone()
    };
    let mut message = NewMessage::new(entry.channel.clone(), body).timestamp(entry.sent_at());
    if let Some(owner) = &entry.owner {
        message = message.owner(owner.clone());
    }
    message
}

/// An entry whose number names no one contact.
fn unmatched(number: &PhoneNumber, contact: &ContactMatch) -> Verdict {
    match contact {
        ContactMatch::Ambiguous(ids) => Verdict::Dead(format!(
            "{number} is held by several contacts ({}): merge them, then retry the dead letter",
            ids.join(", ")
        )),
        ContactMatch::Refused { category, message } => Verdict::Dead(format!(
            "HubSpot refused a contact for {number}: {}{message}",
            category
                .as_ref()
                .map(|c| format!("{c}: "))
                .unwrap_or_default()
        )),
        // The lookup creates what it does not find: an answer without one is HubSpot's
        // inconsistency, worth another try.
        _ => Verdict::Retry(format!("no contact was found or created for {number}")),
    }
}

/// What a failed call means for the entries it was for. Failures that may pass (429, 5xx,
/// transport, an unknown fate) are tried again; so are those of the account rather than of
/// the message (credentials or a refresh token refused, scopes missing, the daily limit, the
/// key property missing or unusable, a setting), which no message should be dead-lettered
/// for; a refusal of the message itself (another 4xx, a validation error) is a dead letter.
fn judge(error: &Error, key_property: &str, what: &str) -> Verdict {
    let retry = |why: &str| Verdict::Retry(format!("{what}: {why}{error}"));
    if error.is_retryable() || error.is_fate_unknown() {
        return retry("");
    }
    if matches!(error, Error::RefreshRefused(_))
        || matches!(error.status(), Some(401 | 403 | 429))
        || error.rate_limit_policy() == Some(&RateLimitPolicy::Daily)
    {
        return retry("the account cannot log now (its credentials, scopes or limit): ");
    }
    if let Some(api) = error.api()
        && api.status == 400
        && names_key_property(api, key_property)
    {
        return retry(&format!(
            "the key property {key_property} is missing or cannot key messages (run `hubspot-comms setup`): "
        ));
    }
    match error {
        Error::Api(_) | Error::InvalidInput(_) | Error::InvalidId(_) => {
            Verdict::Dead(format!("{what}: HubSpot refused it: {error}"))
        }
        _ => retry(""),
    }
}

fn describe(failure: &BatchError) -> String {
    match failure {
        BatchError::Item {
            category, message, ..
        } => match category {
            Some(category) => format!("{category}: {message}"),
            None => message.clone(),
        },
        BatchError::Request(error) => error.to_string(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use hubspot_communications::{ApiError, Operation};

    use super::*;

    fn api(status: u16, message: &str) -> Error {
        Error::Api(Box::new(ApiError::new(
            Operation::BatchUpsert,
            status,
            message,
        )))
    }

    #[test]
    fn refusals_of_the_message_are_dead_and_the_rest_is_retried() {
        let dead = |e: Error| matches!(judge(&e, "external_message_id", "x"), Verdict::Dead(_));
        assert!(dead(api(400, "Property values were not valid")));
        assert!(dead(api(404, "not found")));
        assert!(dead(api(409, "conflict")));
        assert!(!dead(api(429, "slow down")));
        assert!(!dead(api(503, "away")));
        assert!(!dead(api(500, "oops")));
        assert!(!dead(api(401, "expired")));
        assert!(!dead(api(403, "missing scopes")));
        assert!(!dead(api(
            400,
            "Unable to find property external_message_id"
        )));
    }
}
