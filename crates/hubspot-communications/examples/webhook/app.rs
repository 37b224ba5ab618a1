//! The webhook's core, apart from `main` so that the tests package runs it: an axum `Router`
//! that receives Twilio's inbound-message webhook, checks its signature, finds (or creates)
//! the sender's contact and logs the message on it exactly once.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use futures::StreamExt;
use hmac::{Hmac, Mac};
use hubspot_communications::{
    BatchError, Channel, Client, ContactMatch, LogOutcome, NewMessage, PhoneNumber, Region,
    UpsertInput,
};
use sha1::Sha1;

/// Where Twilio posts (the messaging webhook URL of a number or a WhatsApp sender).
pub const PATH: &str = "/twilio/messages";

/// The unique property of messages that holds Twilio's `MessageSid`: an upsert on it logs a
/// message once however often Twilio delivers the webhook. Define it in HubSpot (Settings →
/// Properties → Communication, "Require unique values") before running against an account.
pub const ID_PROPERTY: &str = "twilio_message_sid";

/// Twilio's answer to a webhook that needs no reply: empty TwiML.
const EMPTY_TWIML: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response></Response>"#;

/// The longest `MessageSid` taken (Twilio's are 34 characters).
const MAX_SID_LEN: usize = 64;

/// What the webhook needs: a client of HubSpot and the Twilio auth token that signs requests.
#[derive(Clone)]
pub struct Settings {
    client: Client,
    auth_token: String,
    public_url: Option<String>,
    default_region: Option<Region>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("client", &self.client)
            .field("auth_token", &"<redacted>")
            .field("public_url", &self.public_url)
            .field("default_region", &self.default_region)
            .finish()
    }
}

impl Settings {
    /// Logs through `client`; requests must be signed with `auth_token`.
    pub fn new(client: Client, auth_token: impl Into<String>) -> Self {
        Self {
            client,
            auth_token: auth_token.into(),
            public_url: None,
            default_region: None,
        }
    }

    /// The URL Twilio is configured with, up to the path (e.g. `https://hooks.example.com`),
    /// which its signature covers. Without it, the URL is rebuilt from the request's `Host`
    /// and `X-Forwarded-Proto` headers (`http` without the latter).
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// The region a sender's number is read in when it has no country code (Twilio sends
    /// E.164, so this only matters for other providers).
    pub fn default_region(mut self, region: Region) -> Self {
        self.default_region = Some(region);
        self
    }

    /// The service: `POST` [`PATH`].
    pub fn router(self) -> Router {
        Router::new()
            .route(PATH, post(receive))
            .with_state(Arc::new(self))
    }

    /// The URL Twilio signed for this request.
    fn signed_url(&self, headers: &HeaderMap, uri: &Uri) -> Option<String> {
        let path = uri.path_and_query().map_or(PATH, |p| p.as_str());
        if let Some(base) = &self.public_url {
            return Some(format!("{base}{path}"));
        }
        let host = headers.get(header::HOST)?.to_str().ok()?;
        let proto = headers
            .get("x-forwarded-proto")
            .and_then(|p| p.to_str().ok())
            .unwrap_or("http");
        Some(format!("{proto}://{host}{path}"))
    }
}

/// The service of [`Settings::new`]`(client, auth_token)`.
pub fn router(client: Client, auth_token: impl Into<String>) -> Router {
    Settings::new(client, auth_token).router()
}

/// Twilio's `X-Twilio-Signature` of a request: HMAC-SHA1, keyed with the auth token, over
/// the full URL followed by every POST parameter's name and value, sorted by name; base64.
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    STANDARD.encode(mac(auth_token, url, params).finalize().into_bytes())
}

fn mac(auth_token: &str, url: &str, params: &[(String, String)]) -> Hmac<Sha1> {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    // HMAC takes a key of any length.
    let mut mac = <Hmac<Sha1>>::new_from_slice(auth_token.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    mac
}

/// Whether `given` is the request's signature, compared in constant time.
fn signed(auth_token: &str, url: &str, params: &[(String, String)], given: &str) -> bool {
    let Ok(given) = STANDARD.decode(given.trim()) else {
        return false;
    };
    mac(auth_token, url, params).verify_slice(&given).is_ok()
}

/// The fields of Twilio's inbound-message webhook the log needs.
#[derive(Debug)]
struct Inbound {
    channel: Channel,
    from: PhoneNumber,
    to: String,
    body: String,
    message_sid: String,
}

impl Inbound {
    fn read(params: &[(String, String)], region: Option<Region>) -> Result<Self, String> {
        let field = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let required = |name: &str| field(name).ok_or_else(|| format!("no {name}"));
        let from = required("From")?;
        let message_sid = required("MessageSid")?;
        if message_sid.is_empty()
            || message_sid.len() > MAX_SID_LEN
            || !message_sid.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(format!("{message_sid:?} is not a MessageSid"));
        }
        // `whatsapp:+14155550123` for WhatsApp, the bare number for SMS.
        let whatsapp = from
            .get(..9)
            .is_some_and(|p| p.eq_ignore_ascii_case("whatsapp:"));
        Ok(Self {
            channel: if whatsapp {
                Channel::WhatsApp
            } else {
                Channel::Sms
            },
            from: PhoneNumber::parse(&from, region).map_err(|e| format!("From: {e}"))?,
            to: field("To").unwrap_or_default(),
            body: field("Body").unwrap_or_default(),
            message_sid,
        })
    }
}

async fn receive(
    State(settings): State<Arc<Settings>>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let Some(url) = settings.signed_url(&headers, &uri) else {
        return answer(
            StatusCode::BAD_REQUEST,
            "no Host header to check the signature against",
        );
    };
    let given = headers
        .get("x-twilio-signature")
        .and_then(|s| s.to_str().ok());
    if !given.is_some_and(|given| signed(&settings.auth_token, &url, &params, given)) {
        tracing::warn!(%url, "refused a webhook without a valid X-Twilio-Signature");
        return answer(StatusCode::FORBIDDEN, "invalid X-Twilio-Signature");
    }
    let inbound = match Inbound::read(&params, settings.default_region) {
        Ok(inbound) => inbound,
        Err(why) => {
            tracing::warn!(%why, "refused a webhook that is not an inbound message");
            return answer(StatusCode::BAD_REQUEST, &why);
        }
    };
    log(&settings.client, inbound).await
}

/// Finds or creates the sender's contact and logs the message on it, keyed by its
/// `MessageSid`.
async fn log(client: &Client, inbound: Inbound) -> Response {
    let numbers = std::slice::from_ref(&inbound.from);
    let contact = match client.find_or_create_contacts_by_phone(numbers).await {
        Ok(mut found) => found.remove(&inbound.from),
        Err(error) => return failed(&error.to_string(), error.is_retryable()),
    };
    let association = match contact {
        Some(found) => match found.association() {
            Some(association) => association,
            None => return unresolved(&inbound, &found),
        },
        None => return failed("the lookup did not answer for the sender", true),
    };
    let text = if inbound.body.is_empty() {
        "(no text)".to_owned()
    } else {
        inbound.body.clone()
    };
    let message = NewMessage::new(inbound.channel.clone(), text).associate(association);
    // Keyed logging (an upsert on the MessageSid, then the association): a retried webhook
    // updates the message it already logged.
    let keyed = futures::stream::iter([UpsertInput::new(inbound.message_sid.clone(), message)]);
    let logged = std::pin::pin!(client.log_all_keyed(ID_PROPERTY, keyed))
        .next()
        .await;
    match logged.map(|logged| logged.outcome) {
        Some(LogOutcome::Logged(stored)) => {
            tracing::info!(
                message = %stored.id,
                sid = %inbound.message_sid,
                from = %inbound.from,
                to = %inbound.to,
                "logged"
            );
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/xml")],
                EMPTY_TWIML,
            )
                .into_response()
        }
        // Logging again is safe (an upsert): let Twilio retry.
        Some(LogOutcome::Unknown(error)) => failed(&error.to_string(), true),
        Some(LogOutcome::Failed(BatchError::Request(error))) => {
            failed(&error.to_string(), error.is_retryable())
        }
        Some(LogOutcome::Failed(refused)) => failed(&format!("{refused:?}"), false),
        None => failed("the log answered nothing for the message", true),
    }
}

/// Several contacts hold the number: reported, never guessed (nothing is logged; 409).
fn unresolved(inbound: &Inbound, found: &ContactMatch) -> Response {
    tracing::warn!(
        from = %inbound.from,
        sid = %inbound.message_sid,
        ?found,
        "not logged: the sender's number does not name one contact"
    );
    answer(
        StatusCode::CONFLICT,
        &format!("{} does not name one contact: {found:?}", inbound.from),
    )
}

/// HubSpot failed: 503 where a retry may succeed (Twilio retries), 502 otherwise.
fn failed(why: &str, retry: bool) -> Response {
    tracing::warn!(%why, "not logged");
    let status = if retry {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::BAD_GATEWAY
    };
    answer(status, why)
}

fn answer(status: StatusCode, text: &str) -> Response {
    (status, text.to_owned()).into_response()
}
