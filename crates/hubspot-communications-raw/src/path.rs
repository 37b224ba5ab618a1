//! Path parameters stay one path segment each.
//!
//! Two defences, because either alone leaves a hole:
//!
//! - [`encode_segment`] encodes each parameter (the generator calls it in place of
//!   progenitor_client's `encode_path`, which leaves `\` as it is: the WHATWG URL parser
//!   reqwest uses reads `\` as `/` in http(s) URLs).
//! - [`check`] runs in the request hook on the URL about to be sent. `.` and `..` (and their
//!   percent-encoded forms, which the parser treats alike) cannot be encoded into a segment: the
//!   parser removes them as dot segments before any hook sees the request. So the hook compares
//!   the URL's path with the operation's template and refuses anything else.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Every byte but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`): no `/`, `\`, `?`,
/// `#`, `%`, space or non-ASCII byte can split a segment or end the path.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes a path parameter so that it is one path segment (unless it is `.`, `..` or
/// empty, which [`check`] refuses).
pub(crate) fn encode_segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// Checks that `url` is exactly `base_url` followed by `template` (the operation's path with
/// `{name}` segments for its parameters), as the generated code builds it: same origin, same
/// number of segments, every literal segment equal, every parameter segment non-empty and not
/// a dot segment, no fragment. Returns what is wrong otherwise.
pub(crate) fn check(base_url: &str, template: &str, url: &reqwest::Url) -> Result<(), String> {
    if matches_as_built(base_url, template, url) {
        return Ok(());
    }
    check_parsed(base_url, template, url)
}

/// The check of every request, without parsing a URL: the request URL is the base URL as
/// written, then exactly the template's shape. (Two URL parses per request cost more than
/// the rest of the request path; a URL this does not accept, such as one whose base URL the
/// parser normalised, goes to the full check.)
fn matches_as_built(base_url: &str, template: &str, url: &reqwest::Url) -> bool {
    if url.fragment().is_some() {
        return false;
    }
    let Some(rest) = url.as_str().strip_prefix(base_url) else {
        return false;
    };
    let path = rest.split('?').next().unwrap_or_default();
    let (mut actual, mut wanted) = (path.split('/'), template.split('/'));
    loop {
        match (actual.next(), wanted.next()) {
            (None, None) => return true,
            (Some(actual), Some(wanted)) => {
                let fine = if wanted.starts_with('{') && wanted.ends_with('}') {
                    !actual.is_empty() && !is_dot_segment(actual)
                } else {
                    actual == wanted
                };
                if !fine {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// The full check: origin, the base URL's own path, and the template's shape, on parsed URLs.
fn check_parsed(base_url: &str, template: &str, url: &reqwest::Url) -> Result<(), String> {
    // The URL the generated code would build from well-behaved parameters; its braces are
    // percent-encoded by the parser, which changes nothing below.
    let expected = reqwest::Url::parse(&format!("{base_url}{template}"))
        .map_err(|e| format!("the base URL `{base_url}` cannot carry {template}: {e}"))?;
    // The base URL's own path (a family's base, `/crm/objects/2026-09`, maybe behind a
    // proxy's stem) before the template, as the message shows the whole path.
    let stem = reqwest::Url::parse(base_url)
        .map(|base| base.path().trim_end_matches('/').to_owned())
        .unwrap_or_default();
    let mismatch = || {
        format!(
            "a path parameter does not stay one path segment (`.`, `..`, their percent-encoded \
             forms and empty values cannot be sent: URL parsing removes or empties the segment); \
             the path must be {stem}{template}, the request's is {}",
            url.path()
        )
    };
    let same_origin = url.scheme() == expected.scheme()
        && url.host_str() == expected.host_str()
        && url.port() == expected.port();
    if !same_origin || url.fragment().is_some() {
        return Err(mismatch());
    }
    let actual: Vec<&str> = url.path().split('/').collect();
    let wanted: Vec<&str> = expected.path().split('/').collect();
    let template: Vec<&str> = template.split('/').collect();
    if actual.len() != wanted.len() || wanted.len() < template.len() {
        return Err(mismatch());
    }
    // The template is the end of the path; what comes before is the base URL's own path.
    let start = wanted.len() - template.len();
    for (i, (actual, wanted)) in actual.iter().zip(&wanted).enumerate() {
        let parameter = i
            .checked_sub(start)
            .and_then(|j| template.get(j))
            .is_some_and(|segment| segment.starts_with('{') && segment.ends_with('}'));
        let fine = if parameter {
            !actual.is_empty() && !is_dot_segment(actual)
        } else {
            actual == wanted
        };
        if !fine {
            return Err(mismatch());
        }
    }
    Ok(())
}

/// `.` or `..`, literally or percent-encoded (`%2e`, `.%2E`, …), as the WHATWG URL standard
/// defines single- and double-dot segments.
fn is_dot_segment(segment: &str) -> bool {
    [".", "%2e", "..", ".%2e", "%2e.", "%2e%2e"]
        .iter()
        .any(|dots| segment.eq_ignore_ascii_case(dots))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> reqwest::Url {
        reqwest::Url::parse(s).unwrap()
    }

    #[test]
    fn only_unreserved_characters_pass_unencoded() {
        assert_eq!(encode_segment("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(encode_segment(r"..\contacts\1"), "..%5Ccontacts%5C1");
        assert_eq!(encode_segment("a/b?c#d%2e e"), "a%2Fb%3Fc%23d%252e%20e");
        assert_eq!(encode_segment("é"), "%C3%A9");
    }

    #[test]
    fn dot_segments_in_any_spelling() {
        for dots in [".", "..", "%2e", "%2E", ".%2e", "%2E.", "%2e%2E"] {
            assert!(is_dot_segment(dots), "{dots}");
        }
        for other in ["...", "a.", "%2e%2e%2e", "%252e", ""] {
            assert!(!is_dot_segment(other), "{other}");
        }
    }

    const ONE: &str = "/crm/v3/objects/communications/{communicationId}";

    #[test]
    fn the_template_shape_passes() {
        let base = "http://127.0.0.1:9";
        check(
            base,
            ONE,
            &url("http://127.0.0.1:9/crm/v3/objects/communications/1?a=b"),
        )
        .unwrap();
        check(
            "http://h/api",
            ONE,
            &url("http://h/api/crm/v3/objects/communications/x%2Fy"),
        )
        .unwrap();
        check(
            "http://h",
            "/crm/v3/objects/communications",
            &url("http://h/crm/v3/objects/communications"),
        )
        .unwrap();
    }

    #[test]
    fn anything_else_is_refused() {
        let base = "http://h";
        for bad in [
            "http://h/crm/v3/objects/",
            "http://h/crm/v3/objects/communications/",
            "http://h/crm/v3/objects/contacts/10002",
            "http://h/crm/v3/objects/communications/1/2",
            "http://h/crm/v3/objects/communications/%2e",
            "http://h/crm/v3/objects/communications/1#f",
            "http://other/crm/v3/objects/communications/1",
            "http://h/api/crm/v3/objects/communications/1",
        ] {
            let error = check(base, ONE, &url(bad)).unwrap_err();
            assert!(error.contains(ONE), "{error}");
        }
    }

    #[test]
    fn the_common_url_is_accepted_without_parsing_and_odd_ones_go_to_the_full_check() {
        let base = "http://127.0.0.1:8080/crm/objects/2026-09";
        let template = "/{objectType}/{objectId}";
        let sent = url("http://127.0.0.1:8080/crm/objects/2026-09/communications/12?a=b");
        assert!(matches_as_built(base, template, &sent));
        assert!(check(base, template, &sent).is_ok());
        // A base URL the parser normalises (host case, default port) is not the request's
        // prefix as written: the full check accepts it.
        let written = "HTTP://LOCALHOST:80/crm/objects/2026-09";
        let sent = url("http://localhost/crm/objects/2026-09/communications/12");
        assert!(!matches_as_built(written, template, &sent));
        assert!(check(written, template, &sent).is_ok());
        // Neither accepts a segment too few, an empty or a dot parameter, another stem.
        for bad in [
            "http://127.0.0.1:8080/crm/objects/2026-09/communications",
            "http://127.0.0.1:8080/crm/objects/2026-09/communications/",
            "http://127.0.0.1:8080/crm/objects/2026-09/communications/%2E",
            "http://127.0.0.1:8080/crm/objects/2026-09x/communications/1",
            "http://127.0.0.1:8080/crm/objects/2026-09/communications/1#f",
        ] {
            assert!(!matches_as_built(base, template, &url(bad)), "{bad}");
            assert!(check(base, template, &url(bad)).is_err(), "{bad}");
        }
    }
}
