//! `--demo`: an embedded fake HubSpot with a few demo contacts, to try the commands on
//! without an account. Only ever on request: a command never falls back to it.

use hubspot_communications_mock::{
    Config, MockServer, ObjectType, PropertyDefinition, PropertyOwner,
};

/// The demo contacts of the embedded fake: (first name, phone number as typed).
pub const DEMO_CONTACTS: [(&str, &str); 5] = [
    ("Linda", "+1 415-555-0100"),
    ("Carla", "(415) 555-0101"),
    ("Sam", "+14155550102"),
    ("Priya", "+44 7911 123456"),
    ("Jonas", "+49 1512 3456789"),
];

/// The token the embedded fake is sent (it accepts any).
pub(crate) const DEMO_TOKEN: &str = "demo-token";

/// Starts the fake, its communications keyed by `key_property` (a real account has it created
/// once, by `setup`), with the demo contacts.
pub(crate) async fn start(key_property: &str) -> std::io::Result<MockServer> {
    let config = Config::default().property(
        PropertyOwner::Communication,
        PropertyDefinition::string(key_property).unique(),
    );
    let fake = MockServer::start_with(config).await?;
    for (name, phone) in DEMO_CONTACTS {
        let email = format!("{}@example.com", name.to_lowercase());
        fake.seed_record(
            ObjectType::Contact,
            &[("firstname", name), ("email", &email), ("phone", phone)],
        );
    }
    Ok(fake)
}

/// Where the demo runs, in words.
pub(crate) fn describe(fake: &MockServer, version: impl std::fmt::Display) -> String {
    let numbers: Vec<&str> = DEMO_CONTACTS.iter().map(|(_, phone)| *phone).collect();
    format!(
        "an embedded fake HubSpot at {} (--demo, API version {version}), not your account, \
         whose demo contacts have the numbers {}",
        fake.base_url(),
        numbers.join(", ")
    )
}
