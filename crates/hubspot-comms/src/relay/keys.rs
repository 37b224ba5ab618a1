//! The names of the relay's keys in Redis, each built in one place (the layout is in the
//! module docs of `relay`).

use hubspot_communications::PhoneNumber;

use super::account_name::AccountName;

/// An account's keys under a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Keys {
    /// `<prefix>:{<account>}`: the hash tag keeps an account's keys in one slot.
    base: String,
}

impl Keys {
    pub(crate) fn new(prefix: &str, account: &AccountName) -> Self {
        Self {
            base: format!("{prefix}:{{{}}}", account.as_str()),
        }
    }

    /// The stream of entries not yet logged.
    pub(crate) fn inbox(&self) -> String {
        format!("{}:inbox", self.base)
    }

    /// The stream of dead letters.
    pub(crate) fn dead(&self) -> String {
        format!("{}:dead", self.base)
    }

    /// The marker of a message key already stored (its value: the entry's id).
    pub(crate) fn seen(&self, key: &str) -> String {
        format!("{}:seen:{key}", self.base)
    }

    /// A worker's lease on looking a number up (its value: the worker's consumer name), so
    /// that workers do not search one number at once.
    pub(crate) fn lookup(&self, number: &PhoneNumber) -> String {
        format!("{}:lookup:{}", self.base, number.as_str())
    }

    /// The contact directory's entry of a number (its value: the contact's id).
    pub(crate) fn directory(&self, number: &PhoneNumber) -> String {
        format!("{}:directory:{}", self.base, number.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accounts_keys_share_its_hash_tag() {
        let keys = Keys::new("hubspot-comms:relay", &AccountName::new("acme").unwrap());
        assert_eq!(keys.inbox(), "hubspot-comms:relay:{acme}:inbox");
        assert_eq!(keys.dead(), "hubspot-comms:relay:{acme}:dead");
        assert_eq!(keys.seen("SM1"), "hubspot-comms:relay:{acme}:seen:SM1");
        let number = PhoneNumber::parse("+1 415 555 0100", None).unwrap();
        assert_eq!(
            keys.directory(&number),
            "hubspot-comms:relay:{acme}:directory:+14155550100"
        );
        assert_eq!(
            keys.lookup(&number),
            "hubspot-comms:relay:{acme}:lookup:+14155550100"
        );
    }
}
