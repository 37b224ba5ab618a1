//! The OAuth token operation (`create_token`, the `oauth` family) and the replaceable bearer
//! token the CRM clients send.

use crate::common;

use common::TOKEN;
use hubspot_communications_raw::CreateTokenBodyGrantType;
use hubspot_communications_raw::{
    API_VERSIONS, BearerToken, Client, ClientContext, CreateTokenBody,
};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn refresh() -> CreateTokenBody {
    CreateTokenBody {
        grant_type: Some(CreateTokenBodyGrantType::RefreshToken),
        client_id: Some("app-id".into()),
        client_secret: Some("app secret&=".into()),
        refresh_token: Some("refresh-1".into()),
        ..CreateTokenBody::default()
    }
}

#[tokio::test]
async fn every_version_refreshes_on_its_own_token_path_with_a_form_body() {
    let server = MockServer::start().await;
    // HubSpot's documented v1 answer: no `token_use`, no `hub_id`.
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "token_type": "bearer", "refresh_token": "refresh-2", "access_token": "access-2", "expires_in": 1800
        })))
        .mount(&server)
        .await;
    let mut paths = Vec::new();
    for version in API_VERSIONS {
        let client = Client::new_with_client(
            &format!("{}{}", server.uri(), version.oauth),
            reqwest::Client::new(),
            ClientContext::default(),
        );
        assert!(version.has("create_token"), "{}", version.name);
        let answer = client.create_token().body(refresh()).send().await.unwrap();
        assert_eq!(answer.access_token, "access-2");
        assert_eq!(answer.refresh_token, "refresh-2");
        assert_eq!(answer.expires_in, 1800);
        paths.push(format!("{} {}", version.name, version.oauth));
    }
    let requests = server.received_requests().await.unwrap();
    let sent: Vec<String> = requests.iter().map(|r| r.url.path().to_owned()).collect();
    assert_eq!(
        sent,
        [
            "/oauth/2026-03/token",
            "/oauth/2026-09/token",
            "/oauth/v1/token"
        ],
        "{paths:?}"
    );
    for request in &requests {
        assert_eq!(
            request.headers.get("content-type").unwrap(),
            "application/x-www-form-urlencoded"
        );
        // The secrets travel in the body only, never in the URL, and no bearer token goes to
        // the token endpoint.
        assert_eq!(request.url.query(), None);
        assert!(request.headers.get("authorization").is_none());
        assert_eq!(
            String::from_utf8_lossy(&request.body),
            "client_id=app-id&client_secret=app+secret%26%3D&grant_type=refresh_token&refresh_token=refresh-1"
        );
    }
}

#[tokio::test]
async fn a_refused_refresh_keeps_hubspots_error_code() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/v1/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "status": "BAD_REFRESH_TOKEN", "message": "missing or unknown refresh token",
            "correlationId": "c-1"
        })))
        .mount(&server)
        .await;
    let client = Client::new_with_client(
        &format!("{}/oauth/v1", server.uri()),
        reqwest::Client::new(),
        ClientContext::default(),
    );
    let error = client
        .create_token()
        .body(refresh())
        .send()
        .await
        .unwrap_err();
    let hubspot_communications_raw::Error::ErrorResponse(answer) = error else {
        panic!("{error:?}");
    };
    assert_eq!(answer.status(), 400);
    assert_eq!(answer.status.as_deref(), Some("BAD_REFRESH_TOKEN"));
}

#[tokio::test]
async fn a_replaced_bearer_token_is_sent_from_the_next_request_on() {
    let server = MockServer::start().await;
    for token in ["first", "second"] {
        Mock::given(method("GET"))
            .and(header("authorization", format!("Bearer {token}").as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": []})))
            .expect(1)
            .mount(&server)
            .await;
    }
    let token = BearerToken::new("first").unwrap();
    // The context's own Authorization header gives way to the replaceable token.
    let context = ClientContext::bearer(TOKEN)
        .unwrap()
        .with_bearer_token(token.clone());
    let client = Client::new_with_client(
        &format!("{}/crm/v3/objects", server.uri()),
        reqwest::Client::new(),
        context,
    );
    let list = || client.list_objects().object_type("communications").send();
    list().await.unwrap();
    token.set("second").unwrap();
    list().await.unwrap();
    // A token that cannot be a header value is refused and the current one kept.
    assert!(token.set("bad\ntoken").is_err());
    assert_eq!(token.header_value(), "Bearer second");
}

#[test]
fn debug_never_prints_the_token() {
    let token = BearerToken::new("s3cr3t-access").unwrap();
    let context = ClientContext::default().with_bearer_token(token.clone());
    for text in [format!("{token:?}"), format!("{context:?}")] {
        assert!(!text.contains("s3cr3t"), "{text}");
    }
    assert!(format!("{token:?}").contains("redacted"));
}
