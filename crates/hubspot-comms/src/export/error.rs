//! Why an export could not run, or stopped.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

/// An export that could not run, or stopped before its end. What was written until then is in
/// `FILE.partial` and the state file: running the same command again goes on from there.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The file's extension names no format.
    #[error("cannot tell the format of {0}: name it with --format jsonl or --format csv")]
    UnknownFormat(PathBuf),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
    /// A line of the `--numbers` file is not a phone number.
    #[error("{}, line {line}: {reason}", path.display())]
    BadNumber {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: u64,
        /// Why.
        reason: String,
    },
    /// A `--contact` that names no record.
    #[error("{0:?} is not a contact id")]
    BadContact(String),
    /// `--since` is not before `--until`.
    #[error("--since must be before --until")]
    EmptyPeriod,
    /// The state file belongs to another export.
    #[error(
        "{} holds the progress of another export (other filters, format or key property): \
         remove it, name another with --state, or start from the top with --restart",
        path.display()
    )]
    StateMismatch {
        /// The state file.
        path: PathBuf,
    },
    /// HubSpot answered in a way no further request will change (authentication, permission,
    /// the daily limit, a request retried to its limit).
    #[error("{what} failed: {error}")]
    HubSpot {
        /// What the export was doing.
        what: &'static str,
        /// HubSpot's answer, or the transport's.
        error: Arc<hubspot_communications::Error>,
    },
    /// A task of the export panicked or was cancelled.
    #[error("the export stopped unexpectedly: {0}")]
    Internal(String),
}

impl ExportError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }

    pub(crate) fn hubspot(
        what: &'static str,
    ) -> impl FnOnce(hubspot_communications::Error) -> Self {
        move |error| Self::hubspot_shared(what)(Arc::new(error))
    }

    /// [`ExportError::hubspot`] of an error a batch outcome shares among its inputs.
    pub(crate) fn hubspot_shared(
        what: &'static str,
    ) -> impl FnOnce(Arc<hubspot_communications::Error>) -> Self {
        move |error| Self::HubSpot { what, error }
    }
}
