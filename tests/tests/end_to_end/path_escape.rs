//! An id from outside (a webhook, a file) cannot reach another record: every facade call with a
//! path parameter, given hostile ids, either refuses before sending or names exactly that id,
//! and no other record of the fake is touched.

use futures::TryStreamExt;
use hubspot_communications::{
    Association, AssociationType, Channel, Error, MessageUpdate, NewMessage, ObjectType,
    ReadOptions, Record,
};
use hubspot_communications_mock::ObjectType as FakeObjectType;
use hubspot_communications_tests::{roomy, start};

/// Ids that, put into a URL path without care, name another path.
fn hostile(contact: &str, message: &str) -> Vec<String> {
    vec![
        ".".into(),
        "..".into(),
        "%2e%2e".into(),
        ".%2E".into(),
        format!("..\\contacts\\{contact}"),
        format!("../contacts/{contact}"),
        format!("..%2fcontacts%2f{contact}"),
        "..\\..\\..\\v4\\evil".into(),
        format!("{message}/associations/contacts"),
        format!("{message}?archived=true"),
        format!("{message}#fragment"),
        String::new(),
        " ".into(),
    ]
}

/// Whether an error is a refusal before sending, or HubSpot's answer for the literal id.
fn refused_or_not_found(error: &Error) -> bool {
    matches!(
        error,
        Error::InvalidInput(_) | Error::InvalidId(_) | Error::NotAssociated { .. }
    ) || matches!(error.status(), Some(400 | 404))
}

#[tokio::test]
async fn no_hostile_id_reaches_another_record() {
    let (server, client) = start(roomy()).await;
    let contact = server.seed_contact("linda@example.com");
    let bystander = client
        .create(
            &NewMessage::new(Channel::Sms, "Texted Linda.")
                .associate(Association::contact(&contact)),
        )
        .await
        .unwrap();
    let before = (
        server.messages(),
        server.record(FakeObjectType::Contact, &contact),
    );

    for id in hostile(&contact, &bystander.id) {
        let record = Record::contact(id.clone());
        let odd_type = Record::new(ObjectType::from(id.clone()), contact.clone());
        let update = MessageUpdate::new().body("overwritten");
        let results: Vec<(&str, Result<(), Error>)> = vec![
            ("get", client.get(&id).await.map(drop)),
            (
                "get_by",
                client
                    .get_by("hs_object_id", &id, &ReadOptions::new())
                    .await
                    .map(drop),
            ),
            ("update", client.update(&id, &update).await.map(drop)),
            ("archive", client.archive(&id).await),
            (
                "associate",
                client.associate(&id, &Association::contact(&contact)).await,
            ),
            (
                "associate to a hostile record",
                client
                    .associate(&bystander.id, &Association::contact(&id))
                    .await,
            ),
            (
                "associate to a hostile object type",
                client
                    .associate(
                        &bystander.id,
                        &Association::new(odd_type.clone(), [AssociationType::hubspot(81)]),
                    )
                    .await,
            ),
            (
                "remove_association",
                client
                    .remove_association(&bystander.id, &Association::contact(&id))
                    .await,
            ),
            (
                "associate by default",
                client
                    .associate(&bystander.id, &Association::new(record.clone(), []))
                    .await,
            ),
            (
                "remove_all_associations",
                client.remove_all_associations(&bystander.id, &record).await,
            ),
            (
                "associations",
                client
                    .associations(&id, ObjectType::Contact)
                    .try_collect::<Vec<_>>()
                    .await
                    .map(drop),
            ),
            ("pin", client.pin(&bystander.id, &record).await),
            (
                "unpin",
                client.unpin(&bystander.id, &record).await.map(drop),
            ),
            (
                "unpin a hostile type",
                client.unpin(&bystander.id, &odd_type).await.map(drop),
            ),
            (
                "get_record",
                client.get_record(&record, &["email"]).await.map(drop),
            ),
            ("archive_record", client.archive_record(&record).await),
        ];
        // `.`, `..` and blank ids cannot be one path segment: refused before sending. Others
        // travel as one segment naming a record that does not exist; deleting one is a no-op.
        let unsendable = matches!(id.trim(), "" | "." | "..");
        for (call, result) in results {
            match result {
                Err(error) if unsendable => {
                    assert!(
                        matches!(
                            error,
                            Error::InvalidInput(_)
                                | Error::InvalidId(_)
                                | Error::NotAssociated { .. }
                        ),
                        "{call}({id:?}): {error:?}"
                    );
                }
                Err(error) => assert!(refused_or_not_found(&error), "{call}({id:?}): {error:?}"),
                Ok(()) => assert!(!unsendable, "{call}({id:?}) was sent"),
            }
        }
        let after = (
            server.messages(),
            server.record(FakeObjectType::Contact, &contact),
        );
        assert_eq!(after, before, "{id:?} changed another record");
    }
}
