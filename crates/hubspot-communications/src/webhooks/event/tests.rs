//! Events as HubSpot sends them, unknown ones, hostile bodies, and the duplicates of retries.

use serde_json::json;

use super::*;

fn one(event: Value) -> WebhookEvent {
    let body = serde_json::to_vec(&json!([event])).unwrap();
    parse_events(&body).unwrap().remove(0)
}

#[test]
fn hubspots_legacy_example_reads() {
    // HubSpot's example body of its v1 validation page.
    let body = br#"[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]"#;
    let events = parse_events(body).unwrap();
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.event_id, Some(1));
    assert_eq!(event.subscription_id, Some(12345));
    assert_eq!(event.portal_id, Some(62515));
    assert_eq!(event.app_id, Some(54321));
    assert_eq!(event.occurred_at, Some(1_564_113_600_000));
    assert_eq!(event.attempt_number, Some(0));
    assert_eq!(event.object_id, Some(123));
    assert_eq!(event.change_source.as_deref(), Some("CRM"));
    assert_eq!(event.change_flag.as_deref(), Some("NEW"));
    assert_eq!(event.subscription_type.as_deref(), Some("contact.creation"));
    assert_eq!(event.kind, EventKind::Creation);
    // No objectTypeId: the legacy name says contact.
    assert_eq!(event.object_type_id, None);
    assert_eq!(event.object_type_id(), Some("0-1"));
    assert!(!event.is_communication());
    assert_eq!(event.field("changeFlag"), Some(&json!("NEW")));
}

#[test]
fn every_kind_of_communication_event_reads() {
    let base = |kind: &str| {
        json!({
            "eventId": 5, "subscriptionId": 6, "portalId": 62515, "appId": 54321,
            "occurredAt": 1767225600000u64, "subscriptionType": kind, "attemptNumber": 2,
            "objectId": 10001, "objectTypeId": "0-18", "changeSource": "API",
            "sourceId": "userId:42", "isSensitive": false
        })
    };
    let creation = one(base("object.creation"));
    assert_eq!(creation.kind, EventKind::Creation);
    assert!(creation.is_communication());
    assert_eq!(creation.source_id.as_deref(), Some("userId:42"));
    assert_eq!(creation.is_sensitive, Some(false));
    let mut sensitive = base("object.propertyChange");
    sensitive["isSensitive"] = json!(true);
    assert_eq!(one(sensitive).is_sensitive, Some(true));
    assert_eq!(one(json!({"eventId": 1})).is_sensitive, None);
    assert_eq!(creation.attempt_number, Some(2));

    let mut change = base("object.propertyChange");
    change["propertyName"] = json!("hs_communication_channel_type");
    change["propertyValue"] = json!("WHATS_APP");
    assert_eq!(
        one(change).kind,
        EventKind::PropertyChange(PropertyChange {
            property_name: Some("hs_communication_channel_type".into()),
            property_value: Some("WHATS_APP".into()),
        })
    );
    assert_eq!(one(base("object.deletion")).kind, EventKind::Deletion);
    assert_eq!(one(base("object.restore")).kind, EventKind::Restore);
    assert_eq!(
        one(base("object.privacyDeletion")).kind,
        EventKind::PrivacyDeletion
    );

    let mut association = base("object.associationChange");
    let fields = json!({
        "associationType": "COMMUNICATION_TO_CONTACT", "associationTypeId": 81,
        "associationCategory": "HUBSPOT_DEFINED", "fromObjectTypeId": "0-18",
        "fromObjectId": 10001, "toObjectTypeId": "0-1", "toObjectId": 20002,
        "associationRemoved": false, "isPrimaryAssociation": false
    });
    for (name, value) in fields.as_object().unwrap() {
        association[name] = value.clone();
    }
    assert_eq!(
        one(association).kind,
        EventKind::AssociationChange(AssociationChange {
            association_type: Some("COMMUNICATION_TO_CONTACT".into()),
            association_type_id: Some(81),
            association_category: Some("HUBSPOT_DEFINED".into()),
            from_object_type_id: Some("0-18".into()),
            from_object_id: Some(10001),
            to_object_type_id: Some("0-1".into()),
            to_object_id: Some(20002),
            association_removed: Some(false),
            is_primary_association: Some(false),
        })
    );

    let mut merge = base("object.merge");
    merge["primaryObjectId"] = json!(1);
    merge["mergedObjectIds"] = json!([2, 3, "4", "x"]);
    merge["newObjectId"] = json!(5);
    merge["numberOfPropertiesMoved"] = json!(7);
    assert_eq!(
        one(merge).kind,
        EventKind::Merge(Merge {
            primary_object_id: Some(1),
            merged_object_ids: vec![2, 3, 4],
            new_object_id: Some(5),
            number_of_properties_moved: Some(7),
        })
    );
}

#[test]
fn legacy_object_names_give_their_type_ids() {
    for (subscription, id) in [
        ("contact.propertyChange", Some("0-1")),
        ("company.deletion", Some("0-2")),
        ("deal.associationChange", Some("0-3")),
        ("ticket.merge", Some("0-5")),
        ("product.restore", Some("0-7")),
        ("line_item.creation", Some("0-8")),
        ("conversation.creation", None),
        ("object.creation", None),
        ("nodot", None),
    ] {
        let event = one(json!({"subscriptionType": subscription}));
        assert_eq!(event.object_type_id(), id, "{subscription}");
    }
    // objectTypeId wins over the name.
    let event = one(json!({"subscriptionType": "contact.creation", "objectTypeId": "0-18"}));
    assert!(event.is_communication());
}

#[test]
fn unknown_types_and_fields_are_kept_not_refused() {
    let event = one(json!({
        "eventId": 9, "subscriptionType": "object.teleported", "objectTypeId": "0-18",
        "futureField": {"nested": [1, 2, 3]}
    }));
    assert!(matches!(&event.kind, EventKind::Other(v) if v.as_str() == "object.teleported"));
    assert_eq!(event.raw["futureField"]["nested"][2], json!(3));
    assert_eq!(event.event_id, Some(9));

    let bare = one(json!({}));
    assert!(matches!(&bare.kind, EventKind::Other(v) if v.as_str().is_empty()));
    assert_eq!(bare.key(), None);
    assert_eq!(bare.object_type_id(), None);
}

#[test]
fn fields_of_unexpected_types_read_as_absent_and_stay_raw() {
    let event = one(json!({
        "eventId": "17", "portalId": -1, "occurredAt": 1.7e12, "objectId": null,
        "attemptNumber": true, "subscriptionType": 12, "objectTypeId": ["0-18"],
        "propertyValue": 3, "associationRemoved": "TRUE"
    }));
    assert_eq!(event.event_id, Some(17));
    assert_eq!(event.portal_id, None);
    assert_eq!(event.occurred_at, None);
    assert_eq!(event.object_id, None);
    assert_eq!(event.attempt_number, None);
    assert_eq!(event.subscription_type.as_deref(), Some("12"));
    assert_eq!(event.object_type_id, None);
    assert_eq!(event.raw["occurredAt"], json!(1.7e12));
    let change = one(json!({"subscriptionType": "object.propertyChange", "propertyValue": 3}));
    assert_eq!(
        change.kind,
        EventKind::PropertyChange(PropertyChange {
            property_name: None,
            property_value: Some("3".into())
        })
    );
    let removed =
        one(json!({"subscriptionType": "object.associationChange", "associationRemoved": "TRUE"}));
    let EventKind::AssociationChange(removed) = removed.kind else {
        panic!("{removed:?}")
    };
    assert_eq!(removed.association_removed, Some(true));
}

#[test]
fn bodies_that_are_not_batches_are_typed_errors() {
    assert!(matches!(parse_events(b""), Err(EventsError::NotJson(_))));
    assert!(matches!(
        parse_events(b"<html>"),
        Err(EventsError::NotJson(_))
    ));
    assert!(matches!(
        parse_events(b"\xff\xfe"),
        Err(EventsError::NotJson(_))
    ));
    assert!(matches!(parse_events(b"[{}"), Err(EventsError::NotJson(_))));
    assert_eq!(parse_events(b"{}"), Err(EventsError::NotAnArray));
    assert_eq!(parse_events(b"null"), Err(EventsError::NotAnArray));
    assert_eq!(
        parse_events(br#"[{}, 3]"#),
        Err(EventsError::NotAnObject { index: 1 })
    );
    assert_eq!(parse_events(b"[]"), Ok(Vec::new()));
    // Nesting past serde_json's limit is refused, not a stack overflow.
    let deep = format!("[{}{}]", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(
        parse_events(deep.as_bytes()),
        Err(EventsError::NotJson(_))
    ));
}

#[test]
fn batches_over_a_hundred_are_read_too() {
    let events: Vec<Value> = (0..250)
        .map(|i| json!({"eventId": i, "subscriptionType": "object.creation", "objectTypeId": "0-18"}))
        .collect();
    let body = serde_json::to_vec(&events).unwrap();
    let read = parse_events(&body).unwrap();
    assert_eq!(read.len(), 250);
    assert!(read.len() > MAX_EVENTS_PER_REQUEST);
    assert_eq!(read[249].event_id, Some(249));
}

#[test]
fn retries_are_duplicates_other_subscriptions_and_accounts_are_not() {
    let event = |portal: u64, subscription: u64, id: u64, attempt: u64| {
        one(
            json!({"portalId": portal, "subscriptionId": subscription, "eventId": id, "attemptNumber": attempt}),
        )
    };
    let mut seen = SeenEvents::new(100);
    assert!(seen.insert(&event(1, 10, 100, 0)));
    assert!(seen.contains(&event(1, 10, 100, 3)));
    assert!(!seen.insert(&event(1, 10, 100, 3)));
    // Same eventId, another subscription (one change notifying two) or another account.
    assert!(!seen.contains(&event(1, 11, 100, 0)));
    assert!(!seen.contains(&event(2, 10, 100, 0)));
    assert_eq!(seen.len(), 1);
    // No eventId: nothing to key on, always new, never remembered.
    let anonymous = one(json!({"portalId": 1}));
    assert!(seen.insert(&anonymous));
    assert!(seen.insert(&anonymous));
    assert!(!seen.contains(&anonymous));
    assert_eq!(seen.len(), 1);
}

/// HubSpot: "`eventId` … is not guaranteed to be unique". Two different events that share
/// one are both new; the same event delivered again (another attempt, or a repeat) is not.
#[test]
fn an_event_id_shared_by_two_different_events_keeps_both() {
    let event = |object: u64, attempt: u64| {
        one(
            json!({"portalId": 1, "subscriptionId": 10, "eventId": 100, "objectId": object,
            "occurredAt": 1000, "attemptNumber": attempt}),
        )
    };
    let mut seen = SeenEvents::new(100);
    assert!(seen.insert(&event(7, 0)));
    assert!(
        seen.insert(&event(8, 0)),
        "another event with the same eventId"
    );
    assert!(!seen.insert(&event(7, 4)), "the first one again");
    assert!(!seen.insert(&event(8, 0)), "the second one again");
    assert_eq!(seen.len(), 2);
}

/// HubSpot does not deliver in order: an older change that arrives after a newer one is
/// stale, per object's life, property and association; ties and events without
/// `occurredAt` or an object are applied.
#[test]
fn older_changes_delivered_after_newer_ones_are_stale() {
    let change = |object: u64, property: &str, at: u64| {
        one(
            json!({"subscriptionType": "object.propertyChange", "objectTypeId": "0-18",
            "objectId": object, "propertyName": property, "propertyValue": at.to_string(),
            "occurredAt": at}),
        )
    };
    let life = |kind: &str, object: u64, at: u64| {
        one(
            json!({"subscriptionType": kind, "objectTypeId": "0-18", "objectId": object,
            "occurredAt": at}),
        )
    };
    let mut latest = LatestChanges::new(100);
    assert!(latest.insert(&change(1, "hs_timestamp", 2000)));
    assert!(latest.is_stale(&change(1, "hs_timestamp", 1000)));
    assert!(!latest.insert(&change(1, "hs_timestamp", 1000)));
    assert!(
        latest.insert(&change(1, "hs_timestamp", 2000)),
        "a tie is applied"
    );
    assert!(latest.insert(&change(1, "hs_timestamp", 3000)));
    // Another property, another object: their own.
    assert!(latest.insert(&change(1, "hs_communication_body", 1000)));
    assert!(latest.insert(&change(2, "hs_timestamp", 1000)));
    // A change from before the object was deleted, delivered after the deletion.
    assert!(latest.insert(&life("object.deletion", 3, 5000)));
    assert!(latest.is_stale(&change(3, "hs_timestamp", 4000)));
    assert!(!latest.is_stale(&change(3, "hs_timestamp", 6000)));
    assert!(
        !latest.insert(&life("object.creation", 3, 1000)),
        "a late creation"
    );
    // Associations, each pair and type its own.
    let association = |removed: bool, at: u64| {
        one(
            json!({"subscriptionType": "object.associationChange", "fromObjectTypeId": "0-18",
            "fromObjectId": 1, "toObjectTypeId": "0-1", "toObjectId": 9,
            "associationTypeId": 81, "associationRemoved": removed, "occurredAt": at}),
        )
    };
    assert!(latest.insert(&association(true, 2000)));
    assert!(
        !latest.insert(&association(false, 1000)),
        "added before it was removed"
    );
    // Nothing to order by: applied, not recorded.
    let before = latest.len();
    assert!(latest.insert(&one(json!({"eventId": 1}))));
    assert!(latest.insert(&one(
        json!({"subscriptionType": "object.somethingNew", "objectId": 1, "occurredAt": 1})
    )));
    assert_eq!(latest.len(), before);
    // Bounded: the first recorded go first; 0 records nothing.
    let mut small = LatestChanges::new(2);
    for object in 0..5 {
        assert!(small.insert(&change(object, "p", 10)));
        assert!(small.len() <= 2);
    }
    assert!(!small.is_stale(&change(0, "p", 1)), "forgotten");
    assert!(small.is_stale(&change(4, "p", 1)));
    let mut none = LatestChanges::new(0);
    assert!(none.insert(&change(1, "p", 10)));
    assert!(none.insert(&change(1, "p", 1)));
    assert_eq!(none.capacity(), 0);
}

#[test]
fn memory_is_bounded_and_the_oldest_go_first() {
    let event = |id: u64| one(json!({"eventId": id}));
    let mut seen = SeenEvents::new(3);
    for id in 0..10 {
        assert!(seen.insert(&event(id)));
        assert!(seen.len() <= 3);
    }
    assert_eq!(seen.len(), 3);
    assert_eq!(seen.capacity(), 3);
    assert!(!seen.contains(&event(6)));
    for id in 7..10 {
        assert!(seen.contains(&event(id)));
    }
    let mut none = SeenEvents::new(0);
    assert!(none.insert(&event(1)));
    assert!(none.insert(&event(1)));
    assert!(none.is_empty());
}

#[test]
fn field_names_are_read_in_hubspots_camel_case() {
    assert_eq!(camel_case("property_name"), "propertyName");
    assert_eq!(
        camel_case("number_of_properties_moved"),
        "numberOfPropertiesMoved"
    );
    assert_eq!(camel_case("merged_object_ids"), "mergedObjectIds");
}
