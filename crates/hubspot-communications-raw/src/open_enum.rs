//! Enums that keep the values HubSpot adds after this crate was generated.
//!
//! The spec's inline enums are named by `spec/patches/07-open-enums.json` and replaced by these
//! types (`spec/client.toml`, `[replace]`). A value this version does not know decodes to
//! `Other` with the text as HubSpot sent it, and encodes back unchanged.

use std::fmt;
use std::str::FromStr;

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $wire:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )*
            /// A value this version of the crate does not know, as HubSpot sent it.
            Other(String),
        }

        impl $name {
            /// The value as HubSpot spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Other(value) => value,
                }
            }
        }

        impl FromStr for $name {
            type Err = std::convert::Infallible;

            /// Never fails: surrounding whitespace is ignored, and an unknown value becomes
            /// `Other`.
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(match value.trim() {
                    $( $wire => Self::$variant, )*
                    _ => Self::Other(value.to_owned()),
                })
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                let Ok(parsed) = value.parse();
                parsed
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }
    };
}

open_enum! {
    /// Who defined an association type.
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
    /// The state of a batch request.
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
    /// How a search filter compares a property with its value.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_parse_leniently_and_unknown_ones_are_kept_verbatim() {
        assert_eq!(
            AssociationCategory::from(" HUBSPOT_DEFINED "),
            AssociationCategory::HubspotDefined
        );
        let later = FilterOperator::from("STARTS_WITH");
        assert_eq!(later, FilterOperator::Other("STARTS_WITH".into()));
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
