//! The client, from the environment, as the facade's quickstart takes it: HubSpot with
//! `HUBSPOT_ACCESS_TOKEN` (`HUBSPOT_BASE_URL` for another server, such as the fake's binary),
//! else an embedded fake HubSpot with a few demo contacts; `HUBSPOT_API_VERSION` picks the
//! API version.

use hubspot_communications::{ApiVersion, Client, DEFAULT_BASE_URL};
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

/// A client, and the fake it talks to when there is no token (keep it alive).
#[derive(Debug)]
pub struct Connection {
    /// The client.
    pub client: Client,
    /// The embedded fake, when there was no token.
    pub fake: Option<MockServer>,
    /// Where it talks to, in words.
    pub description: String,
}

/// Connects as the environment says; `key_property` is made a unique property of the embedded
/// fake's communications (a real account has it created once).
pub async fn connect(key_property: &str) -> Result<Connection, Box<dyn std::error::Error>> {
    let version = match std::env::var("HUBSPOT_API_VERSION") {
        Ok(name) if !name.trim().is_empty() => name.trim().parse::<ApiVersion>()?,
        _ => ApiVersion::default(),
    };
    match std::env::var("HUBSPOT_ACCESS_TOKEN") {
        Ok(token) if !token.trim().is_empty() => {
            let base_url = std::env::var("HUBSPOT_BASE_URL")
                .ok()
                .filter(|url| !url.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
            let client = Client::builder(token.trim())
                .base_url(&base_url)
                .api_version(version)
                .build()?;
            Ok(Connection {
                client,
                fake: None,
                description: format!("HubSpot at {base_url} (API version {version})"),
            })
        }
        _ => {
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
            let client = Client::builder("demo-token")
                .base_url(fake.base_url())
                .api_version(version)
                .build()?;
            let numbers: Vec<&str> = DEMO_CONTACTS.iter().map(|(_, phone)| *phone).collect();
            let description = format!(
                "no HUBSPOT_ACCESS_TOKEN: an embedded fake HubSpot at {} (API version {version}) \
                 whose demo contacts have the numbers {}",
                fake.base_url(),
                numbers.join(", ")
            );
            Ok(Connection {
                client,
                fake: Some(fake),
                description,
            })
        }
    }
}
