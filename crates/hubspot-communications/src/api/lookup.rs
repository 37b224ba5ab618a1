//! Finding the contacts messages belong to, by phone number or e-mail address, many per
//! request: an `IN` search of up to 100 numbers, a batch read of up to 100 e-mail addresses.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::Hash;

use futures::{StreamExt, TryStreamExt, stream};
use hubspot_communications_raw::types;

use super::objects::batch;
use crate::claims::{Claim, owner_token};
use crate::client::Client;
use crate::error::{Error, ErrorCategory, InvalidResponse, ResponseProblem};
use crate::model::search::{Filter, FilterGroup, Search, Sort};
use crate::model::{BatchReadOptions, ContactMatch, MAX_BATCH_SIZE, object_id};
use crate::operation::Operation;
use crate::phone::PhoneNumber;
use crate::request::Paged;

/// The most phone numbers one search request looks for (HubSpot takes at most 100 values in
/// an `IN` filter); fewer when their request would pass HubSpot's 3,000 characters
/// ([`MAX_SEARCH_BODY_CHARS`](crate::search::MAX_SEARCH_BODY_CHARS)): about 60 ten-digit
/// national numbers fit.
pub const MAX_NUMBERS_PER_SEARCH: usize = 100;

/// The longest `after` a lookup's search sends (a page offset below HubSpot's 10,000 cap),
/// counted when a chunk of numbers is sized.
const LONGEST_AFTER: &str = "10000";

const CONTACTS: &str = "contacts";
/// A contact's numbers as people typed them.
const PHONE: &str = "phone";
const MOBILE: &str = "mobilephone";
/// HubSpot's WhatsApp integration keeps this one in E.164.
const WHATSAPP: &str = "hs_whatsapp_phone_number";
/// HubSpot's calculated, formatting-free copies of `phone` and `mobilephone`: the national
/// significant number, without the country code.
const SEARCHABLE_PHONE: &str = "hs_searchable_calculated_phone_number";
const SEARCHABLE_MOBILE: &str = "hs_searchable_calculated_mobile_number";
const EMAIL: &str = "email";
/// The most results a search page holds.
const SEARCH_PAGE: u32 = 200;

/// How soon a caller waiting for another's claim looks again, at first and at most.
/// What a lookup does with numbers another caller has claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    /// Waits for their contact.
    Wait,
    /// Answers them [`ContactMatch::BeingCreated`].
    Answer,
}

const CLAIM_POLL: std::time::Duration = std::time::Duration::from_millis(50);
const CLAIM_POLL_MAX: std::time::Duration = std::time::Duration::from_millis(800);

impl Client {
    /// Finds the contacts holding each phone number in `phone`, `mobilephone` or
    /// `hs_whatsapp_phone_number`. Every distinct number of `numbers` is answered.
    ///
    /// Each search request looks for as many numbers as its body holds within HubSpot's
    /// 3,000 characters, 100 at most ([`MAX_NUMBERS_PER_SEARCH`]): one filter group per
    /// property, each an `IN` over the numbers, against HubSpot's calculated searchable
    /// properties (`hs_searchable_calculated_phone_number` and
    /// `hs_searchable_calculated_mobile_number`, the national significant number) and the
    /// WhatsApp number (E.164). So 250 ten-digit numbers take 5 search requests (more only
    /// when over 200 contacts match one), through the search rate limit (5 a second by
    /// default).
    ///
    /// The searchable forms drop the country code, so a UK and a US number with the same
    /// national digits find each other's contacts: every candidate is confirmed by reading
    /// its `phone`, `mobilephone` and `hs_whatsapp_phone_number` and normalising them
    /// (a national one in the region of the number looked for) before it counts as a match.
    /// Two contacts holding one number are [`ContactMatch::Ambiguous`].
    ///
    /// HubSpot's search index lags writes by a few seconds: a contact created or changed
    /// just before may not be found yet.
    pub async fn find_contacts_by_phone(
        &self,
        numbers: &[PhoneNumber],
    ) -> Result<HashMap<PhoneNumber, ContactMatch>, Error> {
        let distinct: Vec<PhoneNumber> = numbers
            .iter()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        self.in_given_chunks(phone_chunks(distinct), |chunk| async move {
            self.match_numbers(&chunk).await
        })
        .await
    }

    /// Finds the contacts of each e-mail address through batch reads by `idProperty=email`,
    /// 100 a request. HubSpot compares e-mail addresses case-insensitively, and so does
    /// this: addresses are trimmed and lowercased before they are sent, and
    /// `Linda@Example.com` and `linda@example.com` get the same answer. The answer is keyed
    /// by each address as given. A blank address is refused ([`Error::InvalidInput`]).
    pub async fn find_contacts_by_email(
        &self,
        emails: &[String],
    ) -> Result<HashMap<String, ContactMatch>, Error> {
        if let Some(blank) = emails.iter().find(|e| e.trim().is_empty()) {
            return Err(Error::InvalidInput(format!(
                "{blank:?} is not an e-mail address"
            )));
        }
        let normalised: BTreeSet<String> = emails.iter().map(|e| normalise_email(e)).collect();
        let normalised: Vec<String> = normalised.into_iter().collect();
        let found = self
            .in_chunks(&normalised, MAX_BATCH_SIZE, |chunk| async move {
                self.read_emails(&chunk).await
            })
            .await?;
        Ok(emails
            .iter()
            .map(|email| {
                let answer = found
                    .get(&normalise_email(email))
                    .cloned()
                    .unwrap_or(ContactMatch::NotFound);
                (email.clone(), answer)
            })
            .collect())
    }

    /// [`find_contacts_by_phone`](Self::find_contacts_by_phone), then creates a contact
    /// (`phone` = the E.164 form) for each number no contact holds, through batch creates of
    /// up to 100: those numbers answer [`ContactMatch::Created`]. An ambiguous number gets no
    /// contact. A number HubSpot refuses to create a contact for answers
    /// [`ContactMatch::Refused`].
    ///
    /// One contact per new number, however many callers look it up at once and however far
    /// HubSpot's search lags its writes: a number the search does not find is claimed first
    /// ([`ContactClaims`](crate::ContactClaims): this client's clones by default, every
    /// process with [`RedisClaims`](crate::RedisClaims)); the caller that wins creates the
    /// contact (after searching once more if it waited for the claim: its first search is as
    /// old as its wait), the others wait for it and answer [`ContactMatch::Found`] with its
    /// id.
    ///
    /// A create is not retried when HubSpot may have acted on it; such a failure is the
    /// call's error, and the number stays claimed until its claim lapses, after which the
    /// next caller's search finds what was created. Any other failure after a claim (the
    /// second search, a create HubSpot refused or never received, the claims' store) is the
    /// call's error too, and releases the claims it holds where no contact can have been made:
    /// the next caller claims those numbers at once rather than wait out the claim.
    pub async fn find_or_create_contacts_by_phone(
        &self,
        numbers: &[PhoneNumber],
    ) -> Result<HashMap<PhoneNumber, ContactMatch>, Error> {
        self.find_or_create(numbers, Held::Wait).await
    }

    /// [`find_or_create_contacts_by_phone`](Self::find_or_create_contacts_by_phone) without
    /// waiting for other callers: a new number another caller has claimed (and is creating
    /// the contact of) answers [`ContactMatch::BeingCreated`] at once; ask again in a moment,
    /// when it is found. For a caller with other work to do meanwhile (a relay's batch whose
    /// other messages can be logged now) rather than one number to wait for; a claim whose
    /// holder crashed keeps a number `BeingCreated` until the claim lapses.
    pub async fn try_find_or_create_contacts_by_phone(
        &self,
        numbers: &[PhoneNumber],
    ) -> Result<HashMap<PhoneNumber, ContactMatch>, Error> {
        self.find_or_create(numbers, Held::Answer).await
    }

    async fn find_or_create(
        &self,
        numbers: &[PhoneNumber],
        on_held: Held,
    ) -> Result<HashMap<PhoneNumber, ContactMatch>, Error> {
        let mut answers = self.find_contacts_by_phone(numbers).await?;
        let mut waiting: Vec<PhoneNumber> = answers
            .iter()
            .filter(|(_, found)| **found == ContactMatch::NotFound)
            .map(|(number, _)| number.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let claims = &self.inner.contact_claims;
        let owner = owner_token();
        // Claims lapse: one held past twice its lifetime is a store that does not work.
        let give_up = tokio::time::Instant::now() + claims.claim_ttl() * 2;
        let mut pause = CLAIM_POLL;
        // Claims won at once follow the search that just missed their numbers: a contact an
        // earlier holder made is found by it (a claim outlives HubSpot's search lag) or
        // recorded. A claim won after a wait needs a search as fresh as it.
        let mut waited = false;
        loop {
            let mut won = Vec::new();
            let mut held = Vec::new();
            for number in waiting {
                match claims.claim(number.as_str(), &owner).await {
                    Ok(Claim::Won) => won.push(number),
                    Ok(Claim::Held) => held.push(number),
                    Ok(Claim::Recorded(id)) => {
                        answers.insert(number, ContactMatch::Found(id));
                    }
                    Err(error) => {
                        // Nothing was created for those won so far: free them.
                        self.release_claims(&won, &owner).await;
                        return Err(error);
                    }
                }
            }
            if !won.is_empty() {
                answers.extend(self.create_claimed(&won, &owner, waited).await?);
            }
            if held.is_empty() {
                return Ok(answers);
            }
            if on_held == Held::Answer {
                answers.extend(held.into_iter().map(|n| (n, ContactMatch::BeingCreated)));
                return Ok(answers);
            }
            if tokio::time::Instant::now() >= give_up {
                return Err(Error::ClaimsUnavailable(
                    format!(
                        "{} numbers were claimed past twice a claim's lifetime",
                        held.len()
                    )
                    .into(),
                ));
            }
            tokio::time::sleep(pause).await;
            waited = true;
            pause = (pause * 2).min(CLAIM_POLL_MAX);
            waiting = held;
        }
    }

    /// Creates the contacts of numbers this call claimed: searched once more first when the
    /// claims were won after a wait (`search_again`: a contact an earlier holder created is
    /// searchable by now), recorded once made, and their claims released where no contact was
    /// made. On an error, the claims of numbers no contact can
    /// have been made for are released (a search failed, HubSpot refused the create or never
    /// received it), so that other callers need not wait them out; those of a create HubSpot
    /// may have acted on stay until they lapse, when a search finds what it made.
    async fn create_claimed(
        &self,
        won: &[PhoneNumber],
        owner: &str,
        search_again: bool,
    ) -> Result<HashMap<PhoneNumber, ContactMatch>, Error> {
        let mut answers = if search_again {
            match self.find_contacts_by_phone(won).await {
                Ok(answers) => answers,
                Err(error) => {
                    self.release_claims(won, owner).await;
                    return Err(error);
                }
            }
        } else {
            won.iter()
                .map(|number| (number.clone(), ContactMatch::NotFound))
                .collect()
        };
        let mut create = Vec::new();
        let mut settled = Vec::new();
        for (number, found) in &answers {
            match found {
                ContactMatch::NotFound => create.push(number.clone()),
                other => settled.push((number.clone(), other.clone())),
            }
        }
        if let Err(error) = self.settle_claims(&settled, owner).await {
            // The store failed: free what was not created yet (the rest lapses).
            self.release_claims(&create, owner).await;
            return Err(error);
        }
        // Chunk by chunk, so that what one create made is recorded whatever another's fate.
        let chunks: Vec<Vec<PhoneNumber>> = create
            .chunks(MAX_BATCH_SIZE)
            .map(<[PhoneNumber]>::to_vec)
            .collect();
        let outcomes: Vec<(Vec<PhoneNumber>, Result<_, Error>)> = stream::iter(chunks)
            .map(|chunk| async move {
                let outcome = self.create_contacts(&chunk).await;
                (chunk, outcome)
            })
            .buffer_unordered(self.inner.batch_concurrency)
            .collect()
            .await;
        let mut failure = None;
        for (chunk, outcome) in outcomes {
            match outcome {
                Ok(created) => {
                    let made: Vec<_> = created
                        .iter()
                        .map(|(n, m)| (n.clone(), m.clone()))
                        .collect();
                    answers.extend(created);
                    if let Err(error) = self.settle_claims(&made, owner).await {
                        failure.get_or_insert(error);
                    }
                }
                Err(error) => {
                    if !error.is_fate_unknown() {
                        self.release_claims(&chunk, owner).await;
                    }
                    failure.get_or_insert(error);
                }
            }
        }
        match failure {
            Some(error) => Err(error),
            None => Ok(answers),
        }
    }

    /// Ends this call's claims on numbers looked up: a contact found or made is recorded, the
    /// claim of any other answer released.
    async fn settle_claims(
        &self,
        answers: &[(PhoneNumber, ContactMatch)],
        owner: &str,
    ) -> Result<(), Error> {
        let claims = &self.inner.contact_claims;
        for (number, answer) in answers {
            match answer {
                ContactMatch::Found(id) | ContactMatch::Created(id) => {
                    claims.record(number.as_str(), owner, id).await?;
                }
                _ => claims.release(number.as_str(), owner).await?,
            }
        }
        Ok(())
    }

    /// Releases this call's claims on `numbers`, no contact having been made for them, on the
    /// way out with an error: a release that fails lets its claim lapse, and the caller hears
    /// of the error that ended the call, not of this one.
    async fn release_claims(&self, numbers: &[PhoneNumber], owner: &str) {
        let claims = &self.inner.contact_claims;
        for number in numbers {
            if claims.release(number.as_str(), owner).await.is_err() {
                break;
            }
        }
    }

    /// One search (paged) for a chunk of numbers ([`phone_chunks`]), and the confirmed
    /// matches.
    async fn match_numbers(
        &self,
        numbers: &[PhoneNumber],
    ) -> Result<HashMap<PhoneNumber, ContactMatch>, Error> {
        let candidates = self.search_contacts(&phone_search(numbers)).await?;
        Ok(confirm(numbers, &candidates))
    }

    /// Every contact a search finds, page after page.
    async fn search_contacts(
        &self,
        search: &Search,
    ) -> Result<Vec<types::SimplePublicObject>, Error> {
        let (client, search) = (self.clone(), search.clone());
        let pages = Paged::new(Operation::SearchObjects, move |after| {
            let (client, search) = (client.clone(), search.clone());
            async move {
                let operation = Operation::SearchObjects;
                let (_, page) = client
                    .search_objects(operation, CONTACTS, &search, after.as_deref())
                    .await?;
                Ok(page)
            }
        });
        pages.try_collect().await
    }

    /// One batch read of up to 100 (normalised) e-mail addresses.
    async fn read_emails(&self, emails: &[String]) -> Result<HashMap<String, ContactMatch>, Error> {
        let options = BatchReadOptions {
            id_property: Some(EMAIL.to_owned()),
            ..BatchReadOptions::new().properties([EMAIL])
        };
        let inputs: Vec<_> = emails.iter().map(|email| object_id(email)).collect();
        let answer = self
            .execute(Operation::BatchReadObjects, |raw| {
                batch::read(raw, CONTACTS, &options, inputs.clone())
            })
            .await?;
        let mut holders: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for contact in answer.results {
            let Some(email) = contact.properties.get(EMAIL).cloned().flatten() else {
                continue;
            };
            holders
                .entry(normalise_email(&email))
                .or_default()
                .insert(contact.id);
        }
        let mut answers: HashMap<String, ContactMatch> = HashMap::new();
        for error in answer.errors {
            let named = error.context.get("ids").into_iter().flatten();
            for email in named.map(|e| normalise_email(e)) {
                let category = error.category.as_deref().map(ErrorCategory::from);
                let refusal = if category == Some(ErrorCategory::ObjectNotFound) {
                    ContactMatch::NotFound
                } else {
                    ContactMatch::Refused {
                        category,
                        message: error.message.clone().unwrap_or_default(),
                    }
                };
                answers.insert(email, refusal);
            }
        }
        for email in emails {
            if let Some(ids) = holders.remove(email) {
                answers.insert(email.clone(), one_or_ambiguous(ids));
            } else if !answers.contains_key(email) {
                // Neither a result nor an error names it: HubSpot's answer does not account
                // for it, and "not found" would be a guess.
                return Err(InvalidResponse::error(
                    Operation::BatchReadObjects,
                    None,
                    ResponseProblem::Unaccounted,
                ));
            }
        }
        Ok(answers)
    }

    /// One batch create of contacts for up to 100 numbers.
    async fn create_contacts(
        &self,
        numbers: &[PhoneNumber],
    ) -> Result<HashMap<PhoneNumber, ContactMatch>, Error> {
        let inputs = numbers
            .iter()
            .enumerate()
            .map(
                |(index, number)| types::SimplePublicObjectBatchInputForCreate {
                    associations: Vec::new(),
                    // Carried back on each result and error, so that they map to their numbers.
                    object_write_trace_id: Some(index.to_string()),
                    properties: BTreeMap::from([(PHONE.to_owned(), number.as_str().to_owned())]),
                },
            )
            .collect::<Vec<_>>();
        let answer = self
            .execute(Operation::BatchCreateObjects, |raw| {
                batch::create(raw, CONTACTS, inputs.clone())
            })
            .await?;
        let by_trace = |trace: Option<&str>| {
            trace
                .and_then(|t| t.parse::<usize>().ok())
                .and_then(|index| numbers.get(index))
        };
        let mut answers = HashMap::new();
        for contact in answer.results {
            let number = by_trace(contact.object_write_trace_id.as_deref()).or_else(|| {
                let phone = contact.properties.get(PHONE).cloned().flatten()?;
                numbers.iter().find(|n| n.as_str() == phone)
            });
            if let Some(number) = number {
                answers.insert(number.clone(), ContactMatch::Created(contact.id));
            }
        }
        for error in answer.errors {
            let traces = error
                .context
                .get("objectWriteTraceId")
                .into_iter()
                .flatten();
            for number in traces.filter_map(|t| by_trace(Some(t))) {
                answers.insert(
                    number.clone(),
                    ContactMatch::Refused {
                        category: error.category.as_deref().map(ErrorCategory::from),
                        message: error.message.clone().unwrap_or_default(),
                    },
                );
            }
        }
        if answers.len() < numbers.len() {
            // A contact may have been created for a number no result names: its fate is
            // unknown, and the caller's next lookup will tell.
            return Err(InvalidResponse::error(
                Operation::BatchCreateObjects,
                None,
                ResponseProblem::Unaccounted,
            ));
        }
        Ok(answers)
    }
}

/// HubSpot's e-mail comparison: trimmed, lowercased.
fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn one_or_ambiguous(ids: BTreeSet<String>) -> ContactMatch {
    let mut ids: Vec<String> = ids.into_iter().collect();
    // HubSpot's ids are numbers: ascending by value, then as text for anything else.
    ids.sort_by(|a, b| (a.len(), a.as_str()).cmp(&(b.len(), b.as_str())));
    match ids.len() {
        0 => ContactMatch::NotFound,
        1 => ContactMatch::Found(ids.remove(0)),
        _ => ContactMatch::Ambiguous(ids),
    }
}

/// A contact's number without the extension people type after it (`+1 415 555 0123 ext. 5`,
/// `(415) 555-0123 x12`, `tel:+14155550123;ext=5`): the text up to the first letter, `#`,
/// `;` or `,` after its first digit.
fn without_extension(value: &str) -> &str {
    let Some(first_digit) = value.find(|c: char| c.is_ascii_digit()) else {
        return value;
    };
    let end = value[first_digit..]
        .find(|c: char| c.is_alphabetic() || matches!(c, '#' | ';' | ','))
        .map_or(value.len(), |at| first_digit + at);
    &value[..end]
}

/// Which of `numbers` each candidate really holds: its phone properties read as numbers and
/// compared in E.164 when international (`+`, `00`); a national one (no country code) is a
/// number looked for only when written as that number's region writes it nationally (see
/// `PhoneNumber::national_digit_forms`): the search's national digits alone cannot tell a UK
/// number from a US one.
fn confirm(
    numbers: &[PhoneNumber],
    candidates: &[types::SimplePublicObject],
) -> HashMap<PhoneNumber, ContactMatch> {
    let wanted: HashSet<&PhoneNumber> = numbers.iter().collect();
    let mut national: HashMap<String, Vec<&PhoneNumber>> = HashMap::new();
    for number in numbers {
        for digits in number.national_digit_forms() {
            national.entry(digits).or_default().push(number);
        }
    }
    let mut holders: HashMap<&PhoneNumber, BTreeSet<String>> = HashMap::new();
    // One read per distinct value: candidates share numbers and formats.
    let mut read: HashMap<String, Vec<&PhoneNumber>> = HashMap::new();
    for contact in candidates {
        for property in [PHONE, MOBILE, WHATSAPP] {
            let Some(value) = contact.properties.get(property).cloned().flatten() else {
                continue;
            };
            let held = read.entry(value).or_insert_with_key(|value| {
                let value = without_extension(value);
                match PhoneNumber::parse(value, None) {
                    Ok(number) => wanted.get(&number).copied().into_iter().collect(),
                    // A national number: its digits as typed, formatting aside.
                    Err(_) if !value.contains('+') => {
                        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
                        national.get(&digits).cloned().unwrap_or_default()
                    }
                    Err(_) => Vec::new(),
                }
            });
            for number in held.iter() {
                holders
                    .entry(number)
                    .or_default()
                    .insert(contact.id.clone());
            }
        }
    }
    numbers
        .iter()
        .map(|number| {
            let ids = holders.remove(number).unwrap_or_default();
            (number.clone(), one_or_ambiguous(ids))
        })
        .collect()
}

/// The search for a chunk of numbers: their contacts by the calculated searchable numbers and
/// the WhatsApp number.
fn phone_search(numbers: &[PhoneNumber]) -> Search {
    let national: BTreeSet<&str> = numbers
        .iter()
        .map(PhoneNumber::national_significant_number)
        .collect();
    let any = |filter| FilterGroup::new().filter(filter);
    Search::new()
        .any_of([
            any(Filter::is_in(SEARCHABLE_PHONE, national.iter().copied())),
            any(Filter::is_in(SEARCHABLE_MOBILE, national.iter().copied())),
            any(Filter::is_in(
                WHATSAPP,
                numbers.iter().map(PhoneNumber::as_str),
            )),
        ])
        .properties([PHONE, MOBILE, WHATSAPP])
        .sort(Sort::ascending(crate::model::property::OBJECT_ID))
        .page_size(SEARCH_PAGE)
}

/// `numbers` in chunks of at most [`MAX_NUMBERS_PER_SEARCH`] whose search body, paged as far
/// as HubSpot pages, stays within its 3,000 characters: filled in order, one number at a time.
fn phone_chunks(numbers: Vec<PhoneNumber>) -> Vec<Vec<PhoneNumber>> {
    let fits = |chunk: &[PhoneNumber]| {
        phone_search(chunk).body_chars(Some(LONGEST_AFTER.to_owned()))
            <= crate::search::MAX_SEARCH_BODY_CHARS
    };
    let mut chunks: Vec<Vec<PhoneNumber>> = Vec::new();
    let mut chunk = Vec::new();
    for number in numbers {
        chunk.push(number);
        if chunk.len() > MAX_NUMBERS_PER_SEARCH || (chunk.len() > 1 && !fits(&chunk)) {
            let last = chunk.pop().into_iter().collect();
            chunks.push(std::mem::replace(&mut chunk, last));
        }
    }
    if !chunk.is_empty() {
        chunks.push(chunk);
    }
    chunks
}

impl Client {
    /// Runs `call` on `items`, `size` at a time: [`Client::in_given_chunks`].
    async fn in_chunks<T, K, V, F, Fut>(
        &self,
        items: &[T],
        size: usize,
        call: F,
    ) -> Result<HashMap<K, V>, Error>
    where
        T: Clone,
        K: Eq + Hash,
        F: Fn(Vec<T>) -> Fut,
        Fut: Future<Output = Result<HashMap<K, V>, Error>>,
    {
        let chunks: Vec<Vec<T>> = items.chunks(size).map(<[T]>::to_vec).collect();
        self.in_given_chunks(chunks, call).await
    }

    /// Runs `call` on each chunk, `batch_concurrency` calls at once, and merges their answers:
    /// for calls whose answer is all or nothing (the first failure fails the whole): the phone
    /// and e-mail lookups.
    ///
    /// `call` owns its chunk: a closure over a borrowed one would make the caller's future
    /// lose `Send` (the borrow's lifetime is higher-ranked).
    async fn in_given_chunks<T, K, V, F, Fut>(
        &self,
        chunks: Vec<Vec<T>>,
        call: F,
    ) -> Result<HashMap<K, V>, Error>
    where
        K: Eq + Hash,
        F: Fn(Vec<T>) -> Fut,
        Fut: Future<Output = Result<HashMap<K, V>, Error>>,
    {
        let answers: Vec<HashMap<K, V>> = stream::iter(chunks)
            .map(call)
            .buffer_unordered(self.inner.batch_concurrency)
            .try_collect()
            .await?;
        Ok(answers.into_iter().flatten().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HubSpot refuses a search body over 3,000 characters: each chunk of numbers is as large as
    /// fits (paged as far as HubSpot pages), 100 at most.
    #[test]
    fn chunks_of_numbers_fit_hubspots_search_body() {
        let region = crate::phone::Region::parse("US").unwrap();
        let us: Vec<PhoneNumber> = (0..250)
            .map(|i| PhoneNumber::parse(&format!("+1 415 555 {i:04}"), Some(region)).unwrap())
            .collect();
        let chunks = phone_chunks(us.clone());
        assert_eq!(chunks.concat(), us, "every number, in order, once");
        let max = crate::search::MAX_SEARCH_BODY_CHARS;
        for (i, chunk) in chunks.iter().enumerate() {
            let chars = phone_search(chunk).body_chars(Some(LONGEST_AFTER.to_owned()));
            assert!(chars <= max, "chunk {i}: {chars}");
            assert!(chunk.len() <= MAX_NUMBERS_PER_SEARCH);
            if let Some(next) = chunks.get(i + 1) {
                let mut more = chunk.clone();
                more.push(next[0].clone());
                let chars = phone_search(&more).body_chars(Some(LONGEST_AFTER.to_owned()));
                assert!(chars > max, "chunk {i} could hold one more");
            }
        }
        assert_eq!(
            chunks.iter().map(Vec::len).collect::<Vec<_>>(),
            [62, 62, 62, 62, 2]
        );
        // Short numbers fill a chunk to 100, never more.
        let short: Vec<PhoneNumber> = (0..150)
            .map(|i| PhoneNumber::parse(&format!("+298 {:06}", 300_000 + i), None).unwrap())
            .collect();
        let lengths: Vec<usize> = phone_chunks(short).iter().map(Vec::len).collect();
        assert!(
            lengths.iter().all(|n| *n <= MAX_NUMBERS_PER_SEARCH),
            "{lengths:?}"
        );
        assert!(phone_chunks(Vec::new()).is_empty());
    }

    #[test]
    fn extensions_are_cut_off_contacts_numbers() {
        assert_eq!(
            without_extension("+1 415 555 0123 ext. 5"),
            "+1 415 555 0123 "
        );
        assert_eq!(without_extension("(415) 555-0123 x12"), "(415) 555-0123 ");
        assert_eq!(
            without_extension("tel:+14155550123;ext=5"),
            "tel:+14155550123"
        );
        assert_eq!(
            without_extension("whatsapp:+14155550123"),
            "whatsapp:+14155550123"
        );
        assert_eq!(without_extension("no number"), "no number");
    }

    fn contact(id: &str, properties: &[(&str, &str)]) -> types::SimplePublicObject {
        let properties = properties
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Some((*v).to_owned())))
            .collect();
        serde_json::from_value::<types::SimplePublicObject>(serde_json::json!({
            "id": id, "properties": {}, "createdAt": "2026-01-01T00:00:00Z",
            "updatedAt": "2026-01-01T00:00:00Z", "archived": false,
        }))
        .map(|mut contact| {
            contact.properties = properties;
            contact
        })
        .unwrap()
    }

    #[test]
    fn candidates_are_confirmed_in_their_numbers_regions() {
        let london: PhoneNumber = "+44 20 7946 0958".parse().unwrap();
        let maine: PhoneNumber = "+1 207 946 0958".parse().unwrap();
        let candidates = [
            contact("1", &[(PHONE, "(207) 946-0958")]),
            contact("2", &[(MOBILE, "020 7946 0958 ext. 12")]),
            contact("3", &[(WHATSAPP, "+442079460958")]),
            contact("4", &[(PHONE, "2079460958 (office)")]),
            contact("5", &[(PHONE, "not a number")]),
        ];
        let found = confirm(&[london.clone(), maine.clone()], &candidates);
        assert_eq!(
            found[&london],
            ContactMatch::Ambiguous(vec!["2".into(), "3".into()])
        );
        // Digits alone are the US way of writing it: "2079460958" is Maine's, not London's.
        assert_eq!(
            found[&maine],
            ContactMatch::Ambiguous(vec!["1".into(), "4".into()])
        );
    }
}
