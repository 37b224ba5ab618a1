//! Whatever a server answers (any status, any of HubSpot's headers with any value, any body),
//! every call ends in a value or a typed error, never a panic; and an error status is never
//! lost, whatever the body.

use std::time::Duration;

use hubspot_communications::search::Search;
use hubspot_communications::{Channel, Client, Error, ListOptions, NewMessage, RetryPolicy};
use hubspot_communications_tests::scripted::message;
use proptest::prelude::*;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The headers HubSpot's answers carry that the client reads.
const HEADERS: [&str; 7] = [
    "retry-after",
    "x-hubspot-ratelimit-max",
    "x-hubspot-ratelimit-interval-milliseconds",
    "x-hubspot-ratelimit-remaining",
    "x-hubspot-ratelimit-daily-remaining",
    "content-type",
    "location",
];

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,25}",
        "-?[0-9]{1,5}\\.[0-9]{0,5}(e[0-9]{1,4})?",
        "[ -~]{0,40}",
        Just("18446744073709551616".to_owned()),
        Just("application/json".to_owned()),
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    let valid = message("7").to_string().into_bytes();
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        // A valid answer cut short, or with one byte changed.
        (0..valid.len()).prop_map({
            let valid = valid.clone();
            move |cut| valid[..cut].to_vec()
        }),
        (0..valid.len(), any::<u8>()).prop_map(move |(at, byte)| {
            let mut changed = valid.clone();
            changed[at] = byte;
            changed
        }),
        Just(b"{\"results\": [], \"paging\": {\"next\": {\"after\": null}}}".to_vec()),
        Just(b"{\"status\": \"error\", \"message\": 42, \"errors\": \"no\"}".to_vec()),
        Just(b"null".to_vec()),
    ]
}

#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    headers: Vec<(usize, String)>,
    body: Vec<u8>,
}

fn answer() -> impl Strategy<Value = Answer> {
    (
        prop_oneof![200u16..=599, Just(429u16), Just(207u16), Just(307u16)],
        proptest::collection::vec((0..HEADERS.len(), header_value()), 0..4),
        body(),
    )
        .prop_map(|(status, headers, body)| Answer {
            status,
            headers,
            body,
        })
}

/// Runs one of the facade's calls against `answer`; its error, if any.
async fn call(server: &MockServer, which: usize) -> Option<Error> {
    let client = Client::builder("t")
        .base_url(server.uri())
        .retry(RetryPolicy::never())
        .deadline(Duration::from_secs(5))
        .build()
        .unwrap();
    let sms = || NewMessage::new(Channel::Sms, "hi");
    match which {
        0 => client.get("7").await.err(),
        1 => client.create(&sms()).await.err(),
        2 => client.list_page(&ListOptions::new(), None).await.err(),
        3 => client.search_page(&Search::new(), None).await.err(),
        _ => {
            let outcome = client.create_batch(&[sms(), sms()]).await;
            let failed = outcome.failed_inputs();
            for input in 0..2 {
                let stored = outcome.succeeded.iter().any(|s| s.input == Some(input));
                assert!(
                    stored != failed.contains(&input),
                    "input {input} must be stored or failed, not both or neither: {outcome:?}"
                );
            }
            outcome
                .failed
                .into_iter()
                .next()
                .and_then(|failure| match failure.error {
                    hubspot_communications::BatchError::Request(error) => {
                        std::sync::Arc::try_unwrap(error).ok()
                    }
                    _ => None,
                })
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_answer_is_a_value_or_a_typed_error(answer in answer(), which in 0usize..5) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let server = MockServer::start().await;
            let mut template = ResponseTemplate::new(answer.status).set_body_bytes(answer.body.clone());
            for (name, value) in &answer.headers {
                template = template.insert_header(HEADERS[*name], value.as_str());
            }
            Mock::given(wiremock::matchers::any()).respond_with(template).mount(&server).await;
            if let Some(error) = call(&server, which).await {
                // Every error can be shown and classified.
                let _ = (error.to_string(), error.is_retryable(), error.is_fate_unknown());
                if answer.status >= 400 {
                    prop_assert_eq!(error.status(), Some(answer.status), "{:?}", error);
                    prop_assert!(matches!(error, Error::Api(_)), "{:?}", error);
                }
            }
            Ok(())
        })?;
    }
}
