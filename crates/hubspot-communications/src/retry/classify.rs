//! One rule for every failed call: is it tried again, and may HubSpot have acted on it?
//!
//! The request path asks it whether to retry; [`Error::is_retryable`](crate::Error::is_retryable)
//! and [`Error::is_fate_unknown`](crate::Error::is_fate_unknown) ask it too, so what the client
//! does and what it says always agree.
//!
//! The rule is the table in [`RetryPolicy`](crate::RetryPolicy)'s docs; `classify` is that table,
//! and its test walks it row by row.

use crate::operation::Effect;

/// A failed attempt, as far as retrying and fate are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// 429: `daily` when HubSpot's policy is `DAILY`.
    RateLimited { daily: bool },
    /// 503.
    Unavailable,
    /// Any other 5xx.
    ServerError,
    /// Any other 4xx: HubSpot refused the request.
    Refused,
    /// A status the operation does not document.
    UnexpectedStatus,
    /// The answer's body could not be read or decoded.
    Unreadable,
    /// The answer's body is over the size limit.
    TooLarge,
    /// The answer contradicts itself.
    Inconsistent,
    /// The connection was never made.
    NotConnected,
    /// Timed out, or the connection was lost after the request was sent.
    Lost,
    /// The call's deadline passed while a request was out.
    DeadlineInFlight,
    /// Nothing was sent.
    NotSent,
}

/// What to do with a failure, and what it means for the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// The request path tries again (as its policy allows).
    pub(crate) retry: bool,
    /// HubSpot may have acted on the request although no answer says so.
    pub(crate) fate_unknown: bool,
}

/// The table of [`RetryPolicy`](crate::RetryPolicy), in code.
pub(crate) fn classify(effect: Effect, failure: Failure) -> Verdict {
    use Failure::*;
    let (retry, may_have_acted) = match failure {
        RateLimited { daily } => (!daily, false),
        Unavailable | NotConnected => (true, false),
        Refused | NotSent => (false, false),
        ServerError | Unreadable | Lost => (effect != Effect::Create, true),
        UnexpectedStatus | TooLarge | Inconsistent | DeadlineInFlight => (false, true),
    };
    Verdict {
        retry,
        fate_unknown: may_have_acted && effect != Effect::Read,
    }
}

/// The failure an HTTP error status stands for.
pub(crate) fn status_failure(status: u16, daily: bool) -> Failure {
    match status {
        429 => Failure::RateLimited { daily },
        503 => Failure::Unavailable,
        500..=599 => Failure::ServerError,
        400..=499 => Failure::Refused,
        _ => Failure::UnexpectedStatus,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Effect::*;
    use Failure::*;

    /// RetryPolicy's table, row by row: (retry, unknown) for read, idempotent write, create.
    #[test]
    fn the_table() {
        type Row = [(bool, bool); 3];
        const RETRY: (bool, bool) = (true, false);
        const FINAL: (bool, bool) = (false, false);
        const RETRY_UNKNOWN: (bool, bool) = (true, true);
        const FINAL_UNKNOWN: (bool, bool) = (false, true);
        let rows: [(Failure, Row); 13] = [
            (RateLimited { daily: false }, [RETRY, RETRY, RETRY]),
            (RateLimited { daily: true }, [FINAL, FINAL, FINAL]),
            (Refused, [FINAL, FINAL, FINAL]),
            (Unavailable, [RETRY, RETRY, RETRY]),
            (ServerError, [RETRY, RETRY_UNKNOWN, FINAL_UNKNOWN]),
            (UnexpectedStatus, [FINAL, FINAL_UNKNOWN, FINAL_UNKNOWN]),
            (Unreadable, [RETRY, RETRY_UNKNOWN, FINAL_UNKNOWN]),
            (TooLarge, [FINAL, FINAL_UNKNOWN, FINAL_UNKNOWN]),
            (Inconsistent, [FINAL, FINAL_UNKNOWN, FINAL_UNKNOWN]),
            (NotConnected, [RETRY, RETRY, RETRY]),
            (Lost, [RETRY, RETRY_UNKNOWN, FINAL_UNKNOWN]),
            (DeadlineInFlight, [FINAL, FINAL_UNKNOWN, FINAL_UNKNOWN]),
            (NotSent, [FINAL, FINAL, FINAL]),
        ];
        for (failure, row) in rows {
            for (effect, (retry, fate_unknown)) in
                [Read, IdempotentWrite, Create].into_iter().zip(row)
            {
                assert_eq!(
                    classify(effect, failure),
                    Verdict {
                        retry,
                        fate_unknown
                    },
                    "{failure:?} on a {effect:?}"
                );
            }
        }
    }

    #[test]
    fn statuses() {
        assert_eq!(status_failure(429, false), RateLimited { daily: false });
        assert_eq!(status_failure(429, true), RateLimited { daily: true });
        assert_eq!(status_failure(503, false), Unavailable);
        for status in [500, 502, 504, 599] {
            assert_eq!(status_failure(status, false), ServerError);
        }
        for status in [400, 401, 404, 409, 413] {
            assert_eq!(status_failure(status, false), Refused);
        }
        for status in [100, 200, 201, 204, 207, 302, 307] {
            assert_eq!(status_failure(status, false), UnexpectedStatus);
        }
    }
}
