//! The OAuth token types (hand-written, `src/oauth_token.rs`): `Debug` shows no secret, and
//! the wire forms are those the generated types had (the form body field by field, the
//! answer's defaults and optional fields).

use hubspot_communications_raw::{AccessTokenResponse, Client, ClientContext, CreateTokenBody};
use hubspot_communications_raw::{AccessTokenResponseTokenUse, CreateTokenBodyGrantType};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Every secret below holds this, so that one search finds any of them in a text.
const MARK: &str = "SECRET";

fn full_body() -> CreateTokenBody {
    CreateTokenBody {
        client_id: Some("app-id".into()),
        client_secret: Some("client-SECRET-1".into()),
        code: Some("code-SECRET-2".into()),
        code_verifier: Some("verifier-SECRET-3".into()),
        grant_type: Some(CreateTokenBodyGrantType::AuthorizationCode),
        redirect_uri: Some("https://app.example/callback".into()),
        refresh_token: Some("refresh-SECRET-4".into()),
        scope: Some("crm.objects.contacts.read".into()),
    }
}

fn full_answer() -> AccessTokenResponse {
    AccessTokenResponse {
        access_token: "access-SECRET-5".into(),
        expires_in: 1800,
        hub_id: Some(4242),
        id_token: Some("id-SECRET-6".into()),
        refresh_token: "refresh-SECRET-7".into(),
        scopes: vec!["oauth".into(), "crm.objects.contacts.read".into()],
        token_type: "bearer".into(),
        token_use: AccessTokenResponseTokenUse::AccessToken,
        user_id: Some(77),
    }
}

#[test]
fn debug_redacts_every_secret_of_the_form_body_and_shows_the_rest() {
    let body = full_body();
    for text in [format!("{body:?}"), format!("{body:#?}")] {
        assert!(!text.contains(MARK), "{text}");
        assert_eq!(text.matches("<redacted>").count(), 4, "{text}");
        for shown in [
            "app-id",
            "AuthorizationCode",
            "https://app.example/callback",
            "crm.objects.contacts.read",
        ] {
            assert!(text.contains(shown), "{shown} missing from {text}");
        }
    }
    // An absent secret is shown absent: what was sent can still be told from the output.
    let refresh = CreateTokenBody {
        grant_type: Some(CreateTokenBodyGrantType::RefreshToken),
        refresh_token: Some("refresh-SECRET-8".into()),
        ..CreateTokenBody::default()
    };
    let text = format!("{refresh:?}");
    assert!(!text.contains(MARK), "{text}");
    assert!(text.contains("refresh_token: Some(<redacted>)"), "{text}");
    assert!(text.contains("client_secret: None"), "{text}");
}

#[test]
fn debug_redacts_every_token_of_the_answer_and_shows_the_rest() {
    let answer = full_answer();
    for text in [format!("{answer:?}"), format!("{answer:#?}")] {
        assert!(!text.contains(MARK), "{text}");
        assert_eq!(text.matches("<redacted>").count(), 3, "{text}");
        for shown in ["1800", "4242", "77", "bearer", "AccessToken", "oauth"] {
            assert!(text.contains(shown), "{shown} missing from {text}");
        }
    }
    let without_id_token = AccessTokenResponse {
        id_token: None,
        ..full_answer()
    };
    assert!(format!("{without_id_token:?}").contains("id_token: None"));
}

/// A client of the `oauth` family on `server`, and the server answering every request with
/// tokens that hold [`MARK`].
async fn token_endpoint() -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "token_type": "bearer", "refresh_token": "refresh-SECRET-9",
            "access_token": "access-SECRET-10", "expires_in": 1800
        })))
        .mount(&server)
        .await;
    let client = Client::new_with_client(
        &format!("{}/oauth/v1", server.uri()),
        reqwest::Client::new(),
        ClientContext::default(),
    );
    (server, client)
}

#[tokio::test]
async fn the_operation_builder_and_the_answer_wrapper_show_no_secret_either() {
    // Both derive Debug over the body and the answer: they print what these types print.
    let (_server, client) = token_endpoint().await;
    let builder = client.create_token().body(full_body());
    let text = format!("{builder:?} {builder:#?}");
    assert!(!text.contains(MARK), "{text}");
    assert!(text.contains("<redacted>"), "{text}");
    let answer = builder.send().await.unwrap();
    let text = format!("{answer:?} {answer:#?}");
    assert!(!text.contains(MARK), "{text}");
    assert_eq!(answer.access_token, "access-SECRET-10");
}

#[tokio::test]
async fn the_form_body_carries_every_field_by_its_name_in_order() {
    let (server, client) = token_endpoint().await;
    client
        .create_token()
        .body(full_body())
        .send()
        .await
        .unwrap();
    client
        .create_token()
        .body(CreateTokenBody::default())
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let bodies: Vec<_> = requests
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert_eq!(
        bodies,
        [
            "client_id=app-id&client_secret=client-SECRET-1&code=code-SECRET-2\
             &code_verifier=verifier-SECRET-3&grant_type=authorization_code\
             &redirect_uri=https%3A%2F%2Fapp.example%2Fcallback&refresh_token=refresh-SECRET-4\
             &scope=crm.objects.contacts.read",
            // Absent fields are left out, not sent empty.
            "",
        ]
    );
}

#[test]
fn the_answer_decodes_with_its_defaults_and_encodes_back() {
    // HubSpot's documented v1 refresh answer: no token_use, hub_id, id_token, scopes, user_id.
    let v1: AccessTokenResponse = serde_json::from_value(json!({
        "token_type": "bearer", "refresh_token": "r", "access_token": "a", "expires_in": 1800
    }))
    .unwrap();
    assert_eq!(v1.token_use, AccessTokenResponseTokenUse::AccessToken);
    assert_eq!(
        (v1.hub_id, v1.id_token.as_deref(), v1.user_id),
        (None, None, None)
    );
    assert!(v1.scopes.is_empty());
    assert_eq!(
        serde_json::to_value(&v1).unwrap(),
        json!({"access_token": "a", "expires_in": 1800, "refresh_token": "r",
               "token_type": "bearer", "token_use": "access_token"})
    );

    let full = json!({
        "access_token": "access-SECRET-5", "expires_in": 1800, "hub_id": 4242,
        "id_token": "id-SECRET-6", "refresh_token": "refresh-SECRET-7",
        "scopes": ["oauth", "crm.objects.contacts.read"], "token_type": "bearer",
        "token_use": "access_token", "user_id": 77
    });
    let decoded: AccessTokenResponse = serde_json::from_value(full.clone()).unwrap();
    assert_eq!(decoded, full_answer());
    assert_eq!(serde_json::to_value(&decoded).unwrap(), full);

    // What the spec requires is still required.
    for broken in [
        json!({"token_type": "bearer", "refresh_token": "r", "expires_in": 1}),
        json!({"token_type": "bearer", "access_token": "a", "expires_in": 1}),
        json!({"token_type": "bearer", "refresh_token": "r", "access_token": "a"}),
        json!({"refresh_token": "r", "access_token": "a", "expires_in": 1}),
    ] {
        let outcome = serde_json::from_value::<AccessTokenResponse>(broken.clone());
        assert!(outcome.is_err(), "{broken}");
    }
    // token_use is an open enum: a use HubSpot adds later is kept, not refused.
    let later: AccessTokenResponse = serde_json::from_value(json!({"token_type": "bearer",
        "refresh_token": "r", "access_token": "a", "expires_in": 1, "token_use": "id_token"}))
    .unwrap();
    assert!(
        matches!(&later.token_use, AccessTokenResponseTokenUse::Other(v) if v.as_str() == "id_token")
    );
    assert_eq!(
        serde_json::to_value(&later).unwrap()["token_use"],
        "id_token"
    );
}

#[test]
fn the_form_body_as_json_skips_absent_fields() {
    assert_eq!(
        serde_json::to_value(CreateTokenBody::default()).unwrap(),
        json!({})
    );
    let body: CreateTokenBody =
        serde_json::from_value(json!({"grant_type": "refresh_token", "refresh_token": "r"}))
            .unwrap();
    assert_eq!(
        body,
        CreateTokenBody {
            grant_type: Some(CreateTokenBodyGrantType::RefreshToken),
            refresh_token: Some("r".into()),
            ..CreateTokenBody::default()
        }
    );
}

#[test]
fn client_credentials_types_redact_their_secrets_and_keep_the_wire_form() {
    use hubspot_communications_raw::{
        ClientCredentialsGrantType, ClientCredentialsTokenResponseTokenUse,
    };
    use hubspot_communications_raw::{ClientCredentialsTokenBody, ClientCredentialsTokenResponse};

    let body = ClientCredentialsTokenBody {
        client_id: "app-id".into(),
        client_secret: "client-SECRET-9".into(),
        grant_type: ClientCredentialsGrantType::ClientCredentials,
        scope: Some("developer.webhooks_journal.read".into()),
    };
    let text = format!("{body:?}");
    assert!(!text.contains(MARK) && text.contains("app-id"), "{text}");
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({
            "client_id": "app-id",
            "client_secret": "client-SECRET-9",
            "grant_type": "client_credentials",
            "scope": "developer.webhooks_journal.read"
        })
    );
    // HubSpot's v1 answer: no token_use, no refresh token.
    let answer: ClientCredentialsTokenResponse = serde_json::from_value(json!({
        "access_token": "access-SECRET-10",
        "expires_in": 1800,
        "token_type": "bearer"
    }))
    .unwrap();
    assert_eq!(
        answer.token_use,
        ClientCredentialsTokenResponseTokenUse::ClientCredentials
    );
    let text = format!("{answer:?}");
    assert!(!text.contains(MARK) && text.contains("1800"), "{text}");
}
