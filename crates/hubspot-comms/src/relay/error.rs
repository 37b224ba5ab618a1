//! What can stop a piece of the relay (a request's own refusals are the receivers').

/// Why a piece of the relay could not do what it was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RelayError {
    /// Redis could not be reached, or answered with an error.
    #[error("Redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// A setting that cannot work: an empty or malformed name, a zero size.
    #[error("{0}")]
    Setting(String),
    /// HubSpot's client could not be built.
    #[error("{0}")]
    Client(#[from] hubspot_communications::Error),
    /// Fewer replicas than asked acknowledged an append in time
    /// ([`InboxOptions::wait_for_replicas`](super::inbox::InboxOptions::wait_for_replicas)).
    #[error("only {acknowledged} of the {wanted} replicas asked for have the entry")]
    Unreplicated {
        /// The replicas asked for.
        wanted: u32,
        /// The replicas that had it in time.
        acknowledged: u32,
    },
    /// Redis answered something the relay did not write there (a key of another type, a reply
    /// of another shape).
    #[error("Redis answered what the relay cannot read: {0}")]
    Unexpected(String),
}
