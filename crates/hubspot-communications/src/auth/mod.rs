//! How a client authenticates: secrets that never show, a private app's token or a public
//! app's OAuth credentials, and the keeper of an OAuth access token.

mod credentials;
mod secret;
mod tokens;

pub use credentials::{AppCredentials, JOURNAL_SCOPES, OAuthCredentials, OAuthTokens};
pub(crate) use credentials::{Credentials, RefreshCallback};
pub use secret::Secret;
pub(crate) use tokens::{BoxFuture, TokenEndpoint, TokenManager};
