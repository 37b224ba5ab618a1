//! The Properties API through the facade, on every API version against the spec-checked fake:
//! definitions read, created and archived for any object type, property groups, and
//! `ensure_key_property`'s rules (create when missing, accept a unique text property, refuse
//! anything else without changing it, name the scope a token lacks).

use futures::{StreamExt, stream};
use hubspot_communications::{
    ApiVersion, Channel, Error, FieldType, KeyPropertyError, LogOutcome, NewMessage, NewProperty,
    ObjectType, Operation, PropertyDefinition, PropertyType, UpsertInput,
};
use hubspot_communications_mock::{PropertyDefinition as FakeProperty, PropertyOwner};
use hubspot_communications_tests::{client_at, roomy, start};

const KEY: &str = "external_message_id";

#[tokio::test]
async fn a_missing_key_property_is_created_once_and_keyed_logging_uses_it() {
    for version in ApiVersion::ALL {
        let (server, _) = start(roomy()).await;
        let client = client_at(&server, version);
        let key = client.ensure_key_property(KEY).await.expect("created");
        assert!(key.created, "{version}");
        let definition = &key.definition;
        assert_eq!(
            (
                definition.name.as_str(),
                &definition.property_type,
                &definition.field_type,
                definition.group_name.as_str(),
                definition.has_unique_value,
                definition.hubspot_defined,
            ),
            (
                KEY,
                &PropertyType::String,
                &FieldType::Text,
                "communicationinformation",
                true,
                false
            ),
            "{version}"
        );
        // Again: found, not created; the definitions are unchanged.
        let again = client.ensure_key_property(KEY).await.expect("found");
        assert!(!again.created, "{version}");
        assert_eq!(again.definition.name, KEY);

        // Keyed logging upserts by it at once, exactly once.
        let messages = || {
            stream::iter(0..3).map(|i| {
                UpsertInput::new(
                    format!("SM{i}"),
                    NewMessage::new(Channel::Sms, format!("hello {i}")),
                )
            })
        };
        for _ in 0..2 {
            let logged: Vec<_> = client.log_all_keyed(KEY, messages()).collect().await;
            assert!(
                logged
                    .iter()
                    .all(|l| matches!(l.outcome, LogOutcome::Logged(_))),
                "{version}: {logged:?}"
            );
        }
        assert_eq!(server.message_count(), 3, "{version}");
    }
}

#[tokio::test]
async fn an_existing_unique_text_property_is_accepted_as_it_is() {
    let config = roomy().property(
        PropertyOwner::Communication,
        FakeProperty::string(KEY)
            .unique()
            .field_type("textarea")
            .label("Twilio SID"),
    );
    let (server, _) = start(config).await;
    for version in ApiVersion::ALL {
        let key = client_at(&server, version)
            .ensure_key_property(KEY)
            .await
            .expect("accepted");
        assert!(!key.created);
        assert_eq!(key.definition.label, "Twilio SID", "not changed");
        assert_eq!(key.definition.field_type, FieldType::TextArea);
    }
}

#[tokio::test]
async fn a_property_of_that_name_that_cannot_key_messages_is_refused_and_left_alone() {
    let config = roomy()
        .property(
            PropertyOwner::Communication,
            FakeProperty::string("plain_id"),
        )
        .property(
            PropertyOwner::Communication,
            FakeProperty::number("number_id").unique(),
        );
    let (server, _) = start(config).await;
    for version in ApiVersion::ALL {
        let client = client_at(&server, version);
        match client.ensure_key_property("plain_id").await {
            Err(KeyPropertyError::NotUnique(definition)) => {
                assert_eq!(definition.name, "plain_id")
            }
            other => panic!("{version}: {other:?}"),
        }
        match client.ensure_key_property("number_id").await {
            Err(error @ KeyPropertyError::NotText(_)) => {
                assert!(error.to_string().contains("number"), "{error}")
            }
            other => panic!("{version}: {other:?}"),
        }
        // HubSpot's own properties are no keys either.
        assert!(matches!(
            client.ensure_key_property("hs_communication_body").await,
            Err(KeyPropertyError::NotUnique(_))
        ));
        let unchanged = client
            .property(ObjectType::Communication, "plain_id")
            .await
            .unwrap()
            .expect("still there");
        assert!(!unchanged.has_unique_value, "{version}");
    }
}

#[tokio::test]
async fn an_archived_property_of_that_name_is_reported_not_replaced() {
    let (server, client) = start(roomy()).await;
    client.ensure_key_property("old_key").await.unwrap();
    client
        .archive_property(ObjectType::Communication, "old_key")
        .await
        .unwrap();
    for version in ApiVersion::ALL {
        match client_at(&server, version)
            .ensure_key_property("old_key")
            .await
        {
            Err(KeyPropertyError::Archived(definition)) => assert!(definition.archived),
            other => panic!("{version}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_token_without_the_schema_scope_gets_the_scope_hubspot_asked_for() {
    let config = roomy().scoped_token("test-token", ["crm.objects.contacts.read"]);
    let (server, _) = start(config).await;
    for version in ApiVersion::ALL {
        let error = client_at(&server, version)
            .ensure_key_property(KEY)
            .await
            .unwrap_err();
        let KeyPropertyError::MissingScopes {
            operation, scopes, ..
        } = &error
        else {
            panic!("{version}: {error:?}");
        };
        assert_eq!(*operation, Operation::CreateProperty);
        // A scope HubSpot's Properties spec lists (it lists none for communications, whose
        // objects HubSpot puts under the contacts scopes).
        assert_eq!(scopes, &["crm.schemas.contacts.write"]);
        assert!(
            error.to_string().contains("crm.schemas.contacts.write"),
            "{error}"
        );
        assert!(
            !error.to_string().contains("communications.write"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn several_processes_ensuring_at_once_create_it_once() {
    let (server, _) = start(roomy()).await;
    let clients: Vec<_> = ApiVersion::ALL
        .iter()
        .cycle()
        .take(6)
        .map(|version| client_at(&server, *version))
        .collect();
    let outcomes =
        futures::future::join_all(clients.iter().map(|c| c.ensure_key_property(KEY))).await;
    let created = outcomes
        .iter()
        .filter(|o| o.as_ref().expect("each ends with the key").created)
        .count();
    assert_eq!(created, 1);
}

#[tokio::test]
async fn definitions_of_any_object_type_are_read_created_and_archived() {
    for version in ApiVersion::ALL {
        let (server, _) = start(roomy()).await;
        let client = client_at(&server, version);
        let contacts = client.properties(ObjectType::Contact).await.unwrap();
        let email = contacts.iter().find(|p| p.name == "email").expect("listed");
        assert!(email.hubspot_defined && email.has_unique_value);
        assert_eq!(email.archivable, Some(false));
        assert!(
            client
                .property(ObjectType::Contact, "nope")
                .await
                .unwrap()
                .is_none()
        );

        let groups = client.property_groups(ObjectType::Deal).await.unwrap();
        assert_eq!(groups[0].name, "dealinformation");
        let stage = NewProperty::new(
            "stage",
            "Stage",
            PropertyType::Enumeration,
            FieldType::Radio,
            &groups[0].name,
        )
        .option("new", "New")
        .option("won", "Won");
        let created: PropertyDefinition = client
            .create_property(ObjectType::Deal, &stage)
            .await
            .unwrap();
        let values: Vec<&str> = created.options.iter().map(|o| o.value.as_str()).collect();
        assert_eq!(values, ["new", "won"], "{version}");
        assert_eq!(
            client.property(ObjectType::Deal, "stage").await.unwrap(),
            Some(created)
        );
        // Again: HubSpot's 409, as a typed error with its status.
        let twice = client
            .create_property(ObjectType::Deal, &stage)
            .await
            .unwrap_err();
        assert_eq!(twice.status(), Some(409));
        client
            .archive_property(ObjectType::Deal, "stage")
            .await
            .unwrap();
        assert!(
            client
                .property(ObjectType::Deal, "stage")
                .await
                .unwrap()
                .is_none()
        );
        // HubSpot's own cannot be archived.
        let refused = client
            .archive_property(ObjectType::Contact, "email")
            .await
            .unwrap_err();
        assert_eq!(refused.status(), Some(400), "{version}");
    }
}

#[tokio::test]
async fn what_hubspot_would_refuse_of_a_name_is_refused_before_sending() {
    let (server, client) = start(roomy()).await;
    let before = server.stats().requests;
    for bad in ["External", "1st", "with space", "../contacts", ""] {
        let property = NewProperty::text(bad, "Label", "contactinformation");
        let error = client
            .create_property(ObjectType::Contact, &property)
            .await
            .unwrap_err();
        assert!(matches!(error, Error::InvalidInput(_)), "{bad}: {error:?}");
        assert!(matches!(
            client.ensure_key_property(bad).await,
            Err(KeyPropertyError::Request(Error::InvalidInput(_)))
        ));
    }
    assert_eq!(server.stats().requests, before, "nothing was sent");
}
