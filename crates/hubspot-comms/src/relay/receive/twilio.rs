//! Twilio's "a message comes in" webhook: SMS, and WhatsApp (`From=whatsapp:+1…`), signed
//! with `X-Twilio-Signature`, stored by its `MessageSid`, answered with an empty TwiML
//! `<Response/>`.

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use hubspot_communications::{Channel, PhoneNumber};
use sha1::Sha1;

#[cfg(test)]
use super::receivers::Twilio;
use super::receivers::{Refusal, Shared};
use crate::relay::entry::{Entry, Provider};
use crate::relay::metrics;

/// Where Twilio posts (the messaging webhook URL of a number or a WhatsApp sender).
pub const TWILIO_PATH: &str = "/twilio/messages";

/// The largest body taken (Twilio's form of one message, ten media URLs included, is a few
/// KiB).
pub const MAX_TWILIO_BODY_BYTES: usize = 64 * 1024;

/// The longest `MessageSid` taken (Twilio's are 34 characters).
const MAX_SID_LEN: usize = 64;

/// Twilio's answer to a webhook that needs no reply: empty TwiML.
const EMPTY_TWIML: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#;

/// Twilio's `X-Twilio-Signature` of a request: HMAC-SHA1, keyed with the auth token, over the
/// full URL followed by every POST parameter's name and value, sorted by name; base64. (What a
/// sender of test webhooks signs with.)
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
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

pub(super) async fn receive(
    State(receivers): State<Shared>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match store(&receivers, &uri, &headers, &body).await {
        Ok(()) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/xml")],
            EMPTY_TWIML,
        )
            .into_response(),
        Err(refusal) => {
            metrics::refused("twilio", refusal.status.as_u16());
            refusal.into_response()
        }
    }
}

async fn store(
    receivers: &Shared,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Refusal> {
    let Some(twilio) = &receivers.twilio else {
        return Err(Refusal::new(StatusCode::NOT_FOUND, "no Twilio receiver"));
    };
    let params: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let field = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let path = uri.path_and_query().map_or(TWILIO_PATH, |p| p.as_str());
    let url = format!("{}{path}", twilio.public_url);
    let given = headers
        .get("x-twilio-signature")
        .and_then(|s| s.to_str().ok());
    let token = twilio.token(field("AccountSid"));
    let valid = token
        .zip(given)
        .is_some_and(|(token, given)| signed(token.expose(), &url, &params, given));
    if !valid {
        tracing::warn!(%url, "refused a Twilio webhook without a valid X-Twilio-Signature");
        return Err(Refusal::forbidden("invalid X-Twilio-Signature"));
    }

    let sid = field("MessageSid")
        .ok_or_else(|| Refusal::bad_request("no MessageSid: not a message webhook"))?;
    if sid.is_empty() || sid.len() > MAX_SID_LEN || !sid.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(Refusal::bad_request(format!("{sid:?} is not a MessageSid")));
    }
    // Kept as received: the worker reads the number, and a number it cannot read is a dead
    // letter with why, never a message Twilio was told we refused.
    let from = field("From")
        .filter(|from| !from.trim().is_empty())
        .ok_or_else(|| Refusal::bad_request("no From"))?;
    let whatsapp = from
        .get(..9)
        .is_some_and(|p| p.eq_ignore_ascii_case("whatsapp:"));
    let to = field("To");
    let ours = to.and_then(|to| PhoneNumber::parse(to, None).ok());
    let account = receivers
        .routes
        .route(field("AccountSid"), ours.as_ref())
        .ok_or_else(Refusal::no_account)?;

    let channel = if whatsapp {
        Channel::WhatsApp
    } else {
        Channel::Sms
    };
    let mut entry = Entry::new(
        Provider::Twilio,
        account.clone(),
        sid,
        channel,
        from,
        field("Body").unwrap_or_default(),
    );
    entry.from = Some(from.to_owned());
    entry.to = to.map(str::to_owned);
    entry.provider_account = field("AccountSid").map(str::to_owned);
    metrics::received(account, "twilio");
    receivers
        .inbox
        .append(&entry)
        .await
        .map_err(|error| Refusal::unavailable(&error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Vec<(String, String)> {
        [("To", "+1"), ("From", "+2"), ("Body", "é & =")]
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .into()
    }

    #[test]
    fn the_signature_is_twilios() {
        // Twilio's documented example of its request validation.
        let params: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .into();
        assert_eq!(
            twilio_signature(
                "12345",
                "https://mycompany.com/myapp.php?foo=1&bar=2",
                &params
            ),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
    }

    #[test]
    fn a_signature_verifies_with_its_token_and_url_only() {
        let url = "https://hooks.example.com/twilio/messages";
        let signature = twilio_signature("token", url, &params());
        assert!(signed("token", url, &params(), &signature));
        assert!(!signed("other", url, &params(), &signature));
        assert!(!signed(
            "token",
            "https://other.example.com/twilio/messages",
            &params(),
            &signature
        ));
        let mut changed = params();
        changed[2].1.push('!');
        assert!(!signed("token", url, &changed, &signature));
        assert!(!signed("token", url, &params(), "not base64 !"));
        assert!(!signed("token", url, &params(), ""));
    }

    #[test]
    fn tokens_are_chosen_by_account_and_never_printed() {
        let twilio =
            Twilio::new("https://x.example/", "default-token").account("AC2", "second-token");
        assert_eq!(twilio.token(Some("AC2")).unwrap().expose(), "second-token");
        assert_eq!(twilio.token(Some("AC9")).unwrap().expose(), "default-token");
        assert_eq!(twilio.token(None).unwrap().expose(), "default-token");
        // Without a token for every account, only the accounts named are taken.
        let named = Twilio::accounts_only("https://x.example").account("AC2", "second-token");
        assert!(named.token(Some("AC2")).is_some());
        assert!(named.token(Some("AC9")).is_none() && named.token(None).is_none());
        assert_eq!(twilio.public_url, "https://x.example");
        let printed = format!("{twilio:?}");
        assert!(
            !printed.contains("default-token") && !printed.contains("second-token"),
            "{printed}"
        );
        assert!(printed.contains("AC2"));
    }
}
