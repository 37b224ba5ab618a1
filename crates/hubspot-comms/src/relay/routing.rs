//! The routing file: a relay for several HubSpot accounts, each with its credentials and the
//! provider accounts and numbers whose messages go to it. TOML; secrets are never written in
//! it, only the names of the environment variables that hold them:
//!
//! ```toml
//! # Messages no route names go to this account (optional).
//! default = "acme"
//!
//! [[account]]
//! name = "acme"                                  # its streams, dead letters, status, limit
//! access_token_env = "ACME_HUBSPOT_TOKEN"        # a private app's token
//! twilio_account_sids = ["AC0123456789abcdef0123456789abcdef"]
//! twilio_auth_token_env = "ACME_TWILIO_TOKEN"    # optional: their auth token, if not TWILIO_AUTH_TOKEN
//! numbers = ["+14155550100"]                     # messages sent to these numbers
//!
//! [[account]]
//! name = "globex"
//! numbers = ["+442079460958"]
//! [account.oauth]                                # a public app installed in the account
//! client_id = "7fff1e36-…"
//! client_secret_env = "HUBSPOT_CLIENT_SECRET"
//! refresh_token_env = "GLOBEX_REFRESH_TOKEN"
//! account_id = 62515                             # optional: HubSpot's hub id
//! ```
//!
//! [`RoutingFile::routes`] makes the receivers' [`Routes`]; [`RoutingFile::client_builder`]
//! the builder of an account's client, which [`worker_client`](super::accounts::worker_client)
//! completes with the account's shared limit. An OAuth account's client refreshes its access
//! token itself, as the facade's OAuth client does (before expiry, once however many calls
//! wait); HubSpot keeps a refresh token valid across refreshes, so the variable stays right; if
//! one ever comes back changed, the relay says so (never what it is) on every refresh until the
//! variable holds the new one.

use std::collections::BTreeSet;
use std::path::Path;

use hubspot_communications::{Client, ClientBuilder, OAuthCredentials, PhoneNumber, Secret};
use serde::Deserialize;

use super::accounts::{AccountName, Routes};
use super::error::RelayError;

/// A routing file, read and checked. `Debug` prints no secret (it holds none: only the names
/// of the variables that do).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingFile {
    /// The account of messages no route names.
    #[serde(default)]
    default: Option<String>,
    /// The accounts.
    #[serde(rename = "account", default)]
    accounts: Vec<AccountEntry>,
}

/// One account of the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountEntry {
    name: String,
    #[serde(default)]
    access_token_env: Option<String>,
    #[serde(default)]
    oauth: Option<OAuthEntry>,
    #[serde(default)]
    twilio_account_sids: Vec<String>,
    /// The variable holding the auth token those Twilio accounts sign with (when it is not
    /// `TWILIO_AUTH_TOKEN`'s).
    #[serde(default)]
    twilio_auth_token_env: Option<String>,
    #[serde(default)]
    numbers: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct OAuthEntry {
    client_id: String,
    client_secret_env: String,
    refresh_token_env: String,
    #[serde(default)]
    account_id: Option<u64>,
}

impl RoutingFile {
    /// Reads and checks the file at `path`.
    pub fn read(path: &Path) -> Result<Self, RelayError> {
        let text = std::fs::read_to_string(path).map_err(|error| {
            RelayError::Setting(format!("the routing file {}: {error}", path.display()))
        })?;
        Self::parse(&text).map_err(|error| {
            RelayError::Setting(format!("the routing file {}: {error}", path.display()))
        })
    }

    /// Reads and checks a routing file's text: every account named once, with one kind of
    /// credentials, every number a number, every route and the default naming an account of
    /// the file, no provider account or number routed twice.
    pub fn parse(text: &str) -> Result<Self, RelayError> {
        // Toml's own text quotes the line at fault, which could hold a secret written there by
        // mistake: its message and the line's number only.
        let file: Self = toml::from_str(text).map_err(|error| {
            let line = error
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            RelayError::Setting(match line {
                Some(line) => format!("line {line}: {}", error.message()),
                None => error.message().to_owned(),
            })
        })?;
        let mut names = BTreeSet::new();
        let mut sids = BTreeSet::new();
        let mut numbers = BTreeSet::new();
        for account in &file.accounts {
            let name = AccountName::new(account.name.as_str())?;
            if !names.insert(name) {
                return Err(RelayError::Setting(format!(
                    "the account {:?} is named twice",
                    account.name
                )));
            }
            match (&account.access_token_env, &account.oauth) {
                (Some(variable), None) => check_variable(variable)?,
                (None, Some(oauth)) => {
                    check_variable(&oauth.client_secret_env)?;
                    check_variable(&oauth.refresh_token_env)?;
                }
                _ => {
                    return Err(RelayError::Setting(format!(
                        "the account {:?} needs access_token_env or [account.oauth], one of them",
                        account.name
                    )));
                }
            }
            if let Some(variable) = &account.twilio_auth_token_env {
                check_variable(variable)?;
                if account.twilio_account_sids.is_empty() {
                    return Err(RelayError::Setting(format!(
                        "the account {:?} names twilio_auth_token_env but no twilio_account_sids",
                        account.name
                    )));
                }
            }
            for sid in &account.twilio_account_sids {
                if !sids.insert(sid.as_str()) {
                    return Err(RelayError::Setting(format!(
                        "the provider account {sid:?} is routed twice"
                    )));
                }
            }
            for number in &account.numbers {
                let read = PhoneNumber::parse(number, None).map_err(|error| {
                    RelayError::Setting(format!(
                        "the number {number:?} of {:?}: {error}",
                        account.name
                    ))
                })?;
                if !numbers.insert(read) {
                    return Err(RelayError::Setting(format!(
                        "the number {number:?} is routed twice"
                    )));
                }
            }
        }
        if let Some(default) = &file.default
            && !file.accounts.iter().any(|account| &account.name == default)
        {
            return Err(RelayError::Setting(format!(
                "the default account {default:?} is not in the file"
            )));
        }
        if file.accounts.is_empty() {
            return Err(RelayError::Setting("no [[account]]".into()));
        }
        Ok(file)
    }

    /// The accounts, in the file's order.
    pub fn accounts(&self) -> Vec<AccountName> {
        self.accounts
            .iter()
            .filter_map(|account| AccountName::new(account.name.as_str()).ok())
            .collect()
    }

    /// The receivers' routes.
    pub fn routes(&self) -> Routes {
        let mut routes = Routes::default();
        for account in &self.accounts {
            let Ok(name) = AccountName::new(account.name.as_str()) else {
                continue;
            };
            for sid in &account.twilio_account_sids {
                routes = routes.provider_account(sid.clone(), name.clone());
            }
            for number in &account.numbers {
                if let Ok(number) = PhoneNumber::parse(number, None) {
                    routes = routes.number(number, name.clone());
                }
            }
            if self.default.as_deref() == Some(account.name.as_str()) {
                routes = routes.otherwise(name);
            }
        }
        routes
    }

    /// The auth token of each Twilio account whose token the file names (by its variable, read
    /// now): for [`Twilio::account`](super::receive::Twilio::account).
    pub fn twilio_tokens(&self) -> Result<Vec<(String, Secret)>, RelayError> {
        let mut tokens = Vec::new();
        for account in &self.accounts {
            if let Some(variable) = &account.twilio_auth_token_env {
                let token = Secret::new(read_variable(variable)?);
                for sid in &account.twilio_account_sids {
                    tokens.push((sid.clone(), token.clone()));
                }
            }
        }
        Ok(tokens)
    }

    /// The builder of `account`'s client, its credentials read from the environment now (the
    /// caller sets the base URL and API version, and hands it to
    /// [`worker_client`](super::accounts::worker_client)).
    pub fn client_builder(&self, account: &AccountName) -> Result<ClientBuilder, RelayError> {
        let entry = self
            .accounts
            .iter()
            .find(|entry| entry.name == account.as_str())
            .ok_or_else(|| {
                RelayError::Setting(format!("no account {account} in the routing file"))
            })?;
        if let Some(variable) = &entry.access_token_env {
            return Ok(Client::builder(read_variable(variable)?));
        }
        let Some(oauth) = &entry.oauth else {
            return Err(RelayError::Setting(format!(
                "the account {account} has no credentials"
            )));
        };
        let refresh_token = read_variable(&oauth.refresh_token_env)?;
        let mut credentials = OAuthCredentials::new(
            oauth.client_id.clone(),
            read_variable(&oauth.client_secret_env)?,
            refresh_token.clone(),
        );
        if let Some(id) = oauth.account_id {
            credentials = credentials.account_id(id);
        }
        let (account, variable) = (account.clone(), oauth.refresh_token_env.clone());
        Ok(Client::oauth(credentials).on_refresh(move |tokens| {
            if tokens.refresh_token.expose() != refresh_token {
                tracing::warn!(%account, %variable,
                    "HubSpot answered a refresh with another refresh token: put it in the variable before the relay restarts");
            } else {
                tracing::debug!(%account, "access token refreshed");
            }
        }))
    }
}

fn check_variable(name: &str) -> Result<(), RelayError> {
    if name.is_empty() || name.contains('=') || name.contains('\0') {
        return Err(RelayError::Setting(format!(
            "{name:?} cannot name an environment variable"
        )));
    }
    Ok(())
}

fn read_variable(name: &str) -> Result<String, RelayError> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        _ => Err(RelayError::Setting(format!(
            "the environment variable {name} (named in the routing file) is unset or blank"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
default = "acme"

[[account]]
name = "acme"
access_token_env = "RELAY_TEST_ACME_TOKEN"
twilio_account_sids = ["AC1"]
twilio_auth_token_env = "RELAY_TEST_ACME_TWILIO"
numbers = ["+1 415 555 0100"]

[[account]]
name = "globex"
numbers = ["+442079460958"]
[account.oauth]
client_id = "client"
client_secret_env = "RELAY_TEST_SECRET"
refresh_token_env = "RELAY_TEST_REFRESH"
account_id = 62515
"#;

    fn name(text: &str) -> AccountName {
        AccountName::new(text).unwrap()
    }

    #[test]
    fn a_file_routes_by_provider_account_then_number_then_default() {
        let file = RoutingFile::parse(FILE).unwrap();
        assert_eq!(file.accounts(), [name("acme"), name("globex")]);
        let routes = file.routes();
        let london = PhoneNumber::parse("+442079460958", None).unwrap();
        assert_eq!(
            routes.route(Some("AC1"), Some(&london)),
            Some(&name("acme"))
        );
        assert_eq!(
            routes.route(Some("AC9"), Some(&london)),
            Some(&name("globex"))
        );
        assert_eq!(routes.route(None, None), Some(&name("acme")));
        assert!(file.client_builder(&name("nobody")).is_err());
        // The variables are unset here: said, by name, never guessed.
        let error = file.client_builder(&name("acme")).unwrap_err().to_string();
        assert!(error.contains("RELAY_TEST_ACME_TOKEN"), "{error}");
        let error = file.twilio_tokens().unwrap_err().to_string();
        assert!(error.contains("RELAY_TEST_ACME_TWILIO"), "{error}");
    }

    #[test]
    fn a_file_that_cannot_route_says_why() {
        let cases = [
            ("", "no [[account]]"),
            (
                "[[account]]\nname = \"a b\"\naccess_token_env = \"T\"",
                "cannot name an account",
            ),
            ("[[account]]\nname = \"a\"", "one of them"),
            (
                "[[account]]\nname = \"a\"\naccess_token_env = \"T\"\n[[account]]\nname = \"a\"\naccess_token_env = \"U\"",
                "named twice",
            ),
            (
                "default = \"b\"\n[[account]]\nname = \"a\"\naccess_token_env = \"T\"",
                "not in the file",
            ),
            (
                "[[account]]\nname = \"a\"\naccess_token_env = \"T\"\nnumbers = [\"nope\"]",
                "the number",
            ),
            (
                "[[account]]\nname = \"a\"\naccess_token = \"pat-secret\"",
                "unknown field",
            ),
            (
                "[[account]]\nname = \"a\"\naccess_token_env = \"T\"\ntwilio_auth_token_env = \"W\"",
                "no twilio_account_sids",
            ),
            (
                "[[account]]\nname = \"a\"\naccess_token_env = \"T\"\nnumbers = [\"+14155550100\"]\n[[account]]\nname = \"b\"\naccess_token_env = \"U\"\nnumbers = [\"+1 415 555 0100\"]",
                "routed twice",
            ),
        ];
        for (text, expected) in cases {
            let error = RoutingFile::parse(text).unwrap_err().to_string();
            assert!(error.contains(expected), "{text:?}: {error}");
            assert!(!error.contains("pat-secret"), "{error}");
        }
    }
}
