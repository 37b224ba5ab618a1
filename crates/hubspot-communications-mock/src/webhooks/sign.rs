//! HubSpot's request signatures, as the fake makes them (on its own: the fake does not depend
//! on the client, whose verifier its deliveries are tested against).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::LegacySignature;

/// The percent-encodings HubSpot decodes in the URI it signs (v3).
const DECODED: [(&str, char); 12] = [
    ("%3A", ':'),
    ("%2F", '/'),
    ("%3F", '?'),
    ("%40", '@'),
    ("%21", '!'),
    ("%24", '$'),
    ("%27", '\''),
    ("%28", '('),
    ("%29", ')'),
    ("%2A", '*'),
    ("%2C", ','),
    ("%3B", ';'),
];

/// `X-HubSpot-Signature-v3`: base64 of the HMAC-SHA256, keyed by the client secret, of
/// method + URI (HubSpot's encodings decoded) + body + timestamp.
pub(crate) fn v3(secret: &str, method: &str, uri: &str, body: &[u8], timestamp: &str) -> String {
    let mut mac = <Hmac<Sha256>>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(method.as_bytes());
    mac.update(signed_uri(uri).as_bytes());
    mac.update(body);
    mac.update(timestamp.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// `X-HubSpot-Signature` of a legacy version: hex SHA-256 of secret + body (v1), or of
/// secret + method + URI + body (v2).
pub(crate) fn legacy(
    version: LegacySignature,
    secret: &str,
    method: &str,
    uri: &str,
    body: &[u8],
) -> String {
    let mut digest = Sha256::new();
    digest.update(secret.as_bytes());
    if version == LegacySignature::V2 {
        digest.update(method.as_bytes());
        digest.update(uri.as_bytes());
    }
    digest.update(body);
    digest
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The URI as HubSpot signs it: each encoding of its list decoded (either case), in one pass.
fn signed_uri(uri: &str) -> String {
    let mut signed = String::with_capacity(uri.len());
    let mut rest = uri;
    while let Some(at) = rest.find('%') {
        signed.push_str(&rest[..at]);
        let code = rest.get(at..at + 3);
        match code.and_then(|code| DECODED.iter().find(|(c, _)| c.eq_ignore_ascii_case(code))) {
            Some((_, plain)) => {
                signed.push(*plain);
                rest = &rest[at + 3..];
            }
            None => {
                signed.push('%');
                rest = &rest[at + 1..];
            }
        }
    }
    signed.push_str(rest);
    signed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hubspots_documented_examples() {
        // HubSpot's v2 example (GET, no body) and v1 example.
        assert_eq!(
            legacy(
                LegacySignature::V2,
                "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy",
                "GET",
                "https://www.example.com/webhook_uri",
                b""
            ),
            "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e"
        );
        let body = r#"[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]"#;
        assert_eq!(
            legacy(
                LegacySignature::V1,
                "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy",
                "POST",
                "ignored",
                body.as_bytes()
            ),
            "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de"
        );
    }

    #[test]
    fn v3_matches_a_vector_computed_with_python() {
        // python3 -c 'import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b"demo-client-secret-0123",b"POST"+b"https://hooks.example.com/hubspot/webhooks?account=a:b&path=/x@y!$'"'"'()*,;?&name=a%20b"+b""+b"1767225600000",hashlib.sha256).digest()).decode())'
        let uri = "https://hooks.example.com/hubspot/webhooks?account=a%3Ab&path=%2Fx%40y%21%24%27%28%29%2a%2C%3B%3F&name=a%20b";
        assert_eq!(
            v3("demo-client-secret-0123", "POST", uri, b"", "1767225600000"),
            "gZ+ccxvLReXPYp/YoExj416159I1Of6fglPzpqUGilY="
        );
        assert_eq!(signed_uri("a%253A%"), "a%253A%");
    }
}
