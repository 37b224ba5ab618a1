//! Query strings, read leniently as HubSpot does.

use std::collections::BTreeMap;

use axum::http::Uri;

use crate::error::ApiError;

/// A query string's parameters; arrays given repeated (`a=1&a=2`) or comma-separated (`a=1,2`).
pub(crate) struct Query {
    params: BTreeMap<String, Vec<String>>,
}

impl Query {
    pub(crate) fn parse(uri: &Uri) -> Self {
        let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (key, value) in url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        {
            params
                .entry(key.into_owned())
                .or_default()
                .push(value.into_owned());
        }
        Self { params }
    }

    /// Every value of a list parameter, repeated or comma-separated, blanks dropped.
    pub(crate) fn list(&self, name: &str) -> Vec<String> {
        self.params
            .get(name)
            .into_iter()
            .flatten()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The first value of a parameter.
    pub(crate) fn one(&self, name: &str) -> Option<&str> {
        self.params
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    /// A `true`/`false` parameter in any case (HubSpot's Python SDK sends `False`), false
    /// when absent.
    pub(crate) fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.one(name) {
            None => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(other) => Err(ApiError::validation(format!(
                "{name} must be true or false, not {other}"
            ))),
        }
    }

    /// The page size: `default` when absent, else 1 to `max`.
    pub(crate) fn limit(&self, default: usize, max: usize) -> Result<usize, ApiError> {
        match self.one("limit") {
            None => Ok(default),
            Some(text) => match text.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(ApiError::validation(format!(
                    "limit must be between 1 and {max}, not {text}"
                ))),
            },
        }
    }
}
