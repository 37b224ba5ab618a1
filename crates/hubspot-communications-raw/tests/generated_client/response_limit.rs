//! Issue 11, unbounded bodies: no more of an answer than the client's cap is read, and the
//! failure is the typed `ResponseTooLarge`, found through `response_too_large`.

use crate::common;

use std::time::{Duration, Instant};

use common::server::{Answer, Server};
use hubspot_communications_raw::{
    Client, ClientContext, DEFAULT_MAX_RESPONSE_BYTES, Error, ResponseTooLarge, response_too_large,
};

fn client(server: &Server, cap: u64) -> Client {
    let context = ClientContext::bearer("t")
        .unwrap()
        .with_max_response_bytes(cap);
    // The v3 objects family: the operations below are its own.
    let base = format!("{}/crm/v3/objects", server.base_url);
    Client::new_with_client(&base, reqwest::Client::new(), context)
}

fn message() -> String {
    common::message("7").to_string()
}

/// Reads message 7, giving up after 20 s (a client that buffered an endless body would hang).
async fn get(
    client: &Client,
) -> Result<String, Error<hubspot_communications_raw::types::HubSpotError>> {
    let call = client
        .get_object()
        .object_type("communications")
        .object_id("7")
        .send();
    let answer = tokio::time::timeout(Duration::from_secs(20), call)
        .await
        .expect("the call ends, so the body was not read whole");
    answer.map(|answer| answer.into_inner().id)
}

fn too_large(error: &Error<hubspot_communications_raw::types::HubSpotError>) -> ResponseTooLarge {
    // A success body fails as progenitor reads it; an error body already as the client reads
    // it to keep its status (see `error_body`).
    assert!(
        matches!(
            error,
            Error::ResponseBodyError(_) | Error::CommunicationError(_)
        ),
        "{error:?}"
    );
    *response_too_large(error).unwrap_or_else(|| panic!("no ResponseTooLarge in {error:?}"))
}

#[tokio::test]
async fn an_answer_under_the_cap_decodes_as_before() {
    let cap = u64::try_from(message().len()).unwrap();
    let server = Server::start(Answer::Json(200, message()));
    assert_eq!(get(&client(&server, cap)).await.unwrap(), "7");

    // Chunked (no Content-Length): counted as it streams; status and headers are kept.
    let header = ("x-hubspot-ratelimit-remaining", "99");
    let server = Server::start(Answer::Chunked(200, message(), header));
    let answer = client(&server, cap)
        .get_object()
        .object_type("communications")
        .object_id("7")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["x-hubspot-ratelimit-remaining"], "99");
    assert_eq!(answer.into_inner().id, "7");
}

#[tokio::test]
async fn one_byte_over_the_cap_is_refused_with_or_without_content_length() {
    let cap = u64::try_from(message().len()).unwrap() - 1;
    let server = Server::start(Answer::Json(200, message()));
    let error = get(&client(&server, cap)).await.unwrap_err();
    assert_eq!(too_large(&error), ResponseTooLarge { limit: cap });

    let server = Server::start(Answer::Chunked(200, message(), ("x-a", "b")));
    let error = get(&client(&server, cap)).await.unwrap_err();
    assert_eq!(too_large(&error), ResponseTooLarge { limit: cap });
}

#[tokio::test]
async fn a_declared_length_over_the_cap_fails_without_reading_the_body() {
    let server = Server::start(Answer::Endless(200, Some(10 << 30)));
    let started = Instant::now();
    let error = get(&client(&server, 1024)).await.unwrap_err();
    assert_eq!(too_large(&error), ResponseTooLarge { limit: 1024 });
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        server.written() < 64 << 20,
        "{} bytes written",
        server.written()
    );
    // The reqwest error still names the request's URL.
    let Error::ResponseBodyError(source) = &error else {
        unreachable!()
    };
    assert!(
        source
            .url()
            .is_some_and(|url| url.path() == "/crm/v3/objects/communications/7"),
        "{source:?}"
    );
    // Whoever prints the error's chain reads why.
    let mut chain = Vec::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(error) = next {
        chain.push(error.to_string());
        next = error.source();
    }
    assert!(
        chain.iter().any(|e| e.contains("limit of 1024 bytes")),
        "{chain:?}"
    );
}

#[tokio::test]
async fn an_endless_chunked_answer_stops_just_past_the_cap() {
    let server = Server::start(Answer::Endless(200, None));
    let error = get(&client(&server, 1 << 20)).await.unwrap_err();
    assert_eq!(too_large(&error), ResponseTooLarge { limit: 1 << 20 });
    // What the server got out is the cap plus what the sockets' buffers hold, not more.
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        server.written() < 64 << 20,
        "{} bytes written",
        server.written()
    );
}

#[tokio::test]
async fn error_answers_are_capped_too() {
    let server = Server::start(Answer::Endless(500, None));
    let error = get(&client(&server, 4096)).await.unwrap_err();
    assert_eq!(too_large(&error), ResponseTooLarge { limit: 4096 });
}

#[test]
fn the_default_cap_and_a_secret_token() {
    let context = ClientContext::bearer("t").unwrap();
    assert_eq!(context.max_response_bytes(), DEFAULT_MAX_RESPONSE_BYTES);
    assert_eq!(DEFAULT_MAX_RESPONSE_BYTES, 32 * 1024 * 1024);
    assert!(context.headers()["authorization"].is_sensitive());
    assert!(!format!("{context:?}").contains("Bearer t"));
}

#[test]
fn only_errors_of_that_kind_are_reported_as_too_large() {
    let plain = std::io::Error::other("boom");
    assert!(response_too_large(&plain).is_none());
    let wrapped = std::io::Error::other(ResponseTooLarge { limit: 5 });
    assert_eq!(
        response_too_large(&wrapped),
        Some(&ResponseTooLarge { limit: 5 })
    );
    assert_eq!(
        ResponseTooLarge { limit: 5 }.to_string(),
        "the answer's body is larger than the client's limit of 5 bytes"
    );
}
