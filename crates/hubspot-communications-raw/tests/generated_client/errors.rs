//! HubSpot's error bodies decode into `types::HubSpotError`, whatever fields they lack.

use crate::common;

use common::setup;
use hubspot_communications_raw::Error;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn a_validation_error_decodes_with_its_details() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "status": "error",
            "message": "Property values were not valid",
            "correlationId": "aeb5f871-7f07-4993-9211-075dc63e7cbf",
            "category": "VALIDATION_ERROR",
            "errors": [{"message": "Property \"hs_communication_channel_type\" has invalid value", "in": "hs_communication_channel_type", "code": "INVALID_OPTION"}],
            "context": {"propertyName": ["hs_communication_channel_type"]}
        })))
        .mount(&server)
        .await;
    let Err(Error::ErrorResponse(error)) = client
        .objects
        .list_objects()
        .object_type("communications")
        .send()
        .await
    else {
        panic!("expected an error response");
    };
    assert_eq!(error.status(), 400);
    assert_eq!(error.category.as_deref(), Some("VALIDATION_ERROR"));
    assert_eq!(
        error.errors[0].in_.as_deref(),
        Some("hs_communication_channel_type")
    );
    assert_eq!(error.errors[0].code.as_deref(), Some("INVALID_OPTION"));
    assert_eq!(
        error.context["propertyName"],
        ["hs_communication_channel_type"]
    );
}

#[tokio::test]
async fn a_rate_limit_body_without_category_decodes() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(json!({
                    "status": "error",
                    "message": "You have reached your ten_secondly_rolling limit.",
                    "errorType": "RATE_LIMIT",
                    "correlationId": "not-a-uuid-at-all",
                    "policyName": "TEN_SECONDLY_ROLLING",
                    "groupName": "publicapi:app-api-calls:10s"
                })),
        )
        .mount(&server)
        .await;
    let Err(Error::ErrorResponse(error)) = client
        .objects
        .get_object()
        .object_type("communications")
        .object_id("1")
        .send()
        .await
    else {
        panic!("expected an error response");
    };
    assert_eq!(error.status(), 429);
    assert_eq!(error.policy_name.as_deref(), Some("TEN_SECONDLY_ROLLING"));
    assert_eq!(error.error_type.as_deref(), Some("RATE_LIMIT"));
    assert_eq!(error.correlation_id.as_deref(), Some("not-a-uuid-at-all"));
    assert_eq!(error.headers()["retry-after"], "1");
}

#[tokio::test]
async fn a_server_error_decodes_too() {
    let (server, client) = setup().await;
    Mock::given(method("DELETE"))
        .respond_with(
            ResponseTemplate::new(503)
                .set_body_json(json!({"status": "error", "message": "Service unavailable"})),
        )
        .mount(&server)
        .await;
    let Err(Error::ErrorResponse(error)) = client
        .objects
        .archive_object()
        .object_type("communications")
        .object_id("1")
        .send()
        .await
    else {
        panic!("expected an error response");
    };
    assert_eq!(error.status(), 503);
    assert_eq!(error.message.as_deref(), Some("Service unavailable"));
}

#[tokio::test]
async fn an_error_body_that_is_not_hubspots_json_keeps_its_status_and_headers() {
    let (server, client) = setup().await;
    for (status, body, message) in [
        (
            502,
            "<html>Bad gateway</html>",
            Some("<html>Bad gateway</html>"),
        ),
        (429, "", None),
        (503, "{\"message\": 42}", Some("{\"message\": 42}")),
    ] {
        server.reset().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("Retry-After", "7")
                    .set_body_string(body),
            )
            .mount(&server)
            .await;
        let Err(Error::ErrorResponse(error)) = client
            .objects
            .list_objects()
            .object_type("communications")
            .send()
            .await
        else {
            panic!("{status}: expected an error response");
        };
        assert_eq!(error.status(), status);
        assert_eq!(error.headers()["retry-after"], "7");
        assert_eq!(error.message.as_deref(), message, "{status}");
    }
}
