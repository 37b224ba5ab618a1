//! A batch's contacts, found or created many numbers per search, and the contacts this worker
//! created remembered for a while.
//!
//! HubSpot's search finds a new contact only seconds after it was created. A second batch with
//! the same new number, searching meanwhile, would find nothing and create a second contact:
//! so an account's batches resolve their contacts one at a time, and a number whose contact
//! this worker created is answered from memory for [`REMEMBER`], never searched. That keeps one
//! worker to one contact per new number; across workers it takes a claim per number that every
//! worker respects, which is the facade's (switched on where the worker's client is made,
//! `accounts::worker_client`), not this module's.

use std::collections::HashMap;
use std::time::Duration;

use hubspot_communications::{Client, ContactMatch, Error, PhoneNumber};
use tokio::sync::Mutex;
use tokio::time::Instant;

/// How long a created contact is answered from memory: far longer than HubSpot's search lag.
pub(crate) const REMEMBER: Duration = Duration::from_secs(10 * 60);

/// The most created contacts remembered (about 100 bytes each).
const MAX_REMEMBERED: usize = 100_000;

/// An account's contact lookups in one worker.
#[derive(Debug, Default)]
pub(crate) struct Contacts {
    created: Mutex<HashMap<PhoneNumber, (String, Instant)>>,
}

impl Contacts {
    /// The contact of each of `numbers` (distinct), found, created, or remembered.
    pub(crate) async fn resolve(
        &self,
        client: &Client,
        numbers: &[PhoneNumber],
    ) -> Result<HashMap<PhoneNumber, ContactMatch>, Error> {
        // Held through the lookup: one batch of the account at a time.
        let mut created = self.created.lock().await;
        let now = Instant::now();
        if created.len() >= MAX_REMEMBERED {
            created.retain(|_, (_, at)| now.duration_since(*at) < REMEMBER);
            if created.len() >= MAX_REMEMBERED {
                created.clear();
            }
        }
        let mut answers = HashMap::with_capacity(numbers.len());
        let mut ask = Vec::new();
        for number in numbers {
            match created.get(number) {
                Some((id, at)) if now.duration_since(*at) < REMEMBER => {
                    answers.insert(number.clone(), ContactMatch::Found(id.clone()));
                }
                _ => ask.push(number.clone()),
            }
        }
        if !ask.is_empty() {
            let found = client.find_or_create_contacts_by_phone(&ask).await?;
            for (number, answer) in &found {
                if let ContactMatch::Created(id) = answer {
                    created.insert(number.clone(), (id.clone(), Instant::now()));
                }
            }
            answers.extend(found);
        }
        Ok(answers)
    }
}
