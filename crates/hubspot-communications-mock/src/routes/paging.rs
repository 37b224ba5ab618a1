//! The `after` cursor of paged answers, read the same way on every route that takes one, and
//! offset pages whose arithmetic cannot overflow whatever cursor a client sends.

use serde_json::Value;

use super::query::Query;
use crate::error::ApiError;

/// Reads a cursor: a non-negative integer; anything else is HubSpot's 400.
pub(crate) fn after(text: &str) -> Result<u64, ApiError> {
    text.parse()
        .map_err(|_| ApiError::validation(format!("Invalid after cursor {text}")))
}

/// The `after` of a query string; 0 when absent.
pub(crate) fn after_in_query(query: &Query) -> Result<u64, ApiError> {
    query.one("after").map_or(Ok(0), after)
}

/// The `after` of a JSON body: a numeric string or a non-negative integer; 0 when absent or
/// `null`.
pub(crate) fn after_in_body(value: Option<&Value>) -> Result<u64, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(0),
        Some(Value::String(text)) => after(text),
        Some(other) => other
            .as_u64()
            .ok_or_else(|| ApiError::validation(format!("Invalid after cursor {other}"))),
    }
}

/// One page of an offset-paged listing: which items it holds and the next cursor.
pub(crate) struct Offset {
    /// Items to skip before the page.
    pub(crate) skip: usize,
    /// Where the page ends (`after + limit`, saturated rather than wrapped).
    pub(crate) end: u64,
}

impl Offset {
    pub(crate) fn new(after: u64, limit: usize) -> Self {
        let limit = u64::try_from(limit).unwrap_or(u64::MAX);
        Self {
            // Past what memory can hold, every item is skipped.
            skip: usize::try_from(after).unwrap_or(usize::MAX),
            end: after.saturating_add(limit),
        }
    }

    /// HubSpot's `paging` when items remain past this page of `total`.
    pub(crate) fn paging(&self, total: usize) -> Option<Value> {
        let total = u64::try_from(total).unwrap_or(u64::MAX);
        (self.end < total).then(|| {
            serde_json::json!({"next": {"after": self.end.to_string(), "link": format!("?after={}", self.end)}})
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_near_the_top_saturate() {
        let page = Offset::new(u64::MAX - 1, 500);
        assert_eq!(page.end, u64::MAX);
        assert!(page.paging(10).is_none());
    }

    #[test]
    fn a_cursor_is_a_non_negative_integer() {
        assert_eq!(after("42").ok(), Some(42));
        for garbage in ["", "-1", "abc", "1.5", "18446744073709551616"] {
            assert!(after(garbage).is_err(), "{garbage}");
        }
        assert!(after_in_body(Some(&serde_json::json!(-1))).is_err());
        assert!(after_in_body(Some(&serde_json::json!(true))).is_err());
        assert_eq!(after_in_body(Some(&Value::Null)).ok(), Some(0));
    }
}
