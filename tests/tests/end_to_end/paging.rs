//! Lists, association lists and searches page by themselves; search stops at 10,000 clearly.

use futures::{StreamExt, TryStreamExt};
use hubspot_communications::search::{Filter, Search};
use hubspot_communications::{
    Error, ListOptions, ObjectType, Paged, ReadOptions, Record, ResponseProblem,
};
use hubspot_communications_tests::scripted::{message, setup};
use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn list_follows_the_cursor_to_the_last_page() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(query_param_is_missing("after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "results": [message("1"), message("2")], "paging": {"next": {"after": "3"}}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("after", "3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [message("3")]})))
        .mount(&server)
        .await;
    let ids: Vec<String> = client
        .list(ReadOptions::new())
        .map_ok(|m| m.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["1", "2", "3"]);
}

#[tokio::test]
async fn a_page_size_over_hubspots_limit_is_refused() {
    let (_server, client) = setup().await;
    let error = client
        .list(ListOptions::new().page_size(101))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidInput(_)));
}

#[tokio::test]
async fn search_stops_at_the_cap_with_a_clear_error() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/communications/search"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "total": 20000, "results": [message("1")], "paging": {"next": {"after": "10000"}}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let results: Vec<_> = futures::StreamExt::collect(client.search(Search::new())).await;
    assert!(results[0].is_ok());
    assert!(matches!(
        results[1],
        Err(Error::SearchLimitReached { limit: 10_000 })
    ));
}

#[tokio::test]
async fn search_all_reads_by_id_windows_without_offsets() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"filterGroups": [{"filters": [{"propertyName": "hs_communication_channel_type"}]}]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "total": 3, "results": [message("1"), message("2")], "paging": {"next": {"after": "2"}}
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"total": 3, "results": [message("3")]})),
        )
        .mount(&server)
        .await;
    let search = Search::new()
        .filter(Filter::eq("hs_communication_channel_type", "SMS"))
        .page_size(2);
    let ids: Vec<String> = client
        .search_past_cap(search)
        .map_ok(|m| m.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["1", "2", "3"]);
    let second: serde_json::Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[1].body).unwrap();
    assert_eq!(
        second,
        json!({
            "filterGroups": [{"filters": [
                {"propertyName": "hs_communication_channel_type", "operator": "EQ", "value": "SMS"},
                {"propertyName": "hs_object_id", "operator": "GT", "value": "2"}
            ]}],
            "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
            "limit": 2
        })
    );
}

#[tokio::test]
async fn pinning_refuses_a_message_not_associated_with_the_record() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/crm/v4/objects/communications/1/associations/contacts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [
            {"toObjectId": "99", "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 81}]}
        ]})))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/crm/v3/objects/contacts/99"))
        .respond_with(ResponseTemplate::new(200).set_body_json(message("99")))
        .expect(1)
        .mount(&server)
        .await;
    let error = client.pin("1", &Record::contact("2")).await.unwrap_err();
    assert!(matches!(error, Error::NotAssociated { .. }), "{error}");
    client.pin("1", &Record::contact("99")).await.unwrap();
    let patch: serde_json::Value = serde_json::from_slice(
        &server
            .received_requests()
            .await
            .unwrap()
            .last()
            .unwrap()
            .body,
    )
    .unwrap();
    assert_eq!(
        patch,
        json!({"properties": {"hs_pinned_engagement_id": "1"}})
    );
}

/// Drains a stream that must end with a repeated-cursor error, within a bounded number of items.
async fn ends_on_a_repeated_cursor<T: std::fmt::Debug>(mut stream: Paged<T>) {
    for _ in 0..100 {
        match stream.next().await {
            Some(Ok(_)) => continue,
            Some(Err(Error::InvalidResponse(invalid))) => {
                assert!(
                    matches!(invalid.problem, ResponseProblem::RepeatedCursor(_)),
                    "{invalid:?}"
                );
                assert!(
                    stream.next().await.is_none(),
                    "the stream ends after the error"
                );
                return;
            }
            other => panic!("expected a repeated-cursor error, got {other:?}"),
        }
    }
    panic!("the stream kept going on a cursor it had already followed");
}

#[tokio::test]
async fn a_server_repeating_a_cursor_cannot_make_any_stream_loop_forever() {
    let (server, client) = setup().await;
    // Every page answers the same cursor.
    Mock::given(method("GET"))
        .and(path("/crm/v3/objects/communications"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "results": [message("1")], "paging": {"next": {"after": "again"}}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/crm/v4/objects/communications/1/associations/contacts",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "results": [{"toObjectId": "9", "associationTypes": []}],
            "paging": {"next": {"after": "again"}}
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/communications/search"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "total": 5, "results": [message("1")], "paging": {"next": {"after": "1"}}
        })))
        .mount(&server)
        .await;
    ends_on_a_repeated_cursor(client.list(ReadOptions::new())).await;
    ends_on_a_repeated_cursor(client.associations("1", ObjectType::Contact)).await;
    ends_on_a_repeated_cursor(client.search(Search::new())).await;
    // search_past_cap's cursor is the last id: a server answering the same window forever.
    ends_on_a_repeated_cursor(client.search_past_cap(Search::new().page_size(1))).await;
}

#[tokio::test]
async fn a_paged_stream_can_be_stored_and_polled_without_pinning() {
    struct Export {
        messages: Paged<hubspot_communications::Message>,
    }
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [message("1")]})))
        .mount(&server)
        .await;
    let mut export = Export {
        messages: client.list(ReadOptions::new()),
    };
    assert_eq!(export.messages.try_next().await.unwrap().unwrap().id, "1");
    assert!(export.messages.try_next().await.unwrap().is_none());
}
