//! Enums that keep the values HubSpot adds after this crate was generated.
//!
//! The spec's inline enums are named by `spec/patches/07-open-enums.json` and replaced by these
//! types (`spec/client.toml`, `[replace]`). A value this version does not know decodes to
//! `Other` with the text as HubSpot sent it, and encodes back unchanged.

use std::fmt;

/// A value HubSpot sent that this version of the crate does not know, kept as sent.
///
/// Only the crate makes one, when it reads a value none of an enum's variants spells: so a
/// known value always reads as its variant, however it was built (`"SMS"` is never an
/// `Other`), and code cannot match on the text of a value a later version names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// The value, as HubSpot sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Only for `open_enum!`, after no known spelling matched.
    pub(crate) fn new(value: String) -> Self {
        Self(value)
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Declares an open enum: known variants with HubSpot's spelling (and other spellings it
/// reads, after `|`), and `Other(unknown)` for the rest, where `unknown` is the declaring
/// crate's own value type: a type with `as_str(&self) -> &str` and a `new(String)` only that
/// crate can call (this crate's [`UnknownValue`]; the facade has its own), so that no one
/// builds an `Other` holding a known value. It gets `as_str`, an infallible `FromStr` that
/// ignores surrounding whitespace and ASCII case, `From<&str>`, `From<String>`,
/// `Into<String>` and `Display`. Serde goes through the strings: give the enum
/// `#[derive(serde::Serialize, serde::Deserialize)] #[serde(into = "String", from = "String")]`.
///
/// The one convention for the enums HubSpot grows, in this crate and in the facade; not an API
/// of its own.
#[doc(hidden)]
#[macro_export]
macro_rules! open_enum {
    (
        unknown = $unknown:ty;
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $wire:literal $(| $alias:literal)*, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )*
            /// A value this version of the crate does not know, as HubSpot sent it.
            Other($unknown),
        }

        impl $name {
            /// The value as HubSpot spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Other(value) => value.as_str(),
                }
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = ::core::convert::Infallible;

            /// Never fails: surrounding whitespace and ASCII case are ignored, and an unknown
            /// value becomes `Other`, as given.
            fn from_str(value: &str) -> ::core::result::Result<Self, Self::Err> {
                let known = value.trim();
                $(
                    if known.eq_ignore_ascii_case($wire) $(|| known.eq_ignore_ascii_case($alias))* {
                        return Ok(Self::$variant);
                    }
                )*
                Ok(Self::Other(<$unknown>::new(value.to_owned())))
            }
        }

        impl ::core::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                let Ok(parsed) = value.parse();
                parsed
            }
        }

        impl ::core::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl ::core::convert::From<$name> for ::std::string::String {
            fn from(value: $name) -> Self {
                value.as_str().to_owned()
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

open_enum! {
    unknown = UnknownValue;
    /// Who defined an association type.
    #[derive(serde::Serialize, serde::Deserialize)]
    #[serde(into = "String", from = "String")]
    pub enum AssociationCategory {
        /// HubSpot's own association types, such as communication to contact (81).
        HubspotDefined = "HUBSPOT_DEFINED",
        /// Types defined by an integration.
        IntegratorDefined = "INTEGRATOR_DEFINED",
        /// Labels defined by the account's users.
        UserDefined = "USER_DEFINED",
        /// Listed by HubSpot's spec; not described by its guides.
        Work = "WORK",
    }
}

open_enum! {
    unknown = UnknownValue;
    /// The state of a batch request.
    #[derive(serde::Serialize, serde::Deserialize)]
    #[serde(into = "String", from = "String")]
    pub enum BatchStatus {
        /// The batch was cancelled.
        Canceled = "CANCELED",
        /// The batch finished (some inputs may still have failed: see its errors).
        Complete = "COMPLETE",
        /// The batch has not started.
        Pending = "PENDING",
        /// The batch is running.
        Processing = "PROCESSING",
    }
}

open_enum! {
    unknown = UnknownValue;
    /// How a search filter compares a property with its value.
    #[derive(serde::Serialize, serde::Deserialize)]
    #[serde(into = "String", from = "String")]
    pub enum FilterOperator {
        /// Between `value` and `highValue`, inclusive.
        Between = "BETWEEN",
        /// Contains the token (words, or `*` wildcards).
        ContainsToken = "CONTAINS_TOKEN",
        /// Equal.
        Eq = "EQ",
        /// Greater than.
        Gt = "GT",
        /// Greater than or equal.
        Gte = "GTE",
        /// Has any value.
        HasProperty = "HAS_PROPERTY",
        /// Equal to one of `values`.
        In = "IN",
        /// Less than.
        Lt = "LT",
        /// Less than or equal.
        Lte = "LTE",
        /// Not equal.
        Neq = "NEQ",
        /// Does not contain the token.
        NotContainsToken = "NOT_CONTAINS_TOKEN",
        /// Has no value.
        NotHasProperty = "NOT_HAS_PROPERTY",
        /// Equal to none of `values`.
        NotIn = "NOT_IN",
    }
}

open_enum! {
    unknown = UnknownValue;
    /// How an OAuth token request authenticates (`grant_type` of the token endpoint's body).
    #[derive(serde::Serialize, serde::Deserialize)]
    #[serde(into = "String", from = "String")]
    pub enum CreateTokenBodyGrantType {
        /// An authorization code, once, after an account installed the app.
        AuthorizationCode = "authorization_code",
        /// A refresh token, for each new access token.
        RefreshToken = "refresh_token",
    }
}

open_enum! {
    unknown = UnknownValue;
    /// What an OAuth access token answer's token is for (`token_use`).
    #[derive(serde::Serialize, serde::Deserialize)]
    #[serde(into = "String", from = "String")]
    pub enum AccessTokenResponseTokenUse {
        /// An access token.
        AccessToken = "access_token",
    }
}

open_enum! {
    unknown = UnknownValue;
    /// The client-credentials grant (`grant_type` of an app's own token request).
    #[derive(serde::Serialize, serde::Deserialize)]
    #[serde(into = "String", from = "String")]
    pub enum ClientCredentialsGrantType {
        /// The app's own credentials.
        ClientCredentials = "client_credentials",
    }
}

open_enum! {
    unknown = UnknownValue;
    /// What an app's own token is for (`token_use` of the client-credentials answer).
    #[derive(serde::Serialize, serde::Deserialize)]
    #[serde(into = "String", from = "String")]
    pub enum ClientCredentialsTokenResponseTokenUse {
        /// The client-credentials token.
        ClientCredentials = "client_credentials",
    }
}

/// HubSpot's v1 token answers leave `token_use` out: what it then is.
impl Default for AccessTokenResponseTokenUse {
    fn default() -> Self {
        Self::AccessToken
    }
}

/// HubSpot's v1 client-credentials answers leave `token_use` out: what it then is.
impl Default for ClientCredentialsTokenResponseTokenUse {
    fn default() -> Self {
        Self::ClientCredentials
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_parse_leniently_and_unknown_ones_are_kept_verbatim() {
        assert_eq!(
            AssociationCategory::from(" HUBSPOT_DEFINED "),
            AssociationCategory::HubspotDefined
        );
        assert_eq!(FilterOperator::from("between"), FilterOperator::Between);
        let later = FilterOperator::from("STARTS_WITH");
        assert!(matches!(&later, FilterOperator::Other(value) if value.as_str() == "STARTS_WITH"));
        assert_eq!(later.to_string(), "STARTS_WITH");
    }

    #[test]
    fn serde_round_trips_known_and_unknown_values() {
        for wire in ["\"PROCESSING\"", "\"PAUSED\""] {
            let status: BatchStatus = serde_json::from_str(wire).unwrap();
            assert_eq!(serde_json::to_string(&status).unwrap(), wire);
        }
        assert!(serde_json::from_str::<BatchStatus>("42").is_err());
    }
}
