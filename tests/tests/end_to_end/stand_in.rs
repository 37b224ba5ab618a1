//! A user's code hides `Client` behind a trait of its own, and its tests put a stand-in there:
//! every value the stand-in answers is built through the facade's public constructors, as a
//! crate outside this one must build them.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use futures::{StreamExt, TryStreamExt, stream};
use hubspot_communications::search::{Search, SearchPage};
use hubspot_communications::{
    ApiError, AssociatedId, AssociatedRecord, AssociationType, BatchError, BatchFailure,
    BatchOutcome, BatchReadOptions, BatchSuccess, Channel, Client, ContactMatch, Error,
    ErrorCategory, ErrorDetail, FieldType, InvalidResponse, KeyProperty, LabelledType, LogOutcome,
    Logged, Message, NewMessage, ObjectType, Operation, Page, Paged, PhoneNumber,
    PropertyDefinition, PropertyGroup, PropertyType, PropertyVersion, ReadOptions, Record,
    RecordProperties, ResponseProblem, UpsertInput,
};
use hubspot_communications_mock::MockServer;

/// What the user's code needs of HubSpot: a few of `Client`'s calls, by their own signatures.
trait Crm: Send + Sync {
    async fn create(&self, message: &NewMessage) -> Result<Message, Error>;
    async fn get_with(&self, id: &str, options: &ReadOptions) -> Result<Message, Error>;
    async fn read_batch(&self, ids: &[String], options: &BatchReadOptions)
    -> BatchOutcome<Message>;
    async fn read_records(
        &self,
        object_type: ObjectType,
        ids: &[String],
        properties: &[&str],
    ) -> BatchOutcome<RecordProperties>;
    async fn read_associations(
        &self,
        from: ObjectType,
        ids: &[String],
        to: ObjectType,
    ) -> BatchOutcome<Vec<AssociatedRecord>>;
    async fn search_page(&self, search: &Search, after: Option<&str>) -> Result<SearchPage, Error>;
    fn list(&self) -> Paged<Message>;
    async fn property(
        &self,
        object_type: ObjectType,
        name: &str,
    ) -> Result<Option<PropertyDefinition>, Error>;
    async fn property_groups(&self, object_type: ObjectType) -> Result<Vec<PropertyGroup>, Error>;
    async fn find_contacts_by_phone(
        &self,
        numbers: &[PhoneNumber],
    ) -> Result<std::collections::HashMap<PhoneNumber, ContactMatch>, Error>;
}

impl Crm for Client {
    async fn create(&self, message: &NewMessage) -> Result<Message, Error> {
        Client::create(self, message).await
    }
    async fn get_with(&self, id: &str, options: &ReadOptions) -> Result<Message, Error> {
        Client::get_with(self, id, options).await
    }
    async fn read_batch(
        &self,
        ids: &[String],
        options: &BatchReadOptions,
    ) -> BatchOutcome<Message> {
        Client::read_batch(self, ids, options).await
    }
    async fn read_records(
        &self,
        object_type: ObjectType,
        ids: &[String],
        properties: &[&str],
    ) -> BatchOutcome<RecordProperties> {
        Client::read_records(self, object_type, ids, properties).await
    }
    async fn read_associations(
        &self,
        from: ObjectType,
        ids: &[String],
        to: ObjectType,
    ) -> BatchOutcome<Vec<AssociatedRecord>> {
        Client::read_associations(self, from, ids, to).await
    }
    async fn search_page(&self, search: &Search, after: Option<&str>) -> Result<SearchPage, Error> {
        Client::search_page(self, search, after).await
    }
    fn list(&self) -> Paged<Message> {
        Client::list(self, ReadOptions::new())
    }
    async fn property(
        &self,
        object_type: ObjectType,
        name: &str,
    ) -> Result<Option<PropertyDefinition>, Error> {
        Client::property(self, object_type, name).await
    }
    async fn property_groups(&self, object_type: ObjectType) -> Result<Vec<PropertyGroup>, Error> {
        Client::property_groups(self, object_type).await
    }
    async fn find_contacts_by_phone(
        &self,
        numbers: &[PhoneNumber],
    ) -> Result<std::collections::HashMap<PhoneNumber, ContactMatch>, Error> {
        Client::find_contacts_by_phone(self, numbers).await
    }
}

/// The stand-in: canned answers, each built from public constructors.
struct StandIn;

fn stored(id: &str) -> Message {
    let at = Utc.with_ymd_and_hms(2026, 12, 6, 9, 0, 0).unwrap();
    let mut message = Message::new(id, at);
    message.channel = Some(Channel::Sms);
    message.body = Some("canned".into());
    message
        .properties
        .insert("hs_communication_body".into(), Some("canned".into()));
    message.associations.insert(
        ObjectType::Contact,
        vec![AssociatedId::new("7", "communication_to_contact")],
    );
    message.properties_with_history.insert(
        "hs_communication_body".into(),
        vec![PropertyVersion::new("canned", at, "API")],
    );
    message
}

fn not_found(operation: Operation) -> Error {
    let mut answer = ApiError::new(operation, 404, "Object not found");
    answer.category = Some(ErrorCategory::ObjectNotFound);
    answer.details.push(ErrorDetail::new("no such id"));
    Error::Api(Box::new(answer))
}

impl Crm for StandIn {
    async fn create(&self, message: &NewMessage) -> Result<Message, Error> {
        let _ = message;
        Ok(stored("1"))
    }
    async fn get_with(&self, id: &str, _: &ReadOptions) -> Result<Message, Error> {
        match id {
            "1" => Ok(stored("1")),
            "garbled" => Err(Error::InvalidResponse(Box::new(InvalidResponse::new(
                Operation::GetCommunication,
                Some(200),
                ResponseProblem::Undecodable("not JSON".into()),
            )))),
            _ => Err(not_found(Operation::GetCommunication)),
        }
    }
    async fn read_batch(&self, ids: &[String], _: &BatchReadOptions) -> BatchOutcome<Message> {
        let found = BatchSuccess::new(Some(0), stored(&ids[0]));
        let missing = BatchFailure::new(
            (1..ids.len()).collect(),
            BatchError::Request(Arc::new(not_found(Operation::BatchRead))),
        );
        BatchOutcome::new(vec![found], vec![missing])
    }
    async fn read_records(
        &self,
        _: ObjectType,
        ids: &[String],
        _: &[&str],
    ) -> BatchOutcome<RecordProperties> {
        let records = ids.iter().enumerate().map(|(index, id)| {
            let phone = BTreeMap::from([("phone".to_owned(), Some("+14155550123".to_owned()))]);
            BatchSuccess::new(Some(index), RecordProperties::new(id, phone))
        });
        BatchOutcome::new(records.collect(), Vec::new())
    }
    async fn read_associations(
        &self,
        _: ObjectType,
        ids: &[String],
        _: ObjectType,
    ) -> BatchOutcome<Vec<AssociatedRecord>> {
        let labelled = LabelledType::new(AssociationType::COMMUNICATION_TO_CONTACT, None);
        let records = (0..ids.len()).map(|index| {
            BatchSuccess::new(
                Some(index),
                vec![AssociatedRecord::new("7", [labelled.clone()])],
            )
        });
        BatchOutcome::new(records.collect(), Vec::new())
    }
    async fn search_page(&self, _: &Search, _: Option<&str>) -> Result<SearchPage, Error> {
        Ok(SearchPage::new(
            Page::new(vec![stored("1")], Some("1".into())),
            2,
        ))
    }
    fn list(&self) -> Paged<Message> {
        let canned = vec![Ok(stored("1")), Ok(stored("2"))];
        Paged::from_stream(stream::iter(canned))
    }
    async fn property(
        &self,
        _: ObjectType,
        name: &str,
    ) -> Result<Option<PropertyDefinition>, Error> {
        let mut key = PropertyDefinition::new(name, PropertyType::String, FieldType::Text);
        key.has_unique_value = true;
        Ok(Some(key))
    }
    async fn property_groups(&self, _: ObjectType) -> Result<Vec<PropertyGroup>, Error> {
        Ok(vec![PropertyGroup::new(
            "communicationinformation",
            "Communication information",
        )])
    }
    async fn find_contacts_by_phone(
        &self,
        numbers: &[PhoneNumber],
    ) -> Result<std::collections::HashMap<PhoneNumber, ContactMatch>, Error> {
        Ok(numbers
            .iter()
            .map(|number| (number.clone(), ContactMatch::Found("7".into())))
            .collect())
    }
}

/// The user's code under test: logs a message and reads back what it needs, through any `Crm`.
async fn summarise(crm: &impl Crm, number: &PhoneNumber) -> Result<Vec<String>, Error> {
    let mut lines = Vec::new();
    let created = crm
        .create(&NewMessage::new(Channel::Sms, "On my way"))
        .await?;
    lines.push(format!("created {}", created.id));
    let read = crm.get_with(&created.id, &ReadOptions::new()).await?;
    lines.push(format!("read {} {:?}", read.id, read.channel));
    let batch = crm
        .read_batch(std::slice::from_ref(&created.id), &BatchReadOptions::new())
        .await;
    lines.push(format!("batch {}", batch.succeeded.len()));
    let listed: Vec<Message> = crm.list().try_collect().await?;
    lines.push(format!("listed {}", listed.len()));
    let found = crm
        .find_contacts_by_phone(std::slice::from_ref(number))
        .await?;
    lines.push(format!("contact {:?}", found[number].contact_id()));
    let key = crm.property(ObjectType::Communication, "sid").await?;
    lines.push(format!("key unique {:?}", key.map(|k| k.has_unique_value)));
    let groups = crm.property_groups(ObjectType::Communication).await?;
    lines.push(format!("groups {}", groups.len()));
    let page = crm.search_page(&Search::new(), None).await?;
    lines.push(format!(
        "search {} of {}",
        page.page.items.len(),
        page.total
    ));
    Ok(lines)
}

#[tokio::test]
async fn a_stand_in_built_from_public_constructors_serves_the_users_code() {
    let number = PhoneNumber::parse("+14155550123", None).unwrap();
    let lines = summarise(&StandIn, &number).await.unwrap();
    assert_eq!(
        lines,
        [
            "created 1",
            "read 1 Some(Sms)",
            "batch 1",
            "listed 2",
            "contact Some(\"7\")",
            "key unique Some(true)",
            "groups 1",
            "search 1 of 2",
        ]
    );

    // Failures are built as the client's are, and say the same things.
    let missing = StandIn
        .get_with("404", &ReadOptions::new())
        .await
        .unwrap_err();
    assert_eq!(missing.status(), Some(404));
    assert_eq!(missing.operation(), Some(Operation::GetCommunication));
    assert!(!missing.is_retryable() && !missing.is_fate_unknown());
    let garbled = StandIn
        .get_with("garbled", &ReadOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(garbled, Error::InvalidResponse(_)));
    let partly = StandIn
        .read_batch(
            &["1".into(), "2".into(), "3".into()],
            &BatchReadOptions::new(),
        )
        .await;
    assert_eq!(partly.failed_inputs(), [1, 2]);
    let records = StandIn
        .read_records(ObjectType::Contact, &["7".into()], &["phone"])
        .await;
    assert_eq!(
        records.succeeded[0].value.property("phone"),
        Some("+14155550123")
    );
    let associated = StandIn
        .read_associations(
            ObjectType::Communication,
            &["1".into()],
            ObjectType::Contact,
        )
        .await;
    assert_eq!(associated.succeeded[0].value[0].id, "7");

    // The values a bulk log yields can be built too.
    let logged = Logged::new(
        0,
        "SM1".to_owned(),
        NewMessage::new(Channel::Sms, "hi"),
        LogOutcome::Logged(stored("1")),
    );
    assert!(matches!(logged.outcome, LogOutcome::Logged(_)));
    let key = KeyProperty::new(
        PropertyDefinition::new("sid", PropertyType::String, FieldType::Text),
        true,
    );
    assert!(key.created);
    let _ = (
        UpsertInput::new("SM1", NewMessage::new(Channel::Sms, "hi")),
        Record::contact("7"),
    );
}

#[tokio::test]
async fn the_real_client_serves_the_same_code_against_the_fake() {
    let hubspot = MockServer::start().await.unwrap();
    let contact = hubspot.seed_record(
        hubspot_communications_mock::ObjectType::Contact,
        &[("email", "linda@example.com"), ("phone", "+14155550123")],
    );
    let client = Client::builder("test-token")
        .for_testing(hubspot.base_url())
        .build()
        .unwrap();
    let number = PhoneNumber::parse("+14155550123", None).unwrap();
    let lines = summarise(&client, &number).await.unwrap();
    assert!(lines[0].starts_with("created "), "{lines:?}");
    assert!(lines[1].ends_with("Some(Sms)"), "{lines:?}");
    assert_eq!(lines[2..4], ["batch 1", "listed 1"], "{lines:?}");
    assert_eq!(lines[4], format!("contact Some({contact:?})"), "{lines:?}");
    assert_eq!(lines[5], "key unique None", "{lines:?}");
    let listed = client.list(ReadOptions::new()).map(|m| m.unwrap().id);
    assert_eq!(listed.collect::<Vec<_>>().await.len(), 1);
}
