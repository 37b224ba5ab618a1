//! An entry's way through HubSpot: read into what it says ([`read`]); once its contact is
//! known, stored by its key with up to 99 other messages ([`upsert`]: HubSpot's upsert takes
//! no associations); once stored, associated with its contact with up to 999 others
//! ([`associate`]). Each step answers a verdict for what it could not carry on: dead (refused
//! for good, or unreadable), or to retry.

use std::sync::Arc;

use hubspot_communications::{
    Association, AssociationInput, BatchError, BatchOutcome, Client, ContactMatch, Error,
    ErrorCategory, MAX_TEXT_PROPERTY_CHARS, NewMessage, PhoneNumber, RateLimitPolicy, Region,
    UpsertInput,
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
    /// Another worker is looking its number up (or creating its contact): look again in a
    /// moment, when the directory holds it.
    Wait(String),
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

/// An entry a worker holds, read: its id in the stream, its key, its contact's number and the
/// message it logs. (Only what logging needs is kept, a few hundred bytes an entry: a dead
/// letter is copied from the stream.)
#[derive(Debug, Clone)]
pub(crate) struct Held {
    pub id: String,
    pub key: String,
    pub number: PhoneNumber,
    pub message: NewMessage,
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

/// The entries of one key: one message, stored and associated once for them all (a delivery
/// repeated is one message).
pub(crate) type Group = Vec<Ready>;

/// A message stored, to be associated with its contact.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub group: Group,
    /// The message's id in HubSpot.
    pub message: String,
}

/// Stores the messages of `groups` (up to 100, each of one key) by their key: each its id in
/// HubSpot, or the verdict of its entries.
pub(crate) async fn upsert(
    logging: &Logging,
    groups: Arc<Vec<Group>>,
) -> Vec<Result<String, Verdict>> {
    let inputs: Vec<UpsertInput> = groups
        .iter()
        .map(|group| {
            let held = &group[0].held;
            UpsertInput::new(held.key.clone(), held.message.clone())
        })
        .collect();
    let outcome = logging
        .client
        .upsert_batch(&logging.key_property, &inputs)
        .await;
    let mut answers: Vec<Option<Result<String, Verdict>>> = vec![None; groups.len()];
    for success in outcome.succeeded {
        if let Some(slot) = success.input.and_then(|at| answers.get_mut(at)) {
            *slot = Some(Ok(success.value.id));
        }
    }
    for failure in outcome.failed {
        let verdict = match &failure.error {
            BatchError::Request(error) => {
                judge(error.as_ref(), &logging.key_property, "storing the message")
            }
            refused => Verdict::Dead(format!(
                "HubSpot refused the message: {}",
                describe(refused)
            )),
        };
        for at in failure.inputs {
            if let Some(slot) = answers.get_mut(at) {
                *slot = Some(Err(verdict.clone()));
            }
        }
    }
    answers
        .into_iter()
        .map(|answer| answer.unwrap_or_else(|| Err(unaccounted())))
        .collect()
}

/// Associates each message of `stored` with its contact: the verdict of each.
pub(crate) async fn associate(logging: &Logging, stored: Arc<Vec<Stored>>) -> Vec<Verdict> {
    let inputs: Vec<AssociationInput> = stored
        .iter()
        .map(|stored| {
            AssociationInput::new(
                stored.message.clone(),
                Association::contact(&stored.group[0].contact),
            )
        })
        .collect();
    let outcome: BatchOutcome<()> = logging.client.associate_batch(&inputs).await;
    let mut verdicts: Vec<Option<Verdict>> = vec![None; stored.len()];
    for success in outcome.succeeded {
        if let Some(slot) = success.input.and_then(|at| verdicts.get_mut(at)) {
            *slot = Some(Verdict::Logged);
        }
    }
    let mut stale = Vec::new();
    for failure in outcome.failed {
        for at in failure.inputs {
            let (Some(slot), Some(stored)) = (verdicts.get_mut(at), stored.get(at)) else {
                continue;
            };
            let first = &stored.group[0];
            *slot = Some(match &failure.error {
                // A contact the directory named may be gone since (deleted, merged): its
                // refusal is the entry's reason to look the number up afresh, once. Refused
                // again after a search, it is a dead letter.
                refused if first.from_directory && refuses_contact(refused, &first.contact) => {
                    stale.push(first.held.number.clone());
                    Verdict::Retry(format!(
                        "HubSpot refused the contact {} the directory holds for {} (deleted or merged since?); looking the number up afresh: {}",
                        first.contact,
                        first.held.number,
                        describe(refused)
                    ))
                }
                BatchError::Request(error) => judge(
                    error.as_ref(),
                    &logging.key_property,
                    "associating the message with its contact",
                ),
                refused => Verdict::Dead(format!(
                    "HubSpot stored the message {} but refused its association with the contact {}: {}",
                    stored.message,
                    first.contact,
                    describe(refused)
                )),
            });
        }
    }
    logging.contacts.evict(&stale).await;
    verdicts
        .into_iter()
        .map(|verdict| verdict.unwrap_or_else(unaccounted))
        .collect()
}

/// The verdict of an entry HubSpot's answer did not account for (it does): tried again
/// rather than lost.
fn unaccounted() -> Verdict {
    Verdict::Retry("HubSpot's answer did not account for the message".to_owned())
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
        message: message(&entry),
        key: entry.key,
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
        ContactMatch::BeingCreated => Verdict::Wait(format!(
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
