//! One contact per new phone number, however many callers look it up at once: claimed in this
//! process by default, across processes through Redis.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use futures::future::{BoxFuture, join_all};
use hubspot_communications::{
    Claim, Client, ContactClaims, ContactMatch, Error, LocalClaims, PhoneNumber,
};
use hubspot_communications_mock::{MockServer, ObjectType, Script};
use hubspot_communications_tests::{client_of, fast_retries, roomy};
use reqwest::Method;

fn new_number() -> PhoneNumber {
    PhoneNumber::parse("+14155550177", None).unwrap()
}

/// The contact each call answered for `number`, and the contacts the fake holds.
async fn look_up_at_once(clients: &[Client], number: &PhoneNumber) -> Vec<String> {
    let calls = clients.iter().flat_map(|client| {
        (0..4).map(move |_| client.find_or_create_contacts_by_phone(std::slice::from_ref(number)))
    });
    join_all(calls)
        .await
        .into_iter()
        .map(|answer| {
            let answer = answer.unwrap();
            match &answer[number] {
                ContactMatch::Found(id) | ContactMatch::Created(id) => id.clone(),
                other => panic!("{other:?}"),
            }
        })
        .collect()
}

#[tokio::test]
async fn callers_of_one_client_at_once_make_one_contact() {
    let server = MockServer::start_with(roomy()).await.unwrap();
    let client = client_of(&server, fast_retries());
    let number = new_number();
    let answered = look_up_at_once(&[client.clone(), client], &number).await;
    let contacts = server.records(ObjectType::Contact);
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    let ids: HashSet<&String> = answered.iter().collect();
    assert_eq!(
        ids.len(),
        1,
        "every caller answers the one contact: {answered:?}"
    );
}

#[tokio::test]
async fn a_claim_won_at_once_costs_no_second_search() {
    // The search that missed the number just now is as fresh as the claim: a contact an
    // earlier claimant made would be found by it, or recorded.
    let searches = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&searches);
    let server = MockServer::start_with(roomy().observe(move |exchange| {
        if exchange.path.ends_with("/contacts/search") {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }))
    .await
    .unwrap();
    let client = client_of(&server, fast_retries());
    let numbers: Vec<PhoneNumber> = ["+14155550177", "+14155550178"]
        .iter()
        .map(|n| PhoneNumber::parse(n, None).unwrap())
        .collect();
    let answers = client
        .find_or_create_contacts_by_phone(&numbers)
        .await
        .unwrap();
    assert!(
        answers
            .values()
            .all(|answer| matches!(answer, ContactMatch::Created(_)))
    );
    assert_eq!(server.records(ObjectType::Contact).len(), 2);
    assert_eq!(searches.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn lookups_one_after_another_within_the_search_lag_make_one_contact() {
    // The fake's search lags its writes by 5 s (its default, as HubSpot's): the second lookup's
    // search cannot see the contact the first one made a moment ago; the record can.
    let server = MockServer::start_with(roomy()).await.unwrap();
    let client = client_of(&server, fast_retries());
    let number = new_number();
    let first = look_up_at_once(std::slice::from_ref(&client), &number).await;
    let second = look_up_at_once(std::slice::from_ref(&client), &number).await;
    assert_eq!(server.records(ObjectType::Contact).len(), 1);
    assert!(first.iter().chain(&second).all(|id| *id == first[0]));
}

#[tokio::test]
async fn clients_without_a_shared_store_each_make_one() {
    // What the claims prevent, shown: two clients (two processes) with claims of their own.
    let server = MockServer::start_with(roomy()).await.unwrap();
    let (a, b) = (
        client_of(&server, fast_retries()),
        client_of(&server, fast_retries()),
    );
    let number = new_number();
    let (left, right) = tokio::join!(
        a.find_or_create_contacts_by_phone(std::slice::from_ref(&number)),
        b.find_or_create_contacts_by_phone(std::slice::from_ref(&number)),
    );
    assert!(left.is_ok() && right.is_ok());
    assert_eq!(server.records(ObjectType::Contact).len(), 2);
}

/// Claims in this process that answer the first claim as held by another caller (the caller
/// waits, then wins: a claim won after a wait is searched once more), and, on a caller's
/// first won claim, queue `failure` on the fake: the winner's next request of its kind (its
/// second search, or its create) fails.
#[derive(Debug)]
struct FailAfterWinning {
    claims: LocalClaims,
    server: Arc<MockServer>,
    failure: std::sync::Mutex<Option<Script>>,
    held_once: std::sync::atomic::AtomicBool,
}

impl ContactClaims for FailAfterWinning {
    fn claim<'a>(&'a self, number: &'a str, owner: &'a str) -> BoxFuture<'a, Result<Claim, Error>> {
        Box::pin(async move {
            if self
                .held_once
                .swap(false, std::sync::atomic::Ordering::SeqCst)
            {
                return Ok(Claim::Held);
            }
            let claim = self.claims.claim(number, owner).await?;
            if claim == Claim::Won
                && let Some(failure) = self.failure.lock().unwrap().take()
            {
                self.server.script(failure);
            }
            Ok(claim)
        })
    }

    fn record<'a>(
        &'a self,
        number: &'a str,
        owner: &'a str,
        contact_id: &'a str,
    ) -> BoxFuture<'a, Result<(), Error>> {
        self.claims.record(number, owner, contact_id)
    }

    fn release<'a>(&'a self, number: &'a str, owner: &'a str) -> BoxFuture<'a, Result<(), Error>> {
        self.claims.release(number, owner)
    }

    fn claim_ttl(&self) -> Duration {
        ContactClaims::claim_ttl(&self.claims)
    }
}

/// The winner of a claim fails after it (`failure` answers its next request of that kind): the
/// caller hears the error, and the next caller claims the number at once and makes its one
/// contact, rather than wait out the claim (a minute here).
async fn a_failure_after_the_claim_frees_the_number(failure: Script) {
    let server = Arc::new(MockServer::start_with(roomy()).await.unwrap());
    let claims = FailAfterWinning {
        claims: LocalClaims::new().claim_ttl(Duration::from_secs(60)),
        server: Arc::clone(&server),
        failure: std::sync::Mutex::new(Some(failure)),
        held_once: std::sync::atomic::AtomicBool::new(true),
    };
    let client = Client::builder("test-token")
        .for_testing(server.base_url())
        .retry(fast_retries())
        .contact_claims(claims)
        .build()
        .unwrap();
    let number = new_number();
    let failed = client
        .find_or_create_contacts_by_phone(std::slice::from_ref(&number))
        .await;
    assert!(
        matches!(failed, Err(Error::Api(ref api)) if api.status == 400),
        "the winner's failure is the caller's: {failed:?}"
    );
    assert!(server.records(ObjectType::Contact).is_empty());
    let next = tokio::time::timeout(
        Duration::from_secs(10),
        client.find_or_create_contacts_by_phone(std::slice::from_ref(&number)),
    )
    .await
    .expect("the next caller does not wait out the failed winner's claim")
    .unwrap();
    let contacts = server.records(ObjectType::Contact);
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    assert_eq!(next[&number], ContactMatch::Created(contacts[0].0.clone()));
}

/// HubSpot's answer to a request it refuses.
fn refused_body() -> serde_json::Value {
    serde_json::json!({
        "status": "error", "category": "VALIDATION_ERROR",
        "message": "refused by the test", "correlationId": "test"
    })
}

#[tokio::test]
async fn a_failed_second_search_releases_the_claim() {
    a_failure_after_the_claim_frees_the_number(
        Script::on("/contacts/search")
            .method(Method::POST)
            .status(400)
            .json(&refused_body()),
    )
    .await;
}

#[tokio::test]
async fn a_create_hubspot_refused_releases_the_claim() {
    a_failure_after_the_claim_frees_the_number(
        Script::on("/contacts/batch/create")
            .method(Method::POST)
            .status(400)
            .json(&refused_body()),
    )
    .await;
}

#[cfg(feature = "redis")]
mod across_processes {
    use hubspot_communications::{Client, RedisClaims};
    use hubspot_communications_tests::redis_server::RedisServer;

    use super::*;

    fn client_with(server: &MockServer, claims: RedisClaims) -> Client {
        Client::builder("test-token")
            .for_testing(server.base_url())
            .contact_claims(claims)
            .build()
            .unwrap()
    }

    #[tokio::test]
    #[cfg_attr(
        not(redis_server),
        ignore = "needs redis-server: apt-get install redis-server"
    )]
    async fn clients_sharing_redis_claims_make_one_contact() {
        let redis = RedisServer::start();
        // A short search lag, waited out below; the claims alone keep the first lookups to
        // one contact while search cannot see it.
        let lag = std::time::Duration::from_millis(500);
        let server = MockServer::start_with(roomy().search_lag(lag))
            .await
            .unwrap();
        let claims = || RedisClaims::new(&redis.url(), "hubspot:portal-1").unwrap();
        let clients = [
            client_with(&server, claims()),
            client_with(&server, claims()),
        ];
        let number = new_number();
        let answered = look_up_at_once(&clients, &number).await;
        let contacts = server.records(ObjectType::Contact);
        assert_eq!(contacts.len(), 1, "{contacts:?}");
        assert_eq!(
            answered.iter().collect::<HashSet<_>>().len(),
            1,
            "{answered:?}"
        );

        // Another account's prefix is another claim: once search shows the contact, it is
        // found.
        tokio::time::sleep(lag).await;
        let other = client_with(
            &server,
            RedisClaims::new(&redis.url(), "hubspot:portal-2").unwrap(),
        );
        let elsewhere = look_up_at_once(&[other], &number).await;
        assert!(
            elsewhere.iter().all(|id| *id == answered[0]),
            "found by search"
        );
        assert_eq!(server.records(ObjectType::Contact).len(), 1);
    }

    #[tokio::test]
    async fn unreachable_claims_are_a_typed_error_and_create_nothing() {
        let server = MockServer::start_with(roomy()).await.unwrap();
        let nowhere = hubspot_communications_tests::redis_server::nowhere();
        let client = client_with(&server, RedisClaims::new(&nowhere, "p").unwrap());
        let error = client
            .find_or_create_contacts_by_phone(&[new_number()])
            .await
            .unwrap_err();
        assert!(
            matches!(error, hubspot_communications::Error::ClaimsUnavailable(_)),
            "{error:?}"
        );
        assert!(server.records(ObjectType::Contact).is_empty());
    }
}

/// A number another caller holds the claim of (it is creating the contact, or crashed doing
/// so) answers `BeingCreated` at once when the caller asks not to wait; the numbers beside it
/// are answered as ever, and once the holder records its contact, the number is found.
#[tokio::test]
async fn try_answers_a_number_another_caller_is_creating_without_waiting() {
    let server = MockServer::start_with(roomy()).await.unwrap();
    let claims = Arc::new(LocalClaims::new());
    let client = Client::builder("t")
        .base_url(server.base_url())
        .retry(fast_retries())
        .contact_claims(SharedClaims(Arc::clone(&claims)))
        .build()
        .unwrap();
    let held = new_number();
    let other = PhoneNumber::parse("+14155550178", None).unwrap();
    assert_eq!(
        claims.claim(held.as_str(), "another-worker").await.unwrap(),
        Claim::Won
    );
    let started = std::time::Instant::now();
    let answers = client
        .try_find_or_create_contacts_by_phone(&[held.clone(), other.clone()])
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "it did not wait"
    );
    assert_eq!(answers[&held], ContactMatch::BeingCreated);
    assert!(
        matches!(answers[&other], ContactMatch::Created(_)),
        "{answers:?}"
    );
    assert_eq!(
        server.records(ObjectType::Contact).len(),
        1,
        "none made for the held number"
    );

    // The holder made it: asked again, the number is its contact.
    claims
        .record(held.as_str(), "another-worker", "4242")
        .await
        .unwrap();
    let answers = client
        .try_find_or_create_contacts_by_phone(std::slice::from_ref(&held))
        .await
        .unwrap();
    assert_eq!(answers[&held], ContactMatch::Found("4242".into()));
}

/// Claims the test holds too, to play another caller.
#[derive(Debug)]
struct SharedClaims(Arc<LocalClaims>);

impl ContactClaims for SharedClaims {
    fn claim<'a>(&'a self, number: &'a str, owner: &'a str) -> BoxFuture<'a, Result<Claim, Error>> {
        self.0.claim(number, owner)
    }

    fn record<'a>(
        &'a self,
        number: &'a str,
        owner: &'a str,
        contact_id: &'a str,
    ) -> BoxFuture<'a, Result<(), Error>> {
        self.0.record(number, owner, contact_id)
    }

    fn release<'a>(&'a self, number: &'a str, owner: &'a str) -> BoxFuture<'a, Result<(), Error>> {
        self.0.release(number, owner)
    }

    fn claim_ttl(&self) -> Duration {
        ContactClaims::claim_ttl(self.0.as_ref())
    }
}
