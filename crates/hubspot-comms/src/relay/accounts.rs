//! Which HubSpot account a received message goes to ([`Routes`]: the provider's account or the
//! number it was sent to), and the client a worker logs an account's messages with
//! ([`worker_client`]: the account's credentials, its limit shared in the relay's Redis).
//!
//! One account is the common case: [`Routes::one`] sends everything to it
//! ([`AccountName::default`], `default`). Several accounts are named routes to names; each
//! name has its own stream, dead letters, status and rate limit. The routing file
//! ([`RoutingFile`](super::routing::RoutingFile)) reads them, with each account's credentials.

use std::collections::{BTreeSet, HashMap};

use hubspot_communications::{Client, ClientBuilder, PhoneNumber, RedisClaims, SharedRateLimit};

pub use super::account_name::AccountName;
use super::error::RelayError;
use super::streams::Streams;

/// Which account each received message goes to: by the provider's account (Twilio's
/// `AccountSid`), else by the number it was sent to (E.164), else the default account, if
/// there is one. A message no route names is refused (the provider hears 404, and nothing is
/// stored for no account).
#[derive(Debug, Clone, Default)]
pub struct Routes {
    default: Option<AccountName>,
    by_provider_account: HashMap<String, AccountName>,
    by_number: HashMap<PhoneNumber, AccountName>,
}

impl Routes {
    /// Every message to `account`.
    pub fn one(account: AccountName) -> Self {
        Self {
            default: Some(account),
            ..Self::default()
        }
    }

    /// Messages no other route names go to `account`.
    #[must_use]
    pub fn otherwise(mut self, account: AccountName) -> Self {
        self.default = Some(account);
        self
    }

    /// Messages of the provider's account `id` (Twilio's `AccountSid`) go to `account`.
    #[must_use]
    pub fn provider_account(mut self, id: impl Into<String>, account: AccountName) -> Self {
        self.by_provider_account.insert(id.into(), account);
        self
    }

    /// Messages sent to `number` (one of yours) go to `account`.
    #[must_use]
    pub fn number(mut self, number: PhoneNumber, account: AccountName) -> Self {
        self.by_number.insert(number, account);
        self
    }

    /// The account of a message from the provider's account `provider_account`, sent to
    /// `number`.
    pub fn route(
        &self,
        provider_account: Option<&str>,
        number: Option<&PhoneNumber>,
    ) -> Option<&AccountName> {
        provider_account
            .and_then(|id| self.by_provider_account.get(id))
            .or_else(|| number.and_then(|n| self.by_number.get(n)))
            .or(self.default.as_ref())
    }

    /// Whether a route (or the default) names `account`.
    pub fn names(&self, account: &AccountName) -> bool {
        self.accounts().contains(account)
    }

    /// Every account a route names, once.
    pub fn accounts(&self) -> BTreeSet<&AccountName> {
        self.default
            .iter()
            .chain(self.by_provider_account.values())
            .chain(self.by_number.values())
            .collect()
    }
}

/// The client a worker logs `account`'s messages with: `builder` (the account's credentials:
/// [`Client::builder`] with a private app's token, or [`Client::oauth`] with its
/// `on_refresh`; the base URL, the API version) with two things every worker of the account
/// shares through the relay's Redis, under `<prefix>:{<account>}`: the account's rate limit
/// (the facade's [`SharedRateLimit`]) and the claims on new phone numbers ([`RedisClaims`]),
/// which keep two workers from creating two contacts for one new number while HubSpot's
/// search lags. It counts its requests to HubSpot in the relay's [`metrics`](super::metrics).
/// This is the one place a worker's client is made.
pub fn worker_client(
    streams: &Streams,
    account: &AccountName,
    builder: ClientBuilder,
) -> Result<Client, RelayError> {
    let key_prefix = format!("{}:{{{}}}", streams.prefix(), account.as_str());
    let shared = SharedRateLimit::redis(streams.url(), key_prefix.clone())?;
    let claims = RedisClaims::new(streams.url(), key_prefix)?;
    let counted = account.clone();
    Ok(builder
        .on_attempt(move |attempt| super::metrics::hubspot_attempt(&counted, attempt))
        .shared_rate_limit(shared)
        .contact_claims(claims)
        .build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> AccountName {
        AccountName::new(text).unwrap()
    }

    #[test]
    fn names_fit_in_a_key() {
        assert!(AccountName::new("acme-eu_1.prod").is_ok());
        for bad in ["", "a b", "a{b}", "a:b", "é", &"a".repeat(65)] {
            assert!(AccountName::new(bad).is_err(), "{bad:?}");
        }
        assert_eq!(AccountName::default().as_str(), "default");
    }

    #[test]
    fn routes_prefer_the_provider_account_then_the_number() {
        let ours = PhoneNumber::parse("+14155550100", None).unwrap();
        let routes = Routes::default()
            .provider_account("AC1", name("one"))
            .number(ours.clone(), name("two"))
            .otherwise(name("three"));
        assert_eq!(routes.route(Some("AC1"), Some(&ours)), Some(&name("one")));
        assert_eq!(routes.route(Some("AC2"), Some(&ours)), Some(&name("two")));
        assert_eq!(routes.route(Some("AC2"), None), Some(&name("three")));
        assert_eq!(Routes::default().route(Some("AC1"), Some(&ours)), None);
        assert_eq!(routes.accounts().len(), 3);
    }
}
