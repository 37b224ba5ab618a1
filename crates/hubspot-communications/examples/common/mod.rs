//! Not an example: what the examples share (a client of HubSpot, or of the embedded fake).

#![allow(dead_code)]

use hubspot_communications::{ApiVersion, Client};
use hubspot_communications_mock::{Config, MockServer};

/// A client of HubSpot when `HUBSPOT_ACCESS_TOKEN` is set (`HUBSPOT_BASE_URL` overrides the
/// URL: any server, the fake's binary included), else of an embedded fake, which the caller
/// keeps alive. `HUBSPOT_API_VERSION` (`v3`, `2026-03`, `2026-09`) picks the API version;
/// the client's default (the newest) otherwise.
pub async fn connect() -> Result<(Client, Option<MockServer>), Box<dyn std::error::Error>> {
    connect_with(Config::default()).await
}

/// [`connect`], with an embedded fake configured by `config` (an account's own properties).
pub async fn connect_with(
    config: Config,
) -> Result<(Client, Option<MockServer>), Box<dyn std::error::Error>> {
    let version = match std::env::var("HUBSPOT_API_VERSION") {
        Ok(name) if !name.trim().is_empty() => name.parse::<ApiVersion>()?,
        _ => ApiVersion::default(),
    };
    println!("Speaking HubSpot's API version {version}.");
    match std::env::var("HUBSPOT_ACCESS_TOKEN") {
        Ok(token) if !token.trim().is_empty() => {
            let base_url = std::env::var("HUBSPOT_BASE_URL")
                .unwrap_or_else(|_| hubspot_communications::DEFAULT_BASE_URL.to_owned());
            println!("Talking to HubSpot at {base_url}.");
            let client = Client::builder(token)
                .base_url(base_url)
                .api_version(version)
                .build()?;
            Ok((client, None))
        }
        _ => {
            let fake = MockServer::start_with(config).await?;
            println!(
                "No HUBSPOT_ACCESS_TOKEN: using the embedded fake HubSpot at {}.",
                fake.base_url()
            );
            let client = Client::builder("demo-token")
                .base_url(fake.base_url())
                .api_version(version)
                .build()?;
            Ok((client, Some(fake)))
        }
    }
}
