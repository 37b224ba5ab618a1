//! Why an import could not run, or stopped.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

/// An import that could not run, or stopped before the end of its file. What was settled
/// before is in the report and the state file: running the same command again resumes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
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
    /// The account's communications have no property of that name, which exactly-once
    /// logging keys messages by.
    #[error(
        "HubSpot has no communication property {name:?} to key messages by. Create it once with \
         `hubspot-comms setup{}` (a unique single-line text property; the token needs the \
         crm.schemas.contacts.write scope, under which HubSpot puts communications), or name \
         another with --key-property",
        setup_argument(name)
    )]
    KeyPropertyMissing {
        /// The property.
        name: String,
    },
    /// The account's communications have a property of that name that cannot key messages:
    /// not unique, not text, or refused by HubSpot as an `idProperty`.
    #[error(
        "the communication property {name:?} cannot key messages: {reason}. Name a unique text \
         property with --key-property (`hubspot-comms setup --key-property NAME` creates one)"
    )]
    KeyPropertyUnusable {
        /// The property.
        name: String,
        /// Why, in HubSpot's words or ours.
        reason: String,
    },
    /// The state file belongs to another input or key property.
    #[error(
        "{} holds the progress of another import (another file, or another --key-property): \
         remove it, name another with --state, or start from the top with --restart",
        path.display()
    )]
    StateMismatch {
        /// The state file.
        path: PathBuf,
    },
    /// HubSpot answered in a way no further request will change (authentication, permission,
    /// the daily limit), or could not be reached for a contact lookup.
    #[error("{what} failed: {error}")]
    HubSpot {
        /// What the import was doing.
        what: &'static str,
        /// HubSpot's answer, or the transport's.
        error: Arc<hubspot_communications::Error>,
    },
    /// A task of the import panicked or was cancelled.
    #[error("the import stopped unexpectedly: {0}")]
    Internal(String),
}

/// ` --key-property NAME` for a property other than the default.
fn setup_argument(name: &str) -> String {
    if name == crate::setup::DEFAULT_KEY_PROPERTY {
        String::new()
    } else {
        format!(" --key-property {name}")
    }
}

impl ImportError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}
