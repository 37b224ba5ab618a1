//! HubSpot's request signatures: v3 (HMAC-SHA256 over method, URI, body and timestamp), and
//! v2 and v1 (SHA-256 of the secret and the request) for legacy apps.
//!
//! Every check works on bytes as received and answers a typed [`SignatureError`]; nothing a
//! request carries can panic it, and no error or `Debug` output shows the client secret.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::Secret;

/// `X-HubSpot-Signature-v3`: base64 of the HMAC-SHA256 of method + URI + body + timestamp.
pub const SIGNATURE_V3_HEADER: &str = "X-HubSpot-Signature-v3";
/// `X-HubSpot-Request-Timestamp`: when HubSpot sent the request, in Unix milliseconds.
pub const REQUEST_TIMESTAMP_HEADER: &str = "X-HubSpot-Request-Timestamp";
/// `X-HubSpot-Signature`: the v1 or v2 signature (hex SHA-256) of legacy apps.
pub const SIGNATURE_HEADER: &str = "X-HubSpot-Signature";
/// `X-HubSpot-Signature-Version`: `v1` or `v2`, the version of `X-HubSpot-Signature`.
pub const SIGNATURE_VERSION_HEADER: &str = "X-HubSpot-Signature-Version";

/// How old a v3 request may be: HubSpot says to refuse a timestamp older than 5 minutes.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(5 * 60);
/// How far ahead of the receiver's clock a v3 timestamp may be (clocks drift): 1 minute.
pub const DEFAULT_MAX_CLOCK_SKEW: Duration = Duration::from_secs(60);

/// The percent-encodings HubSpot decodes in the URI before it signs it (v3), with what they
/// decode to. Nothing else is decoded (`%20` stays `%20`).
const DECODED: [(u8, u8); 12] = [
    (0x3A, b':'),
    (0x2F, b'/'),
    (0x3F, b'?'),
    (0x40, b'@'),
    (0x21, b'!'),
    (0x24, b'$'),
    (0x27, b'\''),
    (0x28, b'('),
    (0x29, b')'),
    (0x2A, b'*'),
    (0x2C, b','),
    (0x3B, b';'),
];

/// A version of HubSpot's request signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureVersion {
    /// `X-HubSpot-Signature-Version: v1`: hex SHA-256 of client secret + body (legacy apps'
    /// CRM object event subscriptions).
    V1,
    /// `X-HubSpot-Signature-Version: v2`: hex SHA-256 of client secret + method + URI + body.
    V2,
    /// `X-HubSpot-Signature-v3`: base64 HMAC-SHA256 of method + URI + body + timestamp, keyed
    /// by the client secret.
    V3,
}

impl fmt::Display for SignatureVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::V1 => "v1",
            Self::V2 => "v2",
            Self::V3 => "v3",
        })
    }
}

/// Why a request's signature was refused. No variant carries the client secret or a header's
/// value (both are the caller's to log, or not).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The verifier was given an empty client secret: anyone could sign with it, so every
    /// request is refused.
    #[error("no client secret is configured: every request is refused")]
    MissingSecret,
    /// A header the check needs is absent: `X-HubSpot-Signature-v3` (no signature at all, or
    /// only a legacy one when legacy signatures are not accepted is
    /// [`SignatureError::LegacyNotAccepted`]), `X-HubSpot-Request-Timestamp` beside a v3
    /// signature, or `X-HubSpot-Signature` beside `X-HubSpot-Signature-Version`.
    #[error("the request has no {header} header")]
    MissingHeader {
        /// The header's name, as HubSpot writes it.
        header: &'static str,
    },
    /// A header is present but cannot be read (not digits, not base64, the wrong length…).
    #[error("the {header} header cannot be read: {problem}")]
    UnreadableHeader {
        /// The header's name, as HubSpot writes it.
        header: &'static str,
        /// What is wrong with it.
        problem: HeaderProblem,
    },
    /// The signature is right but the request is older than the verifier allows (a replay, or
    /// a request that queued too long).
    #[error("the request was signed {age:?} ago, more than the {max_age:?} allowed")]
    StaleTimestamp {
        /// How old the request is.
        age: Duration,
        /// The verifier's limit ([`Verifier::max_age`]).
        max_age: Duration,
    },
    /// The signature is right but the timestamp is further in the future than the verifier's
    /// clock skew allows.
    #[error(
        "the request is timestamped {ahead:?} in the future, more than the {max_skew:?} allowed"
    )]
    FutureTimestamp {
        /// How far ahead of the verifier's clock.
        ahead: Duration,
        /// The verifier's limit ([`Verifier::max_clock_skew`]).
        max_skew: Duration,
    },
    /// The signature does not match the request: another secret, a changed body, URI, method
    /// or timestamp, or a forgery.
    #[error("the {version} signature does not match the request")]
    Mismatch {
        /// The signature checked.
        version: SignatureVersion,
    },
    /// The request carries only a legacy (v1 or v2) signature and the verifier accepts v3
    /// alone ([`Verifier::accept_legacy`]).
    #[error("the request has only a {version} signature, and legacy signatures are not accepted")]
    LegacyNotAccepted {
        /// The legacy version the request names.
        version: SignatureVersion,
    },
}

/// What is wrong with a header that cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeaderProblem {
    /// Not a whole number of Unix milliseconds written in ASCII digits (a float such as
    /// `1.7e12`, a sign, spaces, an empty value, bytes that are not text).
    NotANumber,
    /// A number too large for Unix milliseconds (more than `u64` holds).
    TooLarge,
    /// Not base64.
    NotBase64,
    /// Not hexadecimal.
    NotHex,
    /// Decodes to the wrong number of bytes for a SHA-256 (32).
    WrongLength,
    /// A signature version that is neither `v1` nor `v2`.
    UnknownVersion,
}

impl fmt::Display for HeaderProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotANumber => "not a whole number of milliseconds",
            Self::TooLarge => "a number too large for a timestamp",
            Self::NotBase64 => "not base64",
            Self::NotHex => "not hexadecimal",
            Self::WrongLength => "not the length of a SHA-256",
            Self::UnknownVersion => "neither v1 nor v2",
        })
    }
}

/// The signature headers of one request, as received (raw bytes; any may be absent).
///
/// Made from an [`http::HeaderMap`] (axum's, hyper's, reqwest's: `(&headers).into()`) or,
/// for any other framework, from a lookup function ([`SignatureHeaders::from_fn`]).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct SignatureHeaders<'a> {
    signature_v3: Option<&'a [u8]>,
    request_timestamp: Option<&'a [u8]>,
    signature: Option<&'a [u8]>,
    signature_version: Option<&'a [u8]>,
}

impl<'a> SignatureHeaders<'a> {
    /// Reads the four headers through `lookup`, which is given each header's name as HubSpot
    /// writes it (`X-HubSpot-Signature-v3`, …) and must match names case-insensitively, as HTTP
    /// does. Where a header is repeated, give its first value.
    ///
    /// ```
    /// use hubspot_communications::webhooks::SignatureHeaders;
    ///
    /// let received = [("x-hubspot-signature-v3", "c2ln"), ("x-hubspot-request-timestamp", "1")];
    /// let headers = SignatureHeaders::from_fn(|name| {
    ///     received
    ///         .iter()
    ///         .find(|(n, _)| n.eq_ignore_ascii_case(name))
    ///         .map(|(_, value)| value.as_bytes())
    /// });
    /// # let _ = headers;
    /// ```
    pub fn from_fn(mut lookup: impl FnMut(&str) -> Option<&'a [u8]>) -> Self {
        Self {
            signature_v3: lookup(SIGNATURE_V3_HEADER),
            request_timestamp: lookup(REQUEST_TIMESTAMP_HEADER),
            signature: lookup(SIGNATURE_HEADER),
            signature_version: lookup(SIGNATURE_VERSION_HEADER),
        }
    }
}

impl<'a> From<&'a http::HeaderMap> for SignatureHeaders<'a> {
    fn from(headers: &'a http::HeaderMap) -> Self {
        Self::from_fn(|name| headers.get(name).map(http::HeaderValue::as_bytes))
    }
}

impl fmt::Debug for SignatureHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn shown(value: Option<&[u8]>) -> Option<Cow<'_, str>> {
            value.map(String::from_utf8_lossy)
        }
        f.debug_struct("SignatureHeaders")
            .field("signature_v3", &shown(self.signature_v3))
            .field("request_timestamp", &shown(self.request_timestamp))
            .field("signature", &shown(self.signature))
            .field("signature_version", &shown(self.signature_version))
            .finish()
    }
}

/// The clock a verifier reads (the system's, unless a test gives another).
type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Verifies that a request came from HubSpot, signed with an app's client secret.
///
/// [`Verifier::verify`] takes what any framework gives: the method, the full URL HubSpot
/// called, the headers and the raw body bytes (before any JSON parsing: a re-serialized body
/// does not match). By default only v3 is accepted:
///
/// 1. `X-HubSpot-Signature-v3` and `X-HubSpot-Request-Timestamp` must be present;
/// 2. the timestamp must be ASCII digits (Unix milliseconds: not seconds, not a float);
/// 3. the signature must be the base64 HMAC-SHA256, keyed by the client secret, of
///    method + URI + body + timestamp, where the URI is the full URL (scheme, host, path,
///    query) with the percent-encodings HubSpot decodes decoded (`%3A` `%2F` `%3F` `%40` `%21`
///    `%24` `%27` `%28` `%29` `%2A` `%2C` `%3B`, either case; nothing else), compared in
///    constant time;
/// 4. the timestamp must be at most [`max_age`](Verifier::max_age) old (5 minutes) and at
///    most [`max_clock_skew`](Verifier::max_clock_skew) ahead (1 minute).
///
/// The signature is checked before the time, so a [`SignatureError::StaleTimestamp`] or
/// [`SignatureError::FutureTimestamp`] means the request was really HubSpot's; a forgery is
/// always a [`SignatureError::Mismatch`].
///
/// Legacy apps ([`accept_legacy`](Verifier::accept_legacy)) are also checked on v2 (hex
/// SHA-256 of secret + method + URI + body, the URI exactly as called) and v1 (hex SHA-256 of
/// secret + body) when no v3 signature is present. Those carry no timestamp, so a captured
/// request can be replayed forever (with its v3 headers stripped): accept them only if you
/// must. A request with a v3 signature is judged on it alone.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use hubspot_communications::webhooks::{SignatureError, Verifier};
///
/// let verifier = Verifier::new("yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy")
///     .max_age(Duration::from_secs(300));
/// let mut headers = http::HeaderMap::new();
/// headers.insert("x-hubspot-signature-v3", "not-it".parse().unwrap());
/// headers.insert("x-hubspot-request-timestamp", "1767225600000".parse().unwrap());
/// let refused = verifier.verify("POST", "https://example.com/hubspot/webhooks", &headers, b"[]");
/// assert!(matches!(refused, Err(SignatureError::UnreadableHeader { .. })));
/// assert!(!format!("{verifier:?}").contains("yyyy"));
/// ```
#[derive(Clone)]
pub struct Verifier {
    secret: Secret,
    max_age: Duration,
    max_clock_skew: Duration,
    legacy: bool,
    clock: Clock,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secret", &self.secret)
            .field("max_age", &self.max_age)
            .field("max_clock_skew", &self.max_clock_skew)
            .field("legacy", &self.legacy)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier of requests signed with an app's client secret (v3 only, 5 minutes old at
    /// most, 1 minute ahead at most, the system clock).
    pub fn new(client_secret: impl Into<Secret>) -> Self {
        Self {
            secret: client_secret.into(),
            max_age: DEFAULT_MAX_AGE,
            max_clock_skew: DEFAULT_MAX_CLOCK_SKEW,
            legacy: false,
            clock: Arc::new(SystemTime::now),
        }
    }

    /// How old a v3 request may be ([`DEFAULT_MAX_AGE`], HubSpot's 5 minutes, by default).
    #[must_use]
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// How far ahead of this verifier's clock a v3 timestamp may be
    /// ([`DEFAULT_MAX_CLOCK_SKEW`] by default).
    #[must_use]
    pub fn max_clock_skew(mut self, skew: Duration) -> Self {
        self.max_clock_skew = skew;
        self
    }

    /// Also accepts v1 and v2 signatures, on requests that carry no v3 signature (off by
    /// default: they have no timestamp, so they can be replayed).
    #[must_use]
    pub fn accept_legacy(mut self, accept: bool) -> Self {
        self.legacy = accept;
        self
    }

    /// The clock the timestamp is compared with (the system's by default): for tests.
    #[must_use]
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Checks a request: `method` as received (`POST`), `uri` the full URL HubSpot called
    /// (`https://hooks.example.com/hubspot/webhooks?x=1`: behind a proxy, the public URL, not
    /// the one the proxy forwarded to), its headers, and its raw body. Answers the version that
    /// verified it.
    pub fn verify<'h>(
        &self,
        method: &str,
        uri: &str,
        headers: impl Into<SignatureHeaders<'h>>,
        body: &[u8],
    ) -> Result<SignatureVersion, SignatureError> {
        let secret = self.secret.expose().as_bytes();
        if secret.is_empty() {
            return Err(SignatureError::MissingSecret);
        }
        let headers = headers.into();
        if let Some(signature) = headers.signature_v3 {
            self.verify_v3(
                secret,
                method,
                uri,
                signature,
                headers.request_timestamp,
                body,
            )?;
            return Ok(SignatureVersion::V3);
        }
        let Some(version) = headers.signature_version else {
            return Err(SignatureError::MissingHeader {
                header: SIGNATURE_V3_HEADER,
            });
        };
        let version = legacy_version(version)?;
        if !self.legacy {
            return Err(SignatureError::LegacyNotAccepted { version });
        }
        let given = headers.signature.ok_or(SignatureError::MissingHeader {
            header: SIGNATURE_HEADER,
        })?;
        let given = decode_hex(given)?;
        let mut digest = Sha256::new();
        digest.update(secret);
        if version == SignatureVersion::V2 {
            digest.update(method.as_bytes());
            digest.update(uri.as_bytes());
        }
        digest.update(body);
        let expected: [u8; 32] = digest.finalize().into();
        if bool::from(expected.ct_eq(&given)) {
            Ok(version)
        } else {
            Err(SignatureError::Mismatch { version })
        }
    }

    fn verify_v3(
        &self,
        secret: &[u8],
        method: &str,
        uri: &str,
        signature: &[u8],
        timestamp: Option<&[u8]>,
        body: &[u8],
    ) -> Result<(), SignatureError> {
        let timestamp = timestamp.ok_or(SignatureError::MissingHeader {
            header: REQUEST_TIMESTAMP_HEADER,
        })?;
        let sent_at = parse_timestamp(timestamp)?;
        let unreadable = |problem| SignatureError::UnreadableHeader {
            header: SIGNATURE_V3_HEADER,
            problem,
        };
        let given = STANDARD
            .decode(signature)
            .map_err(|_| unreadable(HeaderProblem::NotBase64))?;
        if given.len() != 32 {
            return Err(unreadable(HeaderProblem::WrongLength));
        }
        let mut mac = <Hmac<Sha256>>::new_from_slice(secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(method.as_bytes());
        mac.update(&decode_uri(uri));
        mac.update(body);
        mac.update(timestamp);
        // Constant time (`hmac` compares through `subtle`).
        mac.verify_slice(&given)
            .map_err(|_| SignatureError::Mismatch {
                version: SignatureVersion::V3,
            })?;
        self.check_time(sent_at)
    }

    /// Refuses a timestamp (Unix ms) too old or too far ahead of the clock.
    fn check_time(&self, sent_at: u64) -> Result<(), SignatureError> {
        let now = (self.clock)()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| {
                u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
            });
        if sent_at > now {
            let ahead = Duration::from_millis(sent_at - now);
            if ahead > self.max_clock_skew {
                return Err(SignatureError::FutureTimestamp {
                    ahead,
                    max_skew: self.max_clock_skew,
                });
            }
        } else {
            let age = Duration::from_millis(now - sent_at);
            if age > self.max_age {
                return Err(SignatureError::StaleTimestamp {
                    age,
                    max_age: self.max_age,
                });
            }
        }
        Ok(())
    }
}

/// `X-HubSpot-Request-Timestamp`: ASCII digits only, within `u64`.
fn parse_timestamp(value: &[u8]) -> Result<u64, SignatureError> {
    let unreadable = |problem| SignatureError::UnreadableHeader {
        header: REQUEST_TIMESTAMP_HEADER,
        problem,
    };
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return Err(unreadable(HeaderProblem::NotANumber));
    }
    value.iter().try_fold(0u64, |total, digit| {
        total
            .checked_mul(10)
            .and_then(|total| total.checked_add(u64::from(digit - b'0')))
            .ok_or(unreadable(HeaderProblem::TooLarge))
    })
}

/// `X-HubSpot-Signature-Version`: `v1` or `v2` (any case).
fn legacy_version(value: &[u8]) -> Result<SignatureVersion, SignatureError> {
    if value.eq_ignore_ascii_case(b"v1") {
        Ok(SignatureVersion::V1)
    } else if value.eq_ignore_ascii_case(b"v2") {
        Ok(SignatureVersion::V2)
    } else {
        Err(SignatureError::UnreadableHeader {
            header: SIGNATURE_VERSION_HEADER,
            problem: HeaderProblem::UnknownVersion,
        })
    }
}

/// A hex SHA-256 (64 digits, either case).
fn decode_hex(value: &[u8]) -> Result<[u8; 32], SignatureError> {
    let unreadable = |problem| SignatureError::UnreadableHeader {
        header: SIGNATURE_HEADER,
        problem,
    };
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    if !value.iter().all(|c| digit(*c).is_some()) {
        return Err(unreadable(HeaderProblem::NotHex));
    }
    if value.len() != 64 {
        return Err(unreadable(HeaderProblem::WrongLength));
    }
    let mut bytes = [0u8; 32];
    for (byte, pair) in bytes.iter_mut().zip(value.chunks_exact(2)) {
        if let (Some(high), Some(low)) = (digit(pair[0]), digit(pair[1])) {
            *byte = high << 4 | low;
        }
    }
    Ok(bytes)
}

/// The URI as HubSpot signs it (v3): the percent-encodings of HubSpot's list decoded (either
/// hex case), in one pass (`%253A` stays `%253A`), everything else as it is.
pub(crate) fn decode_uri(uri: &str) -> Cow<'_, [u8]> {
    let bytes = uri.as_bytes();
    if !bytes.contains(&b'%') {
        return Cow::Borrowed(bytes);
    }
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some((Some(high), Some(low))) = bytes
                .get(i + 1..i + 3)
                .map(|pair| (hex(pair[0]), hex(pair[1])))
            && let Some((_, plain)) = DECODED.iter().find(|(code, _)| *code == high << 4 | low)
        {
            decoded.push(*plain);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    Cow::Owned(decoded)
}

#[cfg(test)]
mod tests;
