//! The signed JSON endpoint, for providers other than Twilio: the rows `hubspot-comms import`
//! reads (see the crate's README, "Input"), as one object, an array of objects, or JSON Lines,
//! signed with `X-Relay-Signature: sha256=<hex of HMAC-SHA256(secret, body)>`.
//!
//! Every row is read before any is stored: one bad row refuses the request (`400`, each bad
//! row with its place and reason) and nothing is stored, so that a sender fixes and resends the
//! whole of it. Each row is stored under its key (its `id`, or the hash of what it says), so a
//! resent request stores nothing twice.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use hubspot_communications::{PhoneNumber, Secret};
use serde_json::{Map, Value, json};
use sha2::Sha256;

use super::receivers::{Refusal, Shared};
use crate::import::row::{self, Said};
use crate::input::{self, Format};
use crate::relay::accounts::AccountName;
use crate::relay::entry::{Entry, MAX_KEY_BYTES, Provider};
use crate::relay::inbox::Appended;
use crate::relay::metrics;

/// Where rows are posted.
pub const JSON_PATH: &str = "/messages";

/// The header that carries the body's signature: `sha256=<hex>`.
pub const SIGNATURE_HEADER: &str = "x-relay-signature";

/// The header that names the account the rows go to, when the routes should not choose.
const ACCOUNT_HEADER: &str = "x-relay-account";

/// The largest body taken.
pub const MAX_JSON_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The most rows one request may hold.
pub const MAX_JSON_ROWS: usize = 1_000;

/// The signature of a body for [`SIGNATURE_HEADER`]: `sha256=` and the hex of HMAC-SHA256 of
/// the body, keyed with the shared secret.
pub fn json_signature(secret: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(mac(secret, body).finalize().into_bytes())
    )
}

fn mac(secret: &str, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256>>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(body);
    mac
}

/// Whether `given` is the body's signature, compared in constant time.
fn signed(secret: &Secret, body: &[u8], given: &str) -> bool {
    let Some(hex_part) = given.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(given) = hex::decode(hex_part) else {
        return false;
    };
    mac(secret.expose(), body).verify_slice(&given).is_ok()
}

/// Where a row was in the request.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// The line of JSON Lines (or 1, of one object).
    Line(u64),
    /// The index in an array, from 0.
    Index(usize),
}

impl Place {
    fn describe(self) -> Value {
        match self {
            Self::Line(line) => json!({"line": line}),
            Self::Index(index) => json!({"index": index}),
        }
    }
}

pub(super) async fn receive(
    State(receivers): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match store(&receivers, &headers, body).await {
        Ok(answer) => answer,
        Err(refusal) => {
            metrics::refused("json", refusal.status.as_u16());
            (refusal.status, Json(json!({"error": refusal.reason}))).into_response()
        }
    }
}

async fn store(receivers: &Shared, headers: &HeaderMap, body: Bytes) -> Result<Response, Refusal> {
    let Some(secret) = &receivers.json_secret else {
        return Err(Refusal::new(StatusCode::NOT_FOUND, "no JSON receiver"));
    };
    let given = headers.get(SIGNATURE_HEADER).and_then(|s| s.to_str().ok());
    if !given.is_some_and(|given| signed(secret, &body, given)) {
        tracing::warn!("refused JSON rows without a valid X-Relay-Signature");
        return Err(Refusal::forbidden("invalid X-Relay-Signature"));
    }
    let named = match headers.get(ACCOUNT_HEADER) {
        None => None,
        Some(value) => {
            let name = value
                .to_str()
                .ok()
                .and_then(|name| AccountName::new(name).ok())
                .filter(|name| receivers.routes.names(name))
                .ok_or_else(Refusal::no_account)?;
            Some(name)
        }
    };

    let records = records(body)?;
    let mut rows = Vec::with_capacity(records.len());
    let mut bad = Vec::new();
    for (place, fields) in records {
        let said = fields.and_then(|fields| {
            let said = row::read(&fields, &receivers.defaults)?;
            if said.key.len() > MAX_KEY_BYTES {
                return Err(format!(
                    "the key is {} bytes long, over the {MAX_KEY_BYTES} the relay stores",
                    said.key.len()
                ));
            }
            Ok(said)
        });
        match said {
            Ok(said) => rows.push((place, said)),
            Err(reason) => {
                let mut described = place.describe();
                described["reason"] = Value::String(reason);
                bad.push(described);
            }
        }
    }
    if !bad.is_empty() {
        let answer = json!({
            "error": format!("{} of the {} rows cannot be logged; none was stored", bad.len(), bad.len() + rows.len()),
            "rows": bad,
        });
        return Ok((StatusCode::BAD_REQUEST, Json(answer)).into_response());
    }

    let mut entries = Vec::with_capacity(rows.len());
    for (_, said) in rows {
        let account = match &named {
            Some(account) => account.clone(),
            None => {
                let ours = said
                    .to
                    .as_deref()
                    .and_then(|to| PhoneNumber::parse(to, receivers.defaults.region).ok());
                receivers
                    .routes
                    .route(None, ours.as_ref())
                    .ok_or_else(Refusal::no_account)?
                    .clone()
            }
        };
        entries.push(entry(account, said));
    }
    // Counted once every row is known to go somewhere (a row no route takes refuses them all).
    for entry in &entries {
        metrics::received(&entry.account, "json");
    }
    let (mut stored, mut repeated) = (0, 0);
    for entry in &entries {
        match receivers.inbox.append(entry).await {
            Ok(Appended::Stored(_)) => stored += 1,
            Ok(_) => repeated += 1,
            Err(error) => return Err(Refusal::unavailable(&error)),
        }
    }
    let answer = json!({"stored": stored, "repeated": repeated});
    Ok((StatusCode::ACCEPTED, Json(answer)).into_response())
}

/// The body's rows, each with its place: one object, an array of objects, or JSON Lines.
#[allow(clippy::type_complexity)]
fn records(body: Bytes) -> Result<Vec<(Place, Result<Map<String, Value>, String>)>, Refusal> {
    let too_many = || {
        Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("more than {MAX_JSON_ROWS} rows in one request"),
        )
    };
    let start = body.iter().find(|b| !b.is_ascii_whitespace()).copied();
    match start {
        None => return Err(Refusal::bad_request("no rows")),
        Some(b'[') => {
            let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(&body) else {
                return Err(Refusal::bad_request("not a JSON array of rows"));
            };
            if items.len() > MAX_JSON_ROWS {
                return Err(too_many());
            }
            return Ok(items
                .into_iter()
                .enumerate()
                .map(|(index, item)| {
                    let fields = match item {
                        Value::Object(fields) => Ok(fields),
                        _ => Err("not a JSON object".to_owned()),
                    };
                    (Place::Index(index), fields)
                })
                .collect());
        }
        Some(b'{') => {
            // One object, perhaps written over several lines; otherwise JSON Lines.
            if let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&body) {
                return Ok(vec![(Place::Line(1), Ok(fields))]);
            }
        }
        Some(_) => {}
    }
    let mut rows = Vec::new();
    for record in input::records(std::io::Cursor::new(body), Format::Jsonl) {
        let record = record.map_err(|error| Refusal::bad_request(error.to_string()))?;
        if rows.len() == MAX_JSON_ROWS {
            return Err(too_many());
        }
        let fields = record.fields.map_err(|unreadable| unreadable.reason);
        rows.push((Place::Line(record.line), fields));
    }
    if rows.is_empty() {
        return Err(Refusal::bad_request("no rows"));
    }
    Ok(rows)
}

/// What the relay stores of a row.
fn entry(account: AccountName, said: Said) -> Entry {
    let mut entry = Entry::new(
        Provider::Json,
        account,
        said.key,
        said.channel,
        said.number_text,
        said.body,
    );
    entry.from = said.from;
    entry.to = said.to;
    entry.timestamp = Some(said.time);
    entry.owner = said.owner;
    entry
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_the_bodys_and_the_secrets() {
        let secret = Secret::new("shh");
        let signature = json_signature("shh", b"{}");
        assert!(signature.starts_with("sha256=") && signature.len() == 7 + 64);
        assert!(signed(&secret, b"{}", &signature));
        assert!(!signed(&secret, b"{} ", &signature));
        assert!(!signed(&Secret::new("other"), b"{}", &signature));
        assert!(!signed(&secret, b"{}", &signature["sha256=".len()..]));
        assert!(!signed(&secret, b"{}", "sha256=zz"));
    }

    #[test]
    fn bodies_are_one_row_an_array_or_json_lines() {
        let count = |body: &str| records(Bytes::from(body.to_owned())).map(|r| r.len());
        assert_eq!(count("{\n \"a\": 1\n}").ok(), Some(1));
        assert_eq!(count("[{\"a\":1},{\"a\":2}, 3]").ok(), Some(3));
        assert_eq!(count("{\"a\":1}\n{\"a\":2}\n\nnot json").ok(), Some(3));
        assert!(count("").is_err());
        assert!(count("  \n ").is_err());
        assert!(count("[1, ").is_err());
        let many = "{}\n".repeat(MAX_JSON_ROWS + 1);
        assert_eq!(
            records(Bytes::from(many)).unwrap_err().status,
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }
}
