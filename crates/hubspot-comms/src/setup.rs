//! `hubspot-comms setup`: makes sure the account's communications have the unique key
//! property the import upserts messages by, through HubSpot's Properties API. Idempotent: a
//! second run finds the property and changes nothing; a property of that name that cannot
//! key messages is left as it is, and the error says why.

use hubspot_communications::{Client, KeyProperty, KeyPropertyError};

use crate::connect::{self, ConnectOptions};
use crate::exit;

/// The unique communication property that holds each message's key, unless
/// `--key-property` names another.
pub const DEFAULT_KEY_PROPERTY: &str = "external_message_id";

/// Makes sure communications have the unique text property `key_property`: created when
/// missing, accepted when it is there (see
/// [`Client::ensure_key_property`](hubspot_communications::Client::ensure_key_property)).
pub async fn setup(client: &Client, key_property: &str) -> Result<KeyProperty, KeyPropertyError> {
    client.ensure_key_property(key_property).await
}

/// What `setup` did, in a sentence.
pub fn describe(key: &KeyProperty) -> String {
    let definition = &key.definition;
    if key.created {
        format!(
            "created the key property {} of communications (single-line text, unique values, in the group {}): `hubspot-comms import` can key messages by it",
            definition.name, definition.group_name
        )
    } else {
        format!(
            "communications already have the unique key property {}: nothing to do",
            definition.name
        )
    }
}

/// `hubspot-comms setup`: connects, makes sure of the key property, says what it did; answers
/// the exit code ([`exit::SETUP`]).
pub async fn run(connect: &ConnectOptions, key_property: &str) -> u8 {
    let Some(connection) = connect::or_say(connect, key_property).await else {
        return exit::COULD_NOT_RUN;
    };
    match setup(&connection.client, key_property).await {
        Ok(key) => {
            println!(
                "hubspot-comms: {} ({})",
                describe(&key),
                connection.description
            );
            exit::OK
        }
        Err(error) => {
            eprintln!("hubspot-comms setup: {error}");
            exit::COULD_NOT_RUN
        }
    }
}
