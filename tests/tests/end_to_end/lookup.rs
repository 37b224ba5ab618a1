//! Contact lookup by phone number and e-mail address against the fake, on every API version:
//! numbers typed in any form find their contact, many per search request; two contacts with
//! one number are reported, not guessed; a UK and a US number sharing their national digits
//! stay apart; find-or-create creates each missing contact once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hubspot_communications::{
    ApiVersion, Channel, ContactMatch, Error, NewMessage, ObjectType, PhoneNumber,
    PhoneNumberProblem, ReadOptions, Region,
};
use hubspot_communications_mock::{Config, MockServer, ObjectType as FakeObjectType};
use hubspot_communications_tests::contract::CheckedServer;
use hubspot_communications_tests::{client_at, roomy, start};

/// The paths of the requests the fake answered (in their v3 form), in order.
#[derive(Clone, Default)]
struct Requests(Arc<Mutex<Vec<String>>>);

impl Requests {
    fn observing(&self, config: Config) -> Config {
        let seen = self.0.clone();
        config.observe(move |exchange| {
            seen.lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(exchange.path.clone())
        })
    }

    /// How many requests went to paths ending with `suffix`, and forgets them all.
    fn take(&self, suffix: &str) -> usize {
        let mut seen = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let count = seen.iter().filter(|p| p.ends_with(suffix)).count();
        seen.clear();
        count
    }
}

async fn fake(config: Config) -> (CheckedServer, Requests) {
    let requests = Requests::default();
    let (server, _) = start(requests.observing(config)).await;
    (server, requests)
}

fn contact(server: &MockServer, properties: &[(&str, &str)]) -> String {
    server.seed_record(FakeObjectType::Contact, properties)
}

fn us() -> Option<Region> {
    Some(Region::parse("US").unwrap())
}

fn number(text: &str, region: Option<Region>) -> PhoneNumber {
    PhoneNumber::parse(text, region).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn found(id: &str) -> ContactMatch {
    ContactMatch::Found(id.to_owned())
}

#[tokio::test]
async fn numbers_typed_in_mixed_forms_find_their_contacts_on_every_version() {
    let (server, requests) = fake(roomy()).await;
    let phone = contact(&server, &[("phone", "+1 (415) 555-0123")]);
    let mobile = contact(&server, &[("mobilephone", "+44 20 7946 0958")]);
    let whatsapp = contact(&server, &[("hs_whatsapp_phone_number", "+447911123456")]);
    let national = contact(&server, &[("phone", "(212) 555-0100")]);
    let _elsewhere = contact(&server, &[("phone", "+1 212 555 0199")]);
    for version in ApiVersion::ALL {
        let client = client_at(&server, version);
        let typed = [
            number("415.555.0123", us()),
            number("+1 415 555 0123", None), // the same number again
            number("00 44 20 7946 0958", us()),
            number("whatsapp:+447911123456", None),
            number("tel:+1-212-555-0100", None),
            number("(415) 555-0199", us()),
        ];
        let answers = client.find_contacts_by_phone(&typed).await.unwrap();
        let expected: HashMap<PhoneNumber, ContactMatch> = [
            (typed[0].clone(), found(&phone)),
            (typed[2].clone(), found(&mobile)),
            (typed[3].clone(), found(&whatsapp)),
            (typed[4].clone(), found(&national)),
            (typed[5].clone(), ContactMatch::NotFound),
        ]
        .into();
        assert_eq!(answers, expected, "{version}");
        assert_eq!(requests.take("/contacts/search"), 1, "{version}");

        // And the message is logged on what was found.
        let association = answers[&typed[3]].association().unwrap();
        let message = client
            .create(&NewMessage::new(Channel::WhatsApp, "Hi!").associate(association))
            .await
            .unwrap();
        let read = client
            .get_with(
                &message.id,
                &ReadOptions::new().associations(ObjectType::Contact),
            )
            .await
            .unwrap();
        let contacts: Vec<&str> = read
            .associations
            .get(&ObjectType::Contact)
            .into_iter()
            .flatten()
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(contacts, [whatsapp.as_str()], "{version}");
    }
}

#[tokio::test]
async fn two_contacts_with_one_number_are_ambiguous_and_get_no_third() {
    let (server, requests) = fake(roomy()).await;
    let first = contact(&server, &[("phone", "+14155550123")]);
    let second = contact(&server, &[("mobilephone", "(415) 555-0123")]);
    let client = client_at(&server, ApiVersion::LATEST);
    let wanted = number("415 555 0123", us());
    let mut both = vec![first, second];
    both.sort_by_key(|id| id.parse::<u64>().unwrap());

    let answers = client
        .find_contacts_by_phone(std::slice::from_ref(&wanted))
        .await
        .unwrap();
    assert_eq!(answers[&wanted], ContactMatch::Ambiguous(both.clone()));
    assert_eq!(answers[&wanted].contact_id(), None);

    let answers = client
        .find_or_create_contacts_by_phone(std::slice::from_ref(&wanted))
        .await
        .unwrap();
    assert_eq!(answers[&wanted], ContactMatch::Ambiguous(both));
    assert_eq!(server.records(FakeObjectType::Contact).len(), 2);
    requests.take("");
}

#[tokio::test]
async fn a_uk_and_a_us_number_with_the_same_national_digits_stay_apart() {
    // +44 20 7946 0958 and +1 207 946 0958 share 2079460958, the searchable form: one search
    // finds both contacts for either number, and reading their numbers tells them apart.
    let uk_number = number("+44 20 7946 0958", None);
    let us_number = number("+1 207 946 0958", None);
    assert_eq!(
        uk_number.national_significant_number(),
        us_number.national_significant_number()
    );
    // In a US account, the US contact's number typed nationally; in a UK account, the UK's.
    for (region, uk_typed, us_typed) in [
        ("US", "+44 20 7946 0958", "(207) 946-0958"),
        ("GB", "020 7946 0958", "+1 207-946-0958"),
    ] {
        let (server, requests) = fake(roomy().phone_region(region)).await;
        let uk = contact(&server, &[("phone", uk_typed)]);
        let us = contact(&server, &[("phone", us_typed)]);
        for version in ApiVersion::ALL {
            let client = client_at(&server, version);
            let answers = client
                .find_contacts_by_phone(&[uk_number.clone(), us_number.clone()])
                .await
                .unwrap();
            assert_eq!(answers[&uk_number], found(&uk), "{region} {version}");
            assert_eq!(answers[&us_number], found(&us), "{region} {version}");
            assert_eq!(requests.take("/contacts/search"), 1);
        }
    }
}

/// HubSpot refuses a search body over 3,000 characters (its search guide, Limits; the fake
/// does too): 62 ten-digit numbers fit a request, so 250 take 5.
#[tokio::test]
async fn two_hundred_and_fifty_numbers_take_five_search_requests_within_hubspots_body_limit() {
    let (server, requests) = fake(roomy()).await;
    let numbers: Vec<PhoneNumber> = (0..250)
        .map(|i| {
            // Every other one typed nationally.
            let text = if i % 2 == 0 {
                format!("+1 415 555 {i:04}")
            } else {
                format!("(415) 555-{i:04}")
            };
            number(&text, us())
        })
        .collect();
    let ids: Vec<String> = numbers
        .iter()
        .map(|n| contact(&server, &[("phone", n.as_str())]))
        .collect();
    for version in ApiVersion::ALL {
        let client = client_at(&server, version);
        let before = server.stats().requests;
        let answers = client.find_contacts_by_phone(&numbers).await.unwrap();
        assert_eq!(requests.take("/contacts/search"), 5, "{version}");
        assert_eq!(server.stats().requests - before, 5, "{version}");
        assert_eq!(answers.len(), 250);
        for (n, id) in numbers.iter().zip(&ids) {
            assert_eq!(answers[n], found(id), "{n} on {version}");
        }
    }
}

#[tokio::test]
async fn emails_are_read_100_a_request_whatever_their_case() {
    let (server, requests) = fake(roomy()).await;
    let ids: Vec<String> = (0..150)
        .map(|i| server.seed_contact(&format!("Person{i}@Example.com")))
        .collect();
    let mut asked: Vec<String> = (0..150).map(|i| format!("PERSON{i}@example.COM")).collect();
    asked.extend((0..10).map(|i| format!("nobody{i}@example.com")));
    // One address twice, in two cases: one answer each, one read.
    asked.push(" person7@example.com ".to_owned());
    for version in ApiVersion::ALL {
        let client = client_at(&server, version);
        let answers = client.find_contacts_by_email(&asked).await.unwrap();
        assert_eq!(requests.take("/contacts/batch/read"), 2, "{version}");
        assert_eq!(answers.len(), asked.len());
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(answers[&asked[i]], found(id), "{version}");
        }
        assert_eq!(answers[" person7@example.com "], found(&ids[7]));
        for missing in &asked[150..160] {
            assert_eq!(answers[missing], ContactMatch::NotFound, "{missing}");
        }
    }
    let client = client_at(&server, ApiVersion::LATEST);
    let blank = client.find_contacts_by_email(&[" ".to_owned()]).await;
    assert!(matches!(blank, Err(Error::InvalidInput(_))), "{blank:?}");
    assert_eq!(requests.take(""), 0);
}

#[tokio::test]
async fn find_or_create_creates_each_missing_contact_once() {
    // With the fake's search lag: the second call below runs while search cannot see the
    // contacts the first created, and must still create none.
    let (server, requests) = fake(roomy()).await;
    let known = contact(&server, &[("phone", "+14155550123")]);
    contact(&server, &[("phone", "+14155550124")]);
    contact(&server, &[("mobilephone", "415-555-0124")]);
    for version in ApiVersion::ALL {
        let client = client_at(&server, version);
        let base = 200 + 10 * ApiVersion::ALL.iter().position(|v| *v == version).unwrap();
        let new: Vec<PhoneNumber> = (0..3)
            .map(|i| number(&format!("+1 415 555 0{}", base + i), None))
            .collect();
        let mut numbers = vec![
            number("415 555 0123", us()),
            number("+1 415 555 0124", None),
        ];
        numbers.extend(new.iter().cloned());
        // A new number typed a second way: still one contact.
        numbers.push(number(&format!("(415) 555-0{base}"), us()));
        let before = server.records(FakeObjectType::Contact).len();

        let answers = client
            .find_or_create_contacts_by_phone(&numbers)
            .await
            .unwrap();
        assert_eq!(requests.take("/contacts/batch/create"), 1, "{version}");
        assert_eq!(answers.len(), 5);
        assert_eq!(answers[&numbers[0]], found(&known));
        assert!(matches!(answers[&numbers[1]], ContactMatch::Ambiguous(_)));
        let contacts: HashMap<String, _> = server
            .records(FakeObjectType::Contact)
            .into_iter()
            .collect();
        assert_eq!(contacts.len(), before + 3, "{version}");
        for n in &new {
            let ContactMatch::Created(id) = &answers[n] else {
                panic!("{n}: {:?}", answers[n]);
            };
            assert_eq!(contacts[id]["phone"], n.as_str());
        }

        // A second call finds them all, and creates nothing.
        let again = client
            .find_or_create_contacts_by_phone(&numbers)
            .await
            .unwrap();
        assert_eq!(requests.take("/contacts/batch/create"), 0, "{version}");
        for n in &new {
            assert_eq!(again[n].contact_id(), answers[n].contact_id());
            assert!(matches!(again[n], ContactMatch::Found(_)));
        }
        assert_eq!(server.records(FakeObjectType::Contact).len(), before + 3);
    }
}

/// Numbers of ranges opened after the metadata this build carries (`+1 472`, Kenya's `1…`,
/// Nigeria's `9100`): each finds the contact that holds it, in every form a contact holds it,
/// in the account's region; find-or-create makes one contact for it, which the next call finds.
#[tokio::test]
async fn numbers_of_ranges_newer_than_the_metadata_find_their_contacts_in_every_form() {
    let cases = [
        (
            "US",
            "+14725558166",
            &[
                "+1 472 555 8166",
                "(472) 555-8166",
                "1-472-555-8166",
                "001 472 555 8166",
            ][..],
        ),
        (
            "KE",
            "+254181520498",
            &[
                "+254 181 520498",
                "0181 520498",
                "00254 181 520 498",
                "+254181520498",
            ][..],
        ),
        (
            "NG",
            "+2349100424019",
            &["+234 9100 424019", "0910 042 4019", "00234 910 042 4019"][..],
        ),
    ];
    for (region, e164, forms) in cases {
        let wanted = number(e164, None);
        assert!(
            !wanted.is_valid_in_metadata(),
            "{e164} is known to the metadata now"
        );
        for form in forms {
            for property in ["phone", "mobilephone"] {
                let (server, _) = fake(roomy().phone_region(region)).await;
                let holder = contact(&server, &[(property, form)]);
                // Its national digits under another country code: found, then set aside.
                contact(
                    &server,
                    &[(
                        "phone",
                        &format!("+44 {}", wanted.national_significant_number()),
                    )],
                );
                for version in ApiVersion::ALL {
                    let client = client_at(&server, version);
                    let answers = client
                        .find_or_create_contacts_by_phone(std::slice::from_ref(&wanted))
                        .await
                        .unwrap();
                    assert_eq!(
                        answers[&wanted],
                        found(&holder),
                        "{region} {property}={form:?} {version}"
                    );
                }
                assert_eq!(server.records(FakeObjectType::Contact).len(), 2);
            }
        }
        // HubSpot's WhatsApp number is E.164.
        let (server, _) = fake(roomy().phone_region(region)).await;
        let holder = contact(&server, &[("hs_whatsapp_phone_number", e164)]);
        let client = client_at(&server, ApiVersion::LATEST);
        let answers = client
            .find_contacts_by_phone(std::slice::from_ref(&wanted))
            .await
            .unwrap();
        assert_eq!(answers[&wanted], found(&holder), "{region} WhatsApp");

        // No contact holds it: one is created, found by the next call.
        let (server, _) = fake(roomy().phone_region(region)).await;
        let client = client_at(&server, ApiVersion::LATEST);
        let typed = number(forms[1], Some(Region::parse(region).unwrap()));
        assert_eq!(typed, wanted);
        let created = client
            .find_or_create_contacts_by_phone(std::slice::from_ref(&typed))
            .await
            .unwrap();
        let ContactMatch::Created(id) = &created[&wanted] else {
            panic!("{e164}: {:?}", created[&wanted]);
        };
        let contacts: HashMap<String, _> = server
            .records(FakeObjectType::Contact)
            .into_iter()
            .collect();
        assert_eq!(contacts[id]["phone"], e164);
        let again = client
            .find_or_create_contacts_by_phone(std::slice::from_ref(&wanted))
            .await
            .unwrap();
        assert_eq!(again[&wanted], found(id), "{e164}");
        assert_eq!(server.records(FakeObjectType::Contact).len(), 1);
    }
}

#[tokio::test]
async fn a_refused_create_is_reported_for_its_number_alone() {
    // An account whose `phone` only takes fixed options refuses a number: HubSpot's per-item
    // error lands on that number, the rest of the batch is created.
    let (server, _) = fake(roomy().property(
        FakeObjectType::Contact,
        hubspot_communications_mock::PropertyDefinition::enumeration("phone", ["none"]),
    ))
    .await;
    let client = client_at(&server, ApiVersion::LATEST);
    let wanted = number("+1 415 555 0123", None);
    let answers = client
        .find_or_create_contacts_by_phone(std::slice::from_ref(&wanted))
        .await
        .unwrap();
    let ContactMatch::Refused { category, message } = &answers[&wanted] else {
        panic!("{:?}", answers[&wanted]);
    };
    assert_eq!(
        category.as_ref().map(|c| c.as_str()),
        Some("VALIDATION_ERROR")
    );
    assert!(message.contains("phone"), "{message}");
    assert!(server.records(FakeObjectType::Contact).is_empty());
}

#[test]
fn invalid_phone_input_is_a_typed_error() {
    let refused = |text: &str, region| PhoneNumber::parse(text, region).unwrap_err().problem;
    assert_eq!(refused("", us()), PhoneNumberProblem::Empty);
    assert_eq!(refused("whatsapp:", us()), PhoneNumberProblem::Empty);
    assert_eq!(
        refused("call 415", us()),
        PhoneNumberProblem::UnexpectedCharacter('c')
    );
    assert_eq!(
        refused("+1 415 555 0123 ext. 12", None),
        PhoneNumberProblem::UnexpectedCharacter('e')
    );
    assert_eq!(refused("415 555 0123", None), PhoneNumberProblem::NoRegion);
    assert!(matches!(
        refused("+1 415 555", None),
        PhoneNumberProblem::ImpossibleLength { .. }
    ));
    assert_eq!(refused(&"1".repeat(65), us()), PhoneNumberProblem::TooLong);
    let error = PhoneNumber::parse("12ab", us()).unwrap_err();
    assert_eq!(error.input, "12ab");
    assert!(error.to_string().contains("12ab"), "{error}");
    assert!("UK".parse::<Region>().is_err());
    assert!("+14155550123".parse::<PhoneNumber>().is_ok());
}

/// HubSpot's search lags its store, and so does the fake's: a contact the client has just
/// created is read by id at once, but found by phone only once search has caught up.
#[tokio::test]
async fn a_created_contact_is_found_by_phone_once_search_catches_up() {
    // Long enough that a loaded machine still searches within it.
    let lag = Duration::from_secs(2);
    let (server, _) = fake(roomy().search_lag(lag)).await;
    let client = client_at(&server, ApiVersion::LATEST);
    let wanted = number("+1 415 555 0199", None);
    let created_at = std::time::Instant::now();
    let created = client
        .find_or_create_contacts_by_phone(std::slice::from_ref(&wanted))
        .await
        .unwrap();
    // The create was made by now: search shows it `lag` later at the latest.
    let answered_at = std::time::Instant::now();
    let ContactMatch::Created(id) = created[&wanted].clone() else {
        panic!("{:?}", created[&wanted]);
    };
    assert!(server.record(FakeObjectType::Contact, &id).is_some());
    let at_once = client
        .find_contacts_by_phone(std::slice::from_ref(&wanted))
        .await
        .unwrap();
    assert!(created_at.elapsed() < lag, "searched within the lag");
    assert_eq!(at_once[&wanted], ContactMatch::NotFound);

    tokio::time::sleep((answered_at + lag).saturating_duration_since(std::time::Instant::now()))
        .await;
    let later = client
        .find_contacts_by_phone(std::slice::from_ref(&wanted))
        .await
        .unwrap();
    assert_eq!(later[&wanted], found(&id));
}
