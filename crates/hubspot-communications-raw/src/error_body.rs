//! Error answers whose body is not HubSpot's error JSON.
//!
//! Progenitor decodes a 4xx or 5xx body as [`HubSpotError`]; a body that is not one (a proxy's
//! HTML 502 page, an empty 429) fails to decode, and the decoding error carries no status: the
//! caller would lose the 429 that says "wait", or the 502 that says "maybe done". The `exec`
//! hook presents such a body as HubSpot's error JSON instead, with the text it held as the
//! message, so that the status and the headers (`Retry-After`) always reach the caller.

use crate::generated::types::HubSpotError;
use crate::limit::Head;

/// The most of a foreign error body kept as the message.
const MAX_MESSAGE_CHARS: usize = 1_000;

/// `response`, with an error body that is not HubSpot's error JSON replaced by one.
pub(crate) async fn as_hubspot_error(
    mut response: reqwest::Response,
) -> reqwest::Result<reqwest::Response> {
    if response.status().as_u16() < 400 {
        return Ok(response);
    }
    let mut head = Head::take(&mut response);
    // Capped like every answer: an error body over the limit fails here.
    let body = response.bytes().await?;
    let body = if serde_json::from_slice::<HubSpotError>(&body).is_ok() {
        body
    } else {
        head.headers_mut().remove(reqwest::header::CONTENT_LENGTH);
        head.headers_mut().insert(
            reqwest::header::CONTENT_TYPE,
            reqwest::header::HeaderValue::from_static("application/json"),
        );
        replacement(&body).into()
    };
    Ok(head.with_body(reqwest::Body::from(body)))
}

/// HubSpot's error JSON carrying a foreign body's text: none for an empty body.
fn replacement(body: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let error = if text.is_empty() {
        serde_json::json!({})
    } else {
        let message: String = text.chars().take(MAX_MESSAGE_CHARS).collect();
        serde_json::json!({ "message": message })
    };
    error.to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_foreign_body_becomes_hubspots_error_with_its_text() {
        let html = replacement(b"  <html>502 Bad Gateway</html>\n");
        let error: HubSpotError = serde_json::from_slice(&html).unwrap();
        assert_eq!(
            error.message.as_deref(),
            Some("<html>502 Bad Gateway</html>")
        );
        let empty: HubSpotError = serde_json::from_slice(&replacement(b"")).unwrap();
        assert_eq!(empty.message, None);
        let long: HubSpotError = serde_json::from_slice(&replacement(&[b'x'; 5_000])).unwrap();
        assert_eq!(long.message.unwrap().len(), MAX_MESSAGE_CHARS);
        let binary: HubSpotError = serde_json::from_slice(&replacement(&[0xff, 0xfe])).unwrap();
        assert!(binary.message.is_some());
    }
}
