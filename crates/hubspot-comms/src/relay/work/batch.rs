//! An entry's way through HubSpot: read into what it says ([`read`]), then, once its contact
//! is known, logged with others by key ([`log`]: upserts, then the associations), and a verdict
//! for each: logged, dead (refused for good, or unreadable), or to retry.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use futures::StreamExt;
use hubspot_communications::{
    Association, BatchError, Client, ContactMatch, Error, ErrorCategory, LogOutcome,
    MAX_TEXT_PROPERTY_CHARS, NewMessage, PhoneNumber, RateLimitPolicy, Region, UpsertInput,
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

/// An entry a worker holds, read: its id in the stream, what it says, and its contact's
/// number. (The stream's fields are not kept: a dead letter is copied from the stream.)
#[derive(Debug, Clone)]
pub(crate) struct Held {
    pub id: String,
    pub entry: Entry,
    pub number: PhoneNumber,
}

/// An entry whose contact is known: ready to be logged.
#[derive(Debug, Clone)]
pub(crate) struct Ready {
    pub held: Held,
    /// Its contact (found or created).
    pub contact: String,
    /// Whether the contact came from the shared directory rather than from HubSpot just now:
    /// it may be gone since (deleted, merged), and a refusal of it is a reason to look again.
    pub from_directory: bool,
}

/// The verdict of each entry of `batch`, in its order.
pub(crate) async fn log(logging: &Logging, batch: Arc<Vec<Ready>>) -> Vec<Verdict> {
    let mut verdicts: Vec<Option<Verdict>> = vec![None; batch.len()];
    // One upsert per key: HubSpot refuses a batch that names a key twice, and two entries of
    // one key are one message.
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    let mut inputs = Vec::new();
    // The keys whose contact the directory named: its number, and the contact's id.
    let mut cached: HashMap<String, (PhoneNumber, String)> = HashMap::new();
    for (at, ready) in batch.iter().enumerate() {
        let key = &ready.held.entry.key;
        if let Some(repeats) = by_key.get_mut(key) {
            repeats.push(at);
            continue;
        }
        by_key.insert(key.clone(), vec![at]);
        if ready.from_directory {
            cached.insert(
                key.clone(),
                (ready.held.number.clone(), ready.contact.clone()),
            );
        }
        let message = message(&ready.held.entry).associate(Association::contact(&ready.contact));
        inputs.push(UpsertInput::new(key.clone(), message));
    }
    let logged: Vec<_> = logging
        .client
        .log_all_keyed(&logging.key_property, futures::stream::iter(inputs))
        .collect()
        .await;
    let mut stale = HashSet::new();
    for logged in logged {
        let mut verdict = match &logged.outcome {
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
        // A contact the directory named may be gone since (deleted, merged): its refusal is
        // the entry's reason to look the number up afresh, once. Refused again after a
        // search, it is a dead letter.
        if let (Verdict::Dead(reason), LogOutcome::Failed(failure)) = (&verdict, &logged.outcome)
            && let Some((number, id)) = cached.get(&logged.key)
            && refuses_contact(failure, id)
        {
            verdict = Verdict::Retry(format!(
                "HubSpot refused the contact {id} the directory holds for {number} (deleted or merged since?); looking the number up afresh: {reason}"
            ));
            stale.insert(number.clone());
        }
        for at in by_key.remove(&logged.key).unwrap_or_default() {
            verdicts[at] = Some(verdict.clone());
        }
    }
    let stale: Vec<PhoneNumber> = stale.into_iter().collect();
    logging.contacts.evict(&stale).await;
    // An entry HubSpot's answer left without a verdict (it does not) is tried again rather
    // than lost.
    verdicts
        .into_iter()
        .map(|verdict| {
            verdict.unwrap_or_else(|| {
                Verdict::Retry("HubSpot's answer did not account for the message".to_owned())
            })
        })
        .collect()
}

/// An entry read, or why it can never be logged.
pub(crate) fn read(logging: &Logging, delivered: Delivered) -> Result<Held, String> {
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
    Ok(Held {
        id: delivered.id,
        entry,
        number,
    })
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
pub(crate) fn unmatched(number: &PhoneNumber, contact: &ContactMatch) -> Verdict {
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
        ContactMatch::BeingCreated => Verdict::Retry(format!(
            "another worker is looking up or creating the contact of {number} now: logged once it has"
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
pub(crate) fn judge(error: &Error, key_property: &str, what: &str) -> Verdict {
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

/// Whether `failure` may be HubSpot refusing the contact `id`: it says an object was not found
/// (a 404, `OBJECT_NOT_FOUND`), or it names the id (in its context or its message, as a
/// validation error of an association to a deleted contact does).
fn refuses_contact(failure: &BatchError, id: &str) -> bool {
    let names = |message: &str, context: &std::collections::BTreeMap<String, Vec<String>>| {
        context.values().flatten().any(|value| value == id) || mentions(message, id)
    };
    match failure {
        BatchError::Item {
            category,
            message,
            context,
        } => *category == Some(ErrorCategory::ObjectNotFound) || names(message, context),
        BatchError::Request(error) => error.api().is_some_and(|api| {
            api.status == 404
                || api.category == Some(ErrorCategory::ObjectNotFound)
                || names(&api.message, &api.context)
        }),
        _ => false,
    }
}

/// Whether `text` holds the number `id` whole (not as a part of a longer number).
fn mentions(text: &str, id: &str) -> bool {
    if id.is_empty() {
        return false;
    }
    let bytes = text.as_bytes();
    text.match_indices(id).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + id.len()).copied();
        !before.is_some_and(|b| b.is_ascii_digit()) && !after.is_some_and(|b| b.is_ascii_digit())
    })
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

    #[test]
    fn a_refusal_names_the_contact_or_says_not_found() {
        let item =
            |category: Option<ErrorCategory>, message: &str, ids: &[&str]| BatchError::Item {
                category,
                message: message.to_owned(),
                context: [(
                    "toObjectId".to_owned(),
                    ids.iter().map(|id| (*id).to_owned()).collect(),
                )]
                .into(),
            };
        let validation = Some(ErrorCategory::ValidationError);
        assert!(refuses_contact(
            &item(validation.clone(), "No contact with id 1234", &[]),
            "1234"
        ));
        assert!(refuses_contact(
            &item(validation.clone(), "refused", &["1234"]),
            "1234"
        ));
        assert!(refuses_contact(
            &item(Some(ErrorCategory::ObjectNotFound), "gone", &[]),
            "1"
        ));
        assert!(!refuses_contact(
            &item(validation.clone(), "No contact with id 12345", &["12345"]),
            "1234"
        ));
        assert!(!refuses_contact(
            &item(validation, "Property values were not valid", &[]),
            "1234"
        ));
        let request = |error: Error| BatchError::Request(std::sync::Arc::new(error));
        assert!(refuses_contact(&request(api(404, "not found")), "1234"));
        assert!(!refuses_contact(
            &request(api(400, "Property values were not valid")),
            "1234"
        ));
        assert!(mentions("contact 1234.", "1234"));
        assert!(!mentions("contact 912345", "1234"));
        assert!(!mentions("anything", ""));
    }
}
