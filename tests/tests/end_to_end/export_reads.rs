//! The reads an export is made of, on every API version: many messages' (or records')
//! associations per request, records by id, and search windows a long read can stop and go
//! on from.

use hubspot_communications::search::{Filter, Search};
use hubspot_communications::{ApiVersion, ObjectType};
use hubspot_communications_mock::ObjectType as FakeObjectType;
use hubspot_communications_tests::scripted::setup;
use hubspot_communications_tests::{associations_by_id, client_at, roomy, start};
use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn associations_of_many_messages_and_of_many_contacts_in_one_request_each() {
    for version in ApiVersion::ALL {
        let (server, _) = start(roomy()).await;
        let client = client_at(&server, version);
        let linda = server.seed_contact("linda@example.com");
        let carla = server.seed_contact("carla@example.com");
        let acme = server.seed_company("Acme");
        let both = server.seed_message(
            &[("hs_communication_body", "to both")],
            &[
                (FakeObjectType::Contact, linda.as_str()),
                (FakeObjectType::Contact, carla.as_str()),
                (FakeObjectType::Company, acme.as_str()),
            ],
        );
        let one = server.seed_message(
            &[("hs_communication_body", "to Linda")],
            &[(FakeObjectType::Contact, linda.as_str())],
        );
        let none = server.seed_message(&[("hs_communication_body", "to no one")], &[]);
        let before = server.stats().requests;

        let ids = [both.clone(), one.clone(), none.clone(), one.clone()];
        let outcome = client
            .read_associations(ObjectType::Communication, &ids, ObjectType::Contact)
            .await;
        assert_eq!(
            outcome.succeeded.len(),
            4,
            "{version}: every input answered"
        );
        let contacts = associations_by_id(&ids, outcome);

        assert_eq!(
            server.stats().requests - before,
            1,
            "{version}: one request"
        );
        let ids_of = |message: &str| {
            let mut ids: Vec<String> = contacts[message].iter().map(|r| r.id.clone()).collect();
            ids.sort();
            ids
        };
        let mut linda_and_carla = vec![linda.clone(), carla.clone()];
        linda_and_carla.sort();
        assert_eq!(ids_of(&both), linda_and_carla, "{version}");
        assert_eq!(ids_of(&one), std::slice::from_ref(&linda), "{version}");
        assert!(contacts[&none].is_empty(), "{version}: answered, with none");
        assert_eq!(contacts.len(), 3, "{version}: each distinct id once");

        let people = [linda.clone(), carla.clone()];
        let messages = client
            .read_associations(ObjectType::Contact, &people, ObjectType::Communication)
            .await;
        let messages = associations_by_id(&people, messages);
        let mut of_linda: Vec<&str> = messages[&linda].iter().map(|r| r.id.as_str()).collect();
        of_linda.sort();
        let mut expected = vec![both.as_str(), one.as_str()];
        expected.sort();
        assert_eq!(of_linda, expected, "{version}");
        assert_eq!(messages[&carla].len(), 1, "{version}");
    }
}

#[tokio::test]
async fn a_records_further_pages_are_read_to_the_last() {
    let (server, client) = setup().await;
    let batch = "/crm/v4/associations/communications/contacts/batch/read";
    Mock::given(method("POST"))
        .and(path(batch))
        .and(body_partial_json(json!({"inputs": [{"id": "1", "after": "p2"}]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "COMPLETE", "startedAt": "2026-01-01T00:00:00Z", "completedAt": "2026-01-01T00:00:00Z",
            "results": [{"from": {"id": "1"}, "to": [
                {"toObjectId": "12", "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 81}]}
            ]}]
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(batch))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "COMPLETE", "startedAt": "2026-01-01T00:00:00Z", "completedAt": "2026-01-01T00:00:00Z",
            "results": [
                {"from": {"id": "1"}, "to": [
                    {"toObjectId": "11", "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 81}]}
                ], "paging": {"next": {"after": "p2"}}},
                {"from": {"id": "2"}, "to": [
                    {"toObjectId": "21", "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 81}]}
                ]}
            ]
        })))
        .mount(&server)
        .await;

    let ids = ["1".to_owned(), "2".to_owned()];
    let found = client
        .read_associations(ObjectType::Communication, &ids, ObjectType::Contact)
        .await;
    let found = associations_by_id(&ids, found);

    let ids = |id: &str| -> Vec<&str> { found[id].iter().map(|r| r.id.as_str()).collect() };
    assert_eq!(ids("1"), ["11", "12"]);
    assert_eq!(ids("2"), ["21"]);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests.len(),
        2,
        "the first page of both, then message 1's second"
    );
}

#[tokio::test]
async fn records_are_read_by_id_with_the_properties_asked_for() {
    let (server, client) = start(roomy()).await;
    let linda = server.seed_record(
        FakeObjectType::Contact,
        &[("phone", "+1 415-555-0100"), ("email", "linda@example.com")],
    );
    let carla = server.seed_record(
        FakeObjectType::Contact,
        &[("mobilephone", "(415) 555-0101")],
    );
    let ids = [linda.clone(), "999999".to_owned(), carla.clone()];

    let read = client
        .read_records(ObjectType::Contact, &ids, &["phone", "mobilephone"])
        .await;

    let mut found: Vec<(usize, String, Option<String>)> = read
        .succeeded
        .iter()
        .map(|s| {
            let phone = s
                .value
                .property("phone")
                .or(s.value.property("mobilephone"));
            (
                s.input.unwrap(),
                s.value.id.clone(),
                phone.map(str::to_owned),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (0, linda, Some("+1 415-555-0100".to_owned())),
            (2, carla, Some("(415) 555-0101".to_owned()))
        ]
    );
    assert_eq!(read.failed_inputs(), [1], "the missing one fails alone");
    assert!(
        read.succeeded
            .iter()
            .all(|s| !s.value.properties.contains_key("email")),
        "only the properties asked for"
    );
}

#[tokio::test]
async fn a_search_window_goes_on_from_the_id_it_stopped_at() {
    let (server, client) = start(roomy()).await;
    for i in 0..5 {
        let channel = if i % 2 == 0 { "SMS" } else { "WHATS_APP" };
        server.seed_message(
            &[
                ("hs_communication_channel_type", channel),
                ("hs_communication_body", &format!("m{i}")),
            ],
            &[],
        );
    }
    let search = Search::new()
        .filter(Filter::eq("hs_communication_channel_type", "SMS"))
        .page_size(2);

    let first = client.search_past_cap_page(&search, None).await.unwrap();
    assert_eq!(first.total, 3);
    let bodies = |page: &hubspot_communications::search::SearchPage| -> Vec<String> {
        page.page
            .items
            .iter()
            .map(|m| m.body.clone().unwrap_or_default())
            .collect()
    };
    assert_eq!(bodies(&first), ["m0", "m2"]);
    let next = first.page.next.clone().expect("a full window has a next");
    // Later, from the id kept.
    let rest = client
        .search_past_cap_page(&search, Some(&next))
        .await
        .unwrap();
    assert_eq!(bodies(&rest), ["m4"]);
    assert_eq!(rest.total, 1, "the matches past the id");
    assert_eq!(rest.page.next, None);
}
