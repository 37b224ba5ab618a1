//! Issue 11: a path parameter never leaves its path segment. Each value is either sent as
//! exactly one segment that percent-decodes back to it, or refused with
//! `Error::InvalidRequest` before anything is sent, for every operation that has path
//! parameters.

use crate::common;

use std::collections::BTreeMap;

use common::server::{Answer, Server};
use hubspot_communications_raw::{Client, ClientContext, Error, OPERATION_PATHS, types};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// A client of the server with a family's base path (`""`: the templates as they are).
fn client(server: &Server, family_base: &str) -> Client {
    let context = ClientContext::bearer("t").unwrap();
    let base = format!("{}{family_base}", server.base_url);
    Client::new_with_client(&base, reqwest::Client::new(), context)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// What became of a call.
#[derive(Debug)]
enum Outcome {
    /// Refused before sending, with this message.
    Refused(String),
    /// Sent (whatever the answer).
    Sent,
}

fn outcome<T, E>(result: Result<T, Error<E>>) -> Outcome {
    match result {
        Err(Error::InvalidRequest(message)) => Outcome::Refused(message),
        _ => Outcome::Sent,
    }
}

fn update() -> types::SimplePublicObjectInput {
    serde_json::from_value(serde_json::json!({"properties": {}})).unwrap()
}

fn ids() -> types::BatchInputSimplePublicObjectId {
    types::BatchInputSimplePublicObjectId { inputs: vec![] }
}

fn read() -> types::BatchReadInputSimplePublicObjectId {
    serde_json::from_value(serde_json::json!({"inputs": []})).unwrap()
}

fn create() -> types::SimplePublicObjectInputForCreate {
    types::SimplePublicObjectInputForCreate {
        associations: vec![],
        properties: BTreeMap::new(),
    }
}

fn new_property() -> types::PropertyCreate {
    types::PropertyCreate::builder()
        .name("external_message_id")
        .label("External message id")
        .type_("string")
        .field_type("text")
        .group_name("communicationinformation")
        .try_into()
        .unwrap()
}

/// Calls an operation with its path parameters in the order its template names them.
async fn call(client: &Client, operation: &str, p: &[String]) -> Outcome {
    let p = |i: usize| p[i].clone();
    match operation {
        "archive_associations" => outcome(
            client
                .archive_associations()
                .object_type(p(0))
                .object_id(p(1))
                .to_object_type(p(2))
                .to_object_id(p(3))
                .send()
                .await,
        ),
        "archive_object" => outcome(
            client
                .archive_object()
                .object_type(p(0))
                .object_id(p(1))
                .send()
                .await,
        ),
        "associate_communication" => outcome(
            client
                .associate_communication()
                .communication_id(p(0))
                .to_object_type(p(1))
                .to_object_id(p(2))
                .association_type_id(p(3))
                .send()
                .await,
        ),
        "create_association" => outcome(
            client
                .create_association()
                .object_type(p(0))
                .object_id(p(1))
                .to_object_type(p(2))
                .to_object_id(p(3))
                .body(vec![])
                .send()
                .await,
        ),
        "create_default_association" => outcome(
            client
                .create_default_association()
                .from_object_type(p(0))
                .from_object_id(p(1))
                .to_object_type(p(2))
                .to_object_id(p(3))
                .send()
                .await,
        ),
        "create_object" => outcome(
            client
                .create_object()
                .object_type(p(0))
                .body(create())
                .send()
                .await,
        ),
        "get_object" => outcome(
            client
                .get_object()
                .object_type(p(0))
                .object_id(p(1))
                .send()
                .await,
        ),
        "list_associations" => outcome(
            client
                .list_associations()
                .object_type(p(0))
                .object_id(p(1))
                .to_object_type(p(2))
                .send()
                .await,
        ),
        "remove_communication_association" => outcome(
            client
                .remove_communication_association()
                .communication_id(p(0))
                .to_object_type(p(1))
                .to_object_id(p(2))
                .association_type_id(p(3))
                .send()
                .await,
        ),
        "update_object" => outcome(
            client
                .update_object()
                .object_type(p(0))
                .object_id(p(1))
                .body(update())
                .send()
                .await,
        ),
        "batch_archive_objects" => outcome(
            client
                .batch_archive_objects()
                .object_type(p(0))
                .body(ids())
                .send()
                .await,
        ),
        "batch_create_objects" => outcome(
            client
                .batch_create_objects()
                .object_type(p(0))
                .body(types::BatchInputSimplePublicObjectBatchInputForCreate { inputs: vec![] })
                .send()
                .await,
        ),
        "batch_create_associations" => outcome(
            client
                .batch_create_associations()
                .from_object_type(p(0))
                .to_object_type(p(1))
                .body(types::BatchInputPublicAssociationMultiPost { inputs: vec![] })
                .send()
                .await,
        ),
        "batch_read_associations" => outcome(
            client
                .batch_read_associations()
                .from_object_type(p(0))
                .to_object_type(p(1))
                .body(types::BatchInputPublicFetchAssociationsBatchRequest { inputs: vec![] })
                .send()
                .await,
        ),
        "batch_read_objects" => outcome(
            client
                .batch_read_objects()
                .object_type(p(0))
                .body(read())
                .send()
                .await,
        ),
        "batch_update_objects" => outcome(
            client
                .batch_update_objects()
                .object_type(p(0))
                .body(types::BatchInputSimplePublicObjectBatchInput { inputs: vec![] })
                .send()
                .await,
        ),
        "batch_upsert_objects" => outcome(
            client
                .batch_upsert_objects()
                .object_type(p(0))
                .body(types::BatchInputSimplePublicObjectBatchInputUpsert { inputs: vec![] })
                .send()
                .await,
        ),
        "list_objects" => outcome(client.list_objects().object_type(p(0)).send().await),
        "search_objects" => outcome(
            client
                .search_objects()
                .object_type(p(0))
                .body(types::PublicObjectSearchRequest::default())
                .send()
                .await,
        ),
        "list_properties" => outcome(client.list_properties().object_type(p(0)).send().await),
        "create_property" => outcome(
            client
                .create_property()
                .object_type(p(0))
                .body(new_property())
                .send()
                .await,
        ),
        "get_property" => outcome(
            client
                .get_property()
                .object_type(p(0))
                .property_name(p(1))
                .send()
                .await,
        ),
        "update_property" => outcome(
            client
                .update_property()
                .object_type(p(0))
                .property_name(p(1))
                .body(types::PropertyUpdate::default())
                .send()
                .await,
        ),
        "archive_property" => outcome(
            client
                .archive_property()
                .object_type(p(0))
                .property_name(p(1))
                .send()
                .await,
        ),
        "batch_read_properties" => outcome(
            client
                .batch_read_properties()
                .object_type(p(0))
                .body(types::BatchReadInputPropertyName {
                    archived: false,
                    data_sensitivity: None,
                    inputs: vec![],
                })
                .send()
                .await,
        ),
        "list_property_groups" => {
            outcome(client.list_property_groups().object_type(p(0)).send().await)
        }
        "get_property_group" => outcome(
            client
                .get_property_group()
                .object_type(p(0))
                .group_name(p(1))
                .send()
                .await,
        ),
        "get_journal_next" => outcome(client.get_journal_next().offset(p(0)).send().await),
        "get_journal_earliest_batch" => outcome(
            client
                .get_journal_earliest_batch()
                .count(p(0).parse::<std::num::NonZeroU32>().unwrap())
                .send()
                .await,
        ),
        "get_journal_latest_batch" => outcome(
            client
                .get_journal_latest_batch()
                .count(p(0).parse::<std::num::NonZeroU32>().unwrap())
                .send()
                .await,
        ),
        "get_journal_next_batch" => outcome(
            client
                .get_journal_next_batch()
                .offset(p(0))
                .count(p(1).parse::<std::num::NonZeroU32>().unwrap())
                .send()
                .await,
        ),
        "get_snapshot_status" => outcome(client.get_snapshot_status().status_id(p(0)).send().await),
        "get_local_journal_next" => {
            outcome(client.get_local_journal_next().offset(p(0)).send().await)
        }
        "get_local_journal_earliest_batch" => outcome(
            client
                .get_local_journal_earliest_batch()
                .count(p(0).parse::<std::num::NonZeroU32>().unwrap())
                .send()
                .await,
        ),
        "get_local_journal_latest_batch" => outcome(
            client
                .get_local_journal_latest_batch()
                .count(p(0).parse::<std::num::NonZeroU32>().unwrap())
                .send()
                .await,
        ),
        "get_local_journal_next_batch" => outcome(
            client
                .get_local_journal_next_batch()
                .offset(p(0))
                .count(p(1).parse::<std::num::NonZeroU32>().unwrap())
                .send()
                .await,
        ),
        "get_local_snapshot_status" => outcome(
            client
                .get_local_snapshot_status()
                .status_id(p(0))
                .send()
                .await,
        ),
        "get_journal_subscription" => outcome(
            client
                .get_journal_subscription()
                .subscription_id(p(0).parse::<i64>().unwrap())
                .send()
                .await,
        ),
        "delete_journal_subscription" => outcome(
            client
                .delete_journal_subscription()
                .subscription_id(p(0).parse::<i64>().unwrap())
                .send()
                .await,
        ),
        "delete_portal_journal_subscriptions" => outcome(
            client
                .delete_portal_journal_subscriptions()
                .portal_id(p(0).parse::<i64>().unwrap())
                .send()
                .await,
        ),
        "get_subscription_filter" => outcome(
            client
                .get_subscription_filter()
                .filter_id(p(0).parse::<i64>().unwrap())
                .send()
                .await,
        ),
        "delete_subscription_filter" => outcome(
            client
                .delete_subscription_filter()
                .filter_id(p(0).parse::<i64>().unwrap())
                .send()
                .await,
        ),
        "list_subscription_filters" => outcome(
            client
                .list_subscription_filters()
                .subscription_id(p(0).parse::<i64>().unwrap())
                .send()
                .await,
        ),
        other => panic!("no call written for `{other}`: add it to this test"),
    }
}

fn is_parameter(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// Path parameters typed as integers (the webhooks journal's counts and ids): the generated
/// client takes numbers, always one segment of digits; they are given digits.
const NUMERIC_PARAMETERS: [&str; 4] = ["{count}", "{subscriptionId}", "{filterId}", "{portalId}"];

/// What each path parameter of `template` is given: digits for a numeric one, anything for
/// the others.
fn values(template: &str) -> Vec<BoxedStrategy<String>> {
    template
        .split('/')
        .filter(|s| is_parameter(s))
        .map(|segment| {
            if NUMERIC_PARAMETERS.contains(&segment) {
                "[1-9][0-9]{0,5}".boxed()
            } else {
                value().boxed()
            }
        })
        .collect()
}

/// The operations with path parameters, from the generated table, with their parameter count.
fn parameterised() -> Vec<(&'static str, &'static str, usize)> {
    OPERATION_PATHS
        .iter()
        .map(|&(id, template)| {
            (
                id,
                template,
                template.split('/').filter(|s| is_parameter(s)).count(),
            )
        })
        .filter(|&(_, _, count)| count > 0)
        .collect()
}

/// Checks one call: refused exactly when a value cannot be a segment, else received as the
/// template with each value one segment that decodes back to it.
fn verify(
    operation: &str,
    template: &str,
    values: &[String],
    outcome: &Outcome,
    received: &[String],
) -> Result<(), String> {
    let unsendable = values.iter().any(|v| v.is_empty() || v == "." || v == "..");
    match outcome {
        Outcome::Refused(message) => {
            if !received.is_empty() {
                return Err(format!("refused, yet the server received {received:?}"));
            }
            if !unsendable {
                return Err(format!("refused a sendable value: {message}"));
            }
            if !message.starts_with(operation) || !message.contains(template) {
                return Err(format!(
                    "the message names neither operation nor path: {message}"
                ));
            }
            Ok(())
        }
        Outcome::Sent => {
            if unsendable {
                return Err(format!("sent an unsendable value: {received:?}"));
            }
            let [target] = received else {
                return Err(format!("expected one request, got {received:?}"));
            };
            let (_method, target) = target.split_once(' ').unwrap();
            let path = target.split('?').next().unwrap();
            let sent: Vec<&str> = path.split('/').collect();
            let wanted: Vec<&str> = template.split('/').collect();
            if sent.len() != wanted.len() {
                return Err(format!("{path} does not have the shape of {template}"));
            }
            let mut values = values.iter();
            for (sent, wanted) in sent.iter().zip(&wanted) {
                if !is_parameter(wanted) {
                    if sent != wanted {
                        return Err(format!("{path}: `{sent}` should be `{wanted}`"));
                    }
                    continue;
                }
                let value = values.next().unwrap();
                let plain = sent
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b));
                let decoded = percent_decode_str(sent).decode_utf8();
                if !plain || decoded.as_deref() != Ok(value.as_str()) {
                    return Err(format!("{path}: `{sent}` is not `{value}` as one segment"));
                }
            }
            Ok(())
        }
    }
}

/// Values that tried to escape, and arbitrary text.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(".".to_owned()),
        Just("..".to_owned()),
        Just("%2e".to_owned()),
        Just("%2E%2e".to_owned()),
        Just(".%2E".to_owned()),
        Just(r"..\contacts\10002".to_owned()),
        Just(r"..\..\..\v4\evil".to_owned()),
        Just("../x".to_owned()),
        "[0-9]{1,6}",
        r"[./\\%?#a-zA-Z0-9 é☃😀~_-]{0,10}",
        any::<String>(),
    ]
}

#[test]
fn every_path_parameter_of_every_operation_stays_one_segment() {
    let operations = parameterised();
    assert_eq!(
        operations.len(),
        43,
        "the client's operations with path parameters"
    );
    let server = Server::start(Answer::Empty(204));
    let client = client(&server, "");
    let runtime = runtime();
    for (operation, template, _) in operations {
        let mut runner = TestRunner::new(Config {
            cases: 128,
            failure_persistence: None,
            ..Config::default()
        });
        let values = values(template);
        let result = runner.run(&values, |values| {
            server.take();
            let outcome = runtime.block_on(call(&client, operation, &values));
            let received = server.take();
            verify(operation, template, &values, &outcome, &received)
                .map_err(|why| TestCaseError::fail(format!("{operation}: {why}")))
        });
        if let Err(error) = result {
            panic!("{operation}: {error}");
        }
    }
}

/// One call, and what the server received.
/// One call of an objects operation on the v3 objects client.
fn one(server: &Server, operation: &str, values: &[&str]) -> (Outcome, Vec<String>) {
    let client = client(server, "/crm/v3/objects");
    let values: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
    server.take();
    let outcome = runtime().block_on(call(&client, operation, &values));
    (outcome, server.take())
}

#[test]
fn backslashes_stay_inside_the_message_id() {
    let server = Server::start(Answer::Empty(204));
    let (outcome, received) = one(
        &server,
        "archive_object",
        &["communications", r"..\contacts\10002"],
    );
    assert!(matches!(outcome, Outcome::Sent), "{outcome:?}");
    assert_eq!(
        received,
        ["DELETE /crm/v3/objects/communications/..%5Ccontacts%5C10002"]
    );

    let (outcome, received) = one(
        &server,
        "get_object",
        &["communications", r"..\..\..\v4\evil"],
    );
    assert!(matches!(outcome, Outcome::Sent), "{outcome:?}");
    assert_eq!(
        received,
        ["GET /crm/v3/objects/communications/..%5C..%5C..%5Cv4%5Cevil"]
    );
}

#[test]
fn dot_segments_and_empty_values_are_refused_before_sending() {
    let server = Server::start(Answer::Empty(204));
    for value in [".", "..", ""] {
        let (outcome, received) = one(&server, "archive_object", &["communications", value]);
        let Outcome::Refused(message) = outcome else {
            panic!("`{value}` was sent: {received:?}");
        };
        assert!(received.is_empty(), "{received:?}");
        assert!(
            message.starts_with("archive_object")
                && message.contains("/crm/v3/objects/{objectType}/{objectId}"),
            "{message}"
        );
    }
    // An object type too: `..` would have reached /crm/v3/objects/10002.
    let (outcome, received) = one(&server, "get_object", &["..", "10002"]);
    assert!(matches!(outcome, Outcome::Refused(_)), "{received:?}");
    assert!(received.is_empty());
}

#[test]
fn percent_encoded_dots_and_reserved_characters_are_sent_as_data() {
    let server = Server::start(Answer::Empty(204));
    for (value, sent) in [
        ("%2e", "%252e"),
        ("%2E%2e", "%252E%252e"),
        (".%2E", ".%252E"),
        ("a/b?c#d e", "a%2Fb%3Fc%23d%20e"),
        ("...", "..."),
    ] {
        let (outcome, received) = one(&server, "archive_object", &["communications", value]);
        assert!(matches!(outcome, Outcome::Sent), "{value}: {outcome:?}");
        assert_eq!(
            received,
            [format!("DELETE /crm/v3/objects/communications/{sent}")],
            "{value}"
        );
    }
}

#[test]
fn every_operation_has_a_path_template() {
    // The request hook refuses an operation it has no template for; the table must list them
    // all, sorted for its binary search.
    assert_eq!(OPERATION_PATHS.len(), 55);
    assert!(OPERATION_PATHS.windows(2).all(|w| w[0].0 < w[1].0));
}

#[test]
fn a_base_url_with_a_path_stem_still_works() {
    let server = Server::start(Answer::Empty(204));
    let context = ClientContext::bearer("t").unwrap();
    let client = Client::new_with_client(
        &format!("{}/proxy/hubspot/crm/v3/objects", server.base_url),
        reqwest::Client::new(),
        context,
    );
    let outcome = runtime().block_on(async {
        outcome(
            client
                .archive_object()
                .object_type("communications")
                .object_id("42")
                .send()
                .await,
        )
    });
    assert!(matches!(outcome, Outcome::Sent), "{outcome:?}");
    assert_eq!(
        server.take(),
        ["DELETE /proxy/hubspot/crm/v3/objects/communications/42"]
    );
}
